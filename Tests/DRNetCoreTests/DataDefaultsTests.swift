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

    /// The baseline share (`BaselineEstimate`): peaks on a zero baseline give almost none, the
    /// same peaks on a smooth background give about the background's share of the intensity.
    func testBaselineShareSeesASmoothBackgroundButNotThePeaks() throws {
        let syn = SyntheticLibrary.make(divisions: 4, gridCount: 450, sticksPerPhase: 6, distractors: 0, logVariance: -3.5, seed: 3)
        let q = syn.library.q, t = q.count
        let peaks = syn.library.patterns
        let w = BaselineEstimate.halfWindow(peakWidth: PeakWidthEstimate.measure(patterns: peaks, q: q))
        let bare = try XCTUnwrap(BaselineEstimate.measure(patterns: peaks, q: q, halfWindow: w))
        XCTAssertLessThan(bare.share, BaselineEstimate.noBackgroundShare, "peaks alone")
        XCTAssertEqual(bare.patterns, syn.library.sampleCount)
        // Every pattern plus a smooth decaying background b(q) = 0.3·max·exp(−(q − q₀)/20).
        var withBackground = peaks
        var expected: [Double] = []
        for i in 0..<syn.library.sampleCount {
            let row = peaks[(i * t)..<((i + 1) * t)]
            let top = row.max() ?? 0
            guard top > 0 else { continue }
            var under = 0.0, total = 0.0
            for j in 0..<t {
                let b = 0.3 * top * Float(exp(-Double(q[j] - q[0]) / 20))
                withBackground[i * t + j] += b
                under += Double(b)
                total += Double(withBackground[i * t + j])
            }
            expected.append(under / total)
        }
        expected.sort()
        let seen = try XCTUnwrap(BaselineEstimate.measure(patterns: withBackground, q: q, halfWindow: w))
        XCTAssertEqual(seen.share, expected[expected.count / 2], accuracy: 0.05, "the background's share of the intensity")
        XCTAssertGreaterThan(seen.share, 10 * BaselineEstimate.noBackgroundShare)
        // Degenerate grids are not measured.
        XCTAssertNil(BaselineEstimate.measure(patterns: [1, 2], q: [1, 2], halfWindow: 1))
        XCTAssertNil(BaselineEstimate.measure(patterns: peaks, q: q, halfWindow: 1000), "a window wider than the grid")
    }

    /// The O(T) window minimum and maximum equal their definition (the extreme over
    /// [s − h, s + h] clipped to the grid) for windows narrower and wider than the row.
    func testWindowExtremumEqualsItsDefinition() {
        var rng = SeededGenerator(seed: 5)
        let a = (0..<97).map { _ in Float(rng.next() >> 40) / Float(1 << 24) - 0.3 }
        for h in [1, 2, 7, 48, 96, 200] {
            let lo = BaselineEstimate.windowExtremum(a, halfWidth: h, by: <)
            let hi = BaselineEstimate.windowExtremum(a, halfWidth: h, by: >)
            for s in 0..<a.count {
                let window = a[max(0, s - h)...min(a.count - 1, s + h)]
                XCTAssertEqual(lo[s], window.min(), "h \(h) s \(s)")
                XCTAssertEqual(hi[s], window.max(), "h \(h) s \(s)")
            }
        }
    }

    /// `backgroundFromData`: a library without a baseline fits no background (and says so), one
    /// with a background keeps the fitted one; a settings file that sets `backgroundCoefficients`
    /// keeps its value; resolving twice changes nothing (resume).
    func testBackgroundIsFittedOnlyWhereThePatternsCarryOne() throws {
        let syn = SyntheticLibrary.make(divisions: 4, gridCount: 450, sticksPerPhase: 6, distractors: 1, logVariance: -3.5, seed: 3)
        let bare = try PreparedProblem(library: syn.library, options: SolverOptions())
        let (o, notes) = DataDefaults.resolve(SolverOptions(), for: bare)
        XCTAssertEqual(o.backgroundCoefficients, 0)
        XCTAssertFalse(o.backgroundFromData)
        XCTAssertTrue(notes.contains { $0.hasPrefix("background: ") && $0.contains("no background is fitted") }, "\(notes)")
        XCTAssertEqual(DataDefaults.resolve(o, for: bare).options.backgroundCoefficients, 0)

        var lib = syn.library
        let t = lib.gridCount
        for i in 0..<lib.sampleCount {
            for j in 0..<t { lib.patterns[i * t + j] += 0.2 * Float(exp(-Double(lib.q[j] - lib.q[0]) / 20)) }
        }
        let measured = try PreparedProblem(library: lib, options: SolverOptions())
        let kept = DataDefaults.resolve(SolverOptions(), for: measured)
        XCTAssertEqual(kept.options.backgroundCoefficients, SolverOptions().backgroundCoefficients)
        XCTAssertTrue(kept.notes.contains { $0.hasPrefix("background: ") && $0.contains("fitted per sample") }, "\(kept.notes)")

        let explicit = try JSONDecoder().decode(SolverOptions.self, from: Data(#"{"backgroundCoefficients": 8}"#.utf8))
        XCTAssertFalse(explicit.backgroundFromData)
        XCTAssertEqual(DataDefaults.resolve(explicit, for: bare).options.backgroundCoefficients, 8)
        let both = try JSONDecoder().decode(
            SolverOptions.self, from: Data(#"{"backgroundCoefficients": 12, "backgroundFromData": true}"#.utf8))
        XCTAssertTrue(both.backgroundFromData)
        XCTAssertEqual(DataDefaults.resolve(both, for: bare).options.backgroundCoefficients, 0)
        let solver = try DRNetSolver(problem: bare, options: SolverOptions(), seed: 1)
        XCTAssertEqual(solver.options.backgroundCoefficients, 0)
        XCTAssertTrue(solver.settingsNotes.contains { $0.hasPrefix("background: ") })
    }

    /// On the shared libraries: Bi-Cu-V's patterns come background-subtracted (baseline share
    /// 0.2 %), so it fits none; Al-Li-Fe and Ta-Rh-Pd keep the fitted background.
    func testSharedLibrariesBackgroundDecision() throws {
        for (name, fitted) in [("bi-cu-v", false), ("al-li-fe", true), ("ta-rh-pd", true)] {
            guard let dir = SharedData.dataset(name) else { throw XCTSkip("../shared/datasets/\(name) absent") }
            let lib = try LibraryLoader.load(directory: dir.path)
            let problem = try PreparedProblem(library: lib, options: SolverOptions())
            let b = try XCTUnwrap(problem.baseline, name)
            let o = DataDefaults.resolve(SolverOptions(), for: problem).options
            XCTAssertEqual(o.backgroundCoefficients > 0, fitted, "\(name): baseline share \(b.share)")
            if fitted {
                XCTAssertGreaterThan(b.share, 2 * BaselineEstimate.noBackgroundShare, name)
            } else {
                XCTAssertLessThan(b.share, BaselineEstimate.noBackgroundShare / 2, name)
            }
        }
    }
}
