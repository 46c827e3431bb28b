import XCTest
import DRNetCore
import TestSupport

/// A short run on the real Al-Li-Fe library (skipped without ../shared): the whole pipeline —
/// loading, screening, training, refine, fine-tune, export — end to end. The full-length solve
/// and its accuracy figures are measured by `scripts/run-default.sh` (release build).
final class AlLiFeSolveTests: XCTestCase {
    func testShortSolveRunsEndToEndAndObeysTheRules() throws {
        guard let alf = SharedData.dataset("al-li-fe") else { throw XCTSkip("../shared/datasets/al-li-fe absent: Al-Li-Fe run skipped") }
        let lib = try LibraryLoader.load(directory: alf.path, sampleMaskPath: alf.appendingPathComponent("npy/sample_indicator.npy").path)
        var o = SolverOptions()
        o.hiddenLayers = [128, 64]
        o.maxSteps = 60
        o.pretrainSteps = 20
        o.rampUnit = 2
        // Whole-library steps: each renders all 231 samples (2 of them ≈ the 46 walk steps of a
        // minibatch polish), kept few for a debug build.
        o.fineTuneSteps = 2
        o.polishSteps = 2
        let problem = try PreparedProblem(library: lib, options: o)
        let solver = try DRNetSolver(problem: problem, options: o, seed: 1)
        let s = solver.solve()
        XCTAssertEqual(s.sampleCount, 231)
        XCTAssertEqual(s.phaseCount, 159)
        XCTAssertEqual(s.trainingSteps, 60)
        XCTAssertEqual(s.polishSteps, 2)
        XCTAssertGreaterThanOrEqual(s.fineTuneSteps, 2, "first fine-tune round, then shorter rounds while the mask shrinks")
        // Screening keeps every true phase.
        for k in [22, 126, 72, 135, 137, 154] { XCTAssertEqual(solver.candidateSwitch[k], 1, "true phase \(k) pruned") }
        for i in 0..<s.sampleCount {
            let row = Array(s.fractions(of: i))
            XCTAssertEqual(Double(row.reduce(0, +)), 1, accuracy: 1e-4, "sample \(i) fractions sum")
            let present = (0..<159).filter { row[$0] > 0 }
            XCTAssertLessThanOrEqual(present.count, s.degreesOfFreedom[i], "Gibbs rule at sample \(i)")
            for k in present { XCTAssertEqual(problem.mask[i * 159 + k], 1, "phase \(k) outside the mask at sample \(i)") }
        }
        XCTAssertTrue(s.reconstructionError.allSatisfy { $0.isFinite && $0 >= 0 })
        XCTAssertFalse(s.lossHistory.isEmpty)
    }
}
