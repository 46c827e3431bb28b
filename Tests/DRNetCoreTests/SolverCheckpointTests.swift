import XCTest
@testable import DRNetAnalysis
@testable import DRNetCore
@testable import DRNetCrystal
@testable import DRNetEngine
@testable import DRNetIO
@testable import DRNetPlotting
@testable import DRNetSynthetic
import TestSupport

/// Interrupt-and-resume gives the same result as an uninterrupted run with the same seed: a
/// checkpoint taken at a step boundary of each stage (training, polish, fine-tune), written
/// to disk, read back and restored into a fresh solver, ends in byte-identical fractions,
/// shifts and loss history, on every backend (the OpenCL store is copied out of and back into
/// device memory).
final class SolverCheckpointTests: XCTestCase {
    let syn = SyntheticSolveSetups.tiny().0
    var options: SolverOptions { SyntheticSolveSetups.tiny().1 }

    func solver(_ backend: TestBackends.Available? = nil) throws -> DRNetSolver {
        try DRNetSolver(
            problem: PreparedProblem(library: syn.library, options: options), options: options, seed: 5,
            backend: backend?.make)
    }

    func testResumeFromEachStageEqualsUninterruptedRun() throws {
        for backend in TestBackends.all() { try resumeEqualsUninterrupted(backend) }
    }

    func resumeEqualsUninterrupted(_ backend: TestBackends.Available) throws {
        let solver = { try self.solver(backend) }
        let reference = try solver().solve()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("drnet-ckpt-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Steps 0–120 train, 120–150 polish, 150–180 fine-tune round 0, then shorter rounds.
        for stopAt in [60, 135, 165] {
            let first = try solver()
            var saved: SolverCheckpoint?
            first.shouldStop = { first.step >= stopAt }
            first.onCheckpoint = { saved = $0 }
            let interrupted = first.solve()
            XCTAssertEqual(interrupted.stoppedBy, .interrupted)
            let c = try XCTUnwrap(saved, "no checkpoint at step \(stopAt)")
            XCTAssertEqual(c.metadata.step, stopAt)
            let path = dir + "/ckpt-\(stopAt).drnet"
            try c.write(to: path)
            let back = try SolverCheckpoint.read(path: path)
            XCTAssertEqual(back.metadata, c.metadata)
            XCTAssertEqual(back.parameters, c.parameters)

            let second = try solver()
            try second.restore(back)
            let resumed = second.solve()
            XCTAssertEqual(
                resumed.fractions, reference.fractions, "\(backend.name): fractions after resuming at \(stopAt) (\(c.metadata.run.stage))")
            XCTAssertEqual(resumed.shifts, reference.shifts, "shifts after resuming at \(stopAt)")
            XCTAssertEqual(resumed.lossHistory, reference.lossHistory, "loss history after resuming at \(stopAt)")
            XCTAssertEqual(resumed.refinedMask, reference.refinedMask)
            XCTAssertEqual(resumed.trainingSteps, reference.trainingSteps)
            XCTAssertEqual(resumed.fineTuneSteps, reference.fineTuneSteps)
            XCTAssertEqual(resumed.stoppedBy, reference.stoppedBy)
        }
    }

    func testRestoreRefusesAnotherSeedAndDamagedFiles() throws {
        let first = try solver()
        first.shouldStop = { first.step >= 10 }
        var saved: SolverCheckpoint?
        first.onCheckpoint = { saved = $0 }
        _ = first.solve()
        let c = try XCTUnwrap(saved)
        let other = try DRNetSolver(problem: PreparedProblem(library: syn.library, options: options), options: options, seed: 6)
        XCTAssertThrowsError(try other.restore(c))

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("drnet-ckpt-bad-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try c.write(to: path)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes.removeLast(8)
        try bytes.write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try SolverCheckpoint.read(path: path)) { error in
            XCTAssertTrue("\(error)".contains("truncated"), "\(error)")
        }
        try Data("not a checkpoint".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try SolverCheckpoint.read(path: path))
    }
}
