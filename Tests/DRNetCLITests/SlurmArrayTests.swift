import Foundation
import XCTest

/// Issue 13's cluster path, for real: `scripts/slurm/single-node-test.sh` starts munged,
/// slurmctld and slurmd on this machine, runs `scripts/slurm/drnet-array.sbatch` as an array of
/// three tiny solves, then interrupts a fourth with SIGTERM (as a time limit does), which must
/// checkpoint, requeue and resume; each result comes back through `drnet summary --json`.
/// Skipped, saying why, where the daemons cannot run (not root, Slurm or munge not installed).
final class SlurmArrayTests: XCTestCase {
    func testArrayOfThreeSolvesAndARequeuedOneAreSummarised() throws {
        let exe = try CLI.requireExecutable()
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = root.appendingPathComponent("scripts/slurm/single-node-test.sh").path
        let work = try TemporaryFolder("slurm")
        defer { work.remove() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script, exe.path, work.path("cluster")]
        let out = work.path("stdout"), err = work.path("stderr")
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        _ = FileManager.default.createFile(atPath: err, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        try process.run()
        process.waitUntilExit()
        let stdout = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
        if process.terminationStatus == 77 {
            throw XCTSkip(stderr.split(separator: "\n").last.map(String.init) ?? "single-node Slurm unavailable")
        }
        XCTAssertEqual(process.terminationStatus, 0, "single-node-test.sh failed:\n\(stderr)")
        let rows = stdout.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
        XCTAssertEqual(rows.count, 4, "three array tasks and the requeued one:\n\(stdout)\n\(stderr)")
        for (i, row) in rows.enumerated() {
            XCTAssertNil(row["error"], "\(row)")
            XCTAssertEqual(row["device"] as? String, "cpu")
            XCTAssertEqual(row["samples"] as? Int, 15, "divisions 4: 15 samples")
            XCTAssertEqual(row["gibbsViolations"] as? Int, 0, "\(row)")
            XCTAssertNotNil(row["exactPhaseSets"] as? Int, "the library's truth-fractions.csv is found: \(row)")
            XCTAssertGreaterThan((row["phasesUsed"] as? [String])?.count ?? 0, 0)
            XCTAssertTrue((row["library"] as? String ?? "").hasSuffix("wafer-\(i < 3 ? i + 1 : 1)"), "\(row)")
        }
        // The requeued run finished (not "interrupted") after resuming from its checkpoint.
        XCTAssertEqual(rows.last?["stoppedBy"] as? String, "step cap", "\(rows.last ?? [:])")
        XCTAssertTrue(stderr.contains("requeued"), stderr)
    }
}
