import XCTest
@testable import DRNetCore
@testable import DRNetEngine
@testable import DRNetSynthetic
import TestSupport

/// Settings taken from the library itself (issue 12): the peak shape from whether the library
/// records its instrument, the width centre from the patterns' measured peaks.
final class DataDefaultsTests: XCTestCase {
    func testPeakShapeFollowsTheInstrumentRecord() throws {
        let syn = SyntheticLibrary.make(divisions: 3, gridCount: 200, sticksPerPhase: 5, distractors: 1, seed: 2)
        let given = SolverOptions()
        let plain = try PreparedProblem(library: syn.library, options: given)
        let (o1, notes1) = DataDefaults.resolve(given, for: plain)
        XCTAssertEqual(o1.peakShape, .gaussian)
        XCTAssertFalse(o1.peakFattening)
        XCTAssertFalse(notes1.contains { $0.hasPrefix("peak shape") })
        var lib = syn.library
        lib.axisWavelength = 1.540598
        let measured = try PreparedProblem(library: lib, options: given)
        let (o2, notes2) = DataDefaults.resolve(given, for: measured)
        XCTAssertEqual(o2.peakShape, .pseudoVoigt)
        XCTAssertTrue(o2.peakFattening && o2.pseudoVoigt)
        XCTAssertTrue(notes2.contains { $0.hasPrefix("peak shape: pseudo-Voigt") }, "\(notes2)")
        // An explicit choice is kept.
        var gaussian = given
        gaussian.peakShape = .gaussian
        XCTAssertEqual(DataDefaults.resolve(gaussian, for: measured).options.peakShape, .gaussian)
        // The solver records what it resolved (and resolving again changes nothing: resume).
        let solver = try DRNetSolver(problem: measured, options: given, seed: 1)
        XCTAssertEqual(solver.options.peakShape, .pseudoVoigt)
        XCTAssertFalse(solver.options.peakWidthsFromData)
        let again = DataDefaults.resolve(solver.options, for: measured).options
        let enc = JSONEncoder()
        enc.outputFormatting = .sortedKeys
        XCTAssertEqual(try enc.encode(again), try enc.encode(solver.options))
    }

    /// A step cap before the constraint terms are on (or at full strength) is warned about; the
    /// defaults and the shipped Bi-Cu-V settings (pretrain 10 000) are not.
    func testStepCapBeforeTheConstraintTermsIsWarnedAbout() throws {
        let syn = SyntheticLibrary.make(divisions: 3, gridCount: 200, sticksPerPhase: 5, distractors: 1, seed: 2)
        let problem = try PreparedProblem(library: syn.library, options: SolverOptions())
        func warnings(_ o: SolverOptions) -> [String] {
            DataDefaults.resolve(o, for: problem).notes.filter { $0.hasPrefix("warning: training stops") }
        }
        XCTAssertEqual(warnings(SolverOptions()), [])
        let bcv = try SolverOptions.load(path: SharedData.packageRoot.appendingPathComponent("configs/bi-cu-v.json").path)
        XCTAssertEqual(warnings(bcv), [])
        var early = SolverOptions()
        early.maxSteps = 2000
        XCTAssertTrue(warnings(early).first?.contains("before the constraint terms switch on") == true, "\(warnings(early))")
        early.maxSteps = 3500
        XCTAssertTrue(warnings(early).first?.contains("reach full strength (step 4000)") == true, "\(warnings(early))")
        early.gibbsWeight = 0
        XCTAssertEqual(warnings(early), [])
    }

    func testWidthCentreFromTheMeasuredPeaks() throws {
        let syn = SyntheticLibrary.make(divisions: 3, gridCount: 400, sticksPerPhase: 5, distractors: 1, logVariance: -3.2, seed: 2)
        let problem = try PreparedProblem(library: syn.library, options: SolverOptions())
        let w = try XCTUnwrap(problem.peakWidth)
        let (o, notes) = DataDefaults.resolve(SolverOptions(), for: problem)
        XCTAssertEqual(o.logVarianceCentre, (2 * Foundation.log(w.sigma) * 100).rounded() / 100)
        // Rendered with v = −3.2 (σ = 0.20 nm⁻¹): the measured centre is near it (overlaps widen a little).
        XCTAssertEqual(o.logVarianceCentre, -3.2, accuracy: 0.3)
        XCTAssertTrue(notes.contains { $0.hasPrefix("peak widths from the data") })
        // A settings file that gives the centre keeps it; asking for the data's as well overrides it.
        let keep = try JSONDecoder().decode(SolverOptions.self, from: Data(#"{"logVarianceCentre": -8}"#.utf8))
        XCTAssertFalse(keep.peakWidthsFromData)
        let kept = DataDefaults.resolve(keep, for: problem)
        XCTAssertEqual(kept.options.logVarianceCentre, -8)
        XCTAssertTrue(kept.notes.contains { $0.hasPrefix("warning: the patterns' peaks") }, "\(kept.notes)")
        let both = try JSONDecoder().decode(
            SolverOptions.self, from: Data(#"{"logVarianceCentre": -5, "peakWidthsFromData": true}"#.utf8))
        XCTAssertTrue(both.peakWidthsFromData)
    }
}
