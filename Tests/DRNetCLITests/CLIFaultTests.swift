import DRNetCore
import Foundation
import XCTest

/// Issue 14 against the built `drnet`: a full disk, reused output folders, interrupts (a second
/// Ctrl-C, SIGKILL at random moments), damaged and poisoned checkpoints, settings that would
/// overflow, candidates that cannot explain the data, sizes beyond the machine, and messages.
final class CLIFaultTests: CLITestCase {
    /// A run long enough to be interrupted: training never tests convergence and checkpoints are
    /// frequent; small enough for seconds in a debug build.
    static let longSettings =
        #"{"hiddenLayers":[16],"maxSteps":100000,"pretrainSteps":20,"rampUnit":2,"polishSteps":10,"fineTuneSteps":10,"walkPoolSize":20,"convergenceWindow":1000000}"#
    /// A complete run of a few seconds with many checkpoints on the way (the kill test).
    static let killSettings =
        #"{"hiddenLayers":[16],"maxSteps":200,"pretrainSteps":20,"rampUnit":2,"polishSteps":50,"fineTuneSteps":50,"walkPoolSize":20,"convergenceWindow":1000000}"#

    func settings(_ text: String, in folder: TemporaryFolder, name: String = "settings.json") throws -> String {
        let path = folder.path(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func solveArguments(_ library: String, out: String, config: String, extra: [String] = []) -> [String] {
        ["solve", library, "--config", config, "--out", out, "--quiet", "--device", "cpu"] + extra
    }

    /// Waits until `path` exists (at most `timeout` seconds).
    func wait(for path: String, timeout: TimeInterval = 60) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if FileManager.default.fileExists(atPath: path) { return true }
            usleep(20_000)
        }
        return false
    }

    /// An interrupted run with a checkpoint in `out` (SIGINT once the first checkpoint is there).
    func interruptedRun(_ lib: CLILibrary, out: String, in folder: TemporaryFolder) throws {
        let config = try settings(Self.longSettings, in: folder, name: "long.json")
        let p = try CLI.start(
            solveArguments(lib.library, out: out, config: config, extra: ["--no-plots", "--checkpoint-every", "0.002"]), in: folder.url,
            stderrFile: folder.path("interrupted.err"))
        XCTAssertTrue(wait(for: out + "/checkpoint.drnet"), "no checkpoint appeared")
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 130)
    }

    /// Waits until the file at `path` contains `text` (at most `timeout` seconds).
    func wait(forText text: String, in path: String, timeout: TimeInterval = 60) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let s = try? String(contentsOfFile: path, encoding: .utf8), s.contains(text) { return true }
            usleep(20_000)
        }
        return false
    }

    func contents(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    func entries(_ folder: String) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted() }

    // MARK: 1. a full disk

    /// Before: the solution.txt writer's FileHandle.write trapped (SIGILL) and left a folder mixing
    /// two runs. Now: exit 74, the file and the cause named, the previous solution untouched.
    func testAWriteErrorIsAClearErrorAndKeepsThePreviousSolution() throws {
        let lib = try library()
        let folder = try temporaryFolder()
        let out = folder.path("out")
        let first = try drnet(solveArguments(lib.library, out: out, config: lib.shortConfig, extra: ["--no-plots"]), in: folder.url)
        assertStatus(first, 0)
        let before = SolutionCommitSnapshot(folder: out)
        // ulimit -f 16: no file may grow past 16 KiB (write fails with EFBIG, like a full disk).
        let second = try drnet(
            solveArguments(lib.library, out: out, config: lib.shortConfig, extra: ["--no-plots", "--overwrite", "--seed", "2"]),
            in: folder.url, fileSizeLimit: 16)
        assertStatus(second, 74)
        assertContains(second.stderr, ["error: \(out)/", "could not write: File too large"], of: second)
        XCTAssertEqual(SolutionCommitSnapshot(folder: out), before, "the previous solution changed")
        XCTAssertEqual(entries(out), ["fractions.csv", "shifts.csv", "solution.json", "solution.txt"])
    }

    // MARK: 5. reusing --out

    func testReusingOutNeedsOverwriteAndReplacesTheWholeSolution() throws {
        let lib = try library()
        let folder = try temporaryFolder()
        let out = folder.path("out")
        assertStatus(try drnet(solveArguments(lib.library, out: out, config: lib.shortConfig), in: folder.url), 0)
        XCTAssertTrue(entries(out).contains("plots"))
        let before = SolutionCommitSnapshot(folder: out)
        let refused = try drnet(solveArguments(lib.library, out: out, config: lib.shortConfig, extra: ["--seed", "2"]), in: folder.url)
        assertStatus(refused, 2)
        assertContains(refused.stderr, ["error: \(out) already holds a solution", "pass --overwrite"], of: refused)
        XCTAssertEqual(SolutionCommitSnapshot(folder: out), before)
        // --overwrite --no-plots: the new solution replaces the old one, pictures included.
        let replaced = try drnet(
            solveArguments(lib.library, out: out, config: lib.shortConfig, extra: ["--seed", "2", "--overwrite", "--no-plots"]),
            in: folder.url)
        assertStatus(replaced, 0)
        XCTAssertEqual(entries(out), ["fractions.csv", "shifts.csv", "solution.json", "solution.txt"], "the old run's plots/ stayed")
        XCTAssertFalse(replaced.stdout.contains("plots/"), "the summary lists plots/ under --no-plots: \(replaced)")
        XCTAssertTrue(try String(contentsOfFile: out + "/solution.json", encoding: .utf8).contains("\"seed\" : 2"))
    }

    func testResumeOfAFinishedRunSaysSo() throws {
        let lib = try library()
        let folder = try temporaryFolder()
        let out = folder.path("out")
        assertStatus(try drnet(solveArguments(lib.library, out: out, config: lib.shortConfig, extra: ["--no-plots"]), in: folder.url), 0)
        let resumed = try drnet(["solve", "--resume", out, "--quiet", "--device", "cpu"], in: folder.url)
        assertStatus(resumed, 2)
        assertContains(resumed.stderr, ["a finished run", "nothing to resume"], of: resumed)
    }

    // MARK: 2, 7. checkpoints

    func testAFlippedBitInTheCheckpointIsRefusedAndAnIntactOneResumes() throws {
        let lib = try library()
        let folder = try temporaryFolder()
        let out = folder.path("out")
        try interruptedRun(lib, out: out, in: folder)
        let path = out + "/checkpoint.drnet"
        let intact = try XCTUnwrap(contents(path))
        var bytes = [UInt8](intact)
        bytes[bytes.count / 2] ^= 0x04
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let damaged = try drnet(["solve", "--resume", out, "--quiet", "--device", "cpu", "--max-steps", "1"], in: folder.url)
        assertStatus(damaged, 64)  // --max-steps is not allowed with --resume: checked first
        let refused = try drnet(["solve", "--resume", out, "--quiet", "--device", "cpu"], in: folder.url)
        assertStatus(refused, 2)
        assertContains(refused.stderr, ["checkpoint.drnet, checksum", "the file is damaged"], of: refused)
        // The intact checkpoint, left only as a complete .partial (a kill of an older drnet between
        // its remove and rename): --resume finds it, verifies it and continues.
        try FileManager.default.removeItem(atPath: path)
        try intact.write(to: URL(fileURLWithPath: path + ".partial"))
        let p = try CLI.start(
            ["solve", "--resume", out, "--device", "cpu", "--no-plots"], in: folder.url, stderrFile: folder.path("resume.err"))
        // SIGINT once the run is under way (before its handler is installed it would just kill it).
        XCTAssertTrue(wait(forText: "resuming", in: folder.path("resume.err")), "the partial checkpoint was not taken over")
        XCTAssertTrue(FileManager.default.fileExists(atPath: path))
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        let err = (try? String(contentsOfFile: folder.path("resume.err"), encoding: .utf8)) ?? ""
        XCTAssertEqual(p.terminationStatus, 130, err)
        XCTAssertTrue(err.contains("checksum verified"), err)
    }

    /// A library that moved after the run began is given with --resume (before: refused as
    /// "no <library-dir> with --resume"); the checkpoint's fingerprint checks it is the same data.
    func testResumeWithAMovedLibrary() throws {
        let lib = try library()
        let folder = try temporaryFolder()
        let moved = folder.path("moved-library")
        try FileManager.default.copyItem(atPath: lib.library, toPath: folder.path("library"))
        let out = folder.path("out")
        let config = try settings(Self.longSettings, in: folder, name: "long.json")
        let p = try CLI.start(
            solveArguments(folder.path("library"), out: out, config: config, extra: ["--no-plots", "--checkpoint-every", "0.002"]),
            in: folder.url, stderrFile: folder.path("first.err"))
        XCTAssertTrue(wait(for: out + "/checkpoint.drnet"))
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        try FileManager.default.moveItem(atPath: folder.path("library"), toPath: moved)
        let lost = try drnet(["solve", "--resume", out, "--quiet", "--device", "cpu", "--no-plots"], in: folder.url)
        assertStatus(lost, 2)
        assertContains(lost.stderr, ["library"], of: lost)
        let again = try CLI.start(
            ["solve", "--resume", out, moved, "--device", "cpu", "--no-plots"], in: folder.url, stderrFile: folder.path("again.err"))
        let resumed = wait(forText: "resuming", in: folder.path("again.err"))
        kill(again.processIdentifier, SIGINT)
        again.waitUntilExit()
        XCTAssertTrue(resumed, (try? String(contentsOfFile: folder.path("again.err"), encoding: .utf8)) ?? "")
        XCTAssertEqual(again.terminationStatus, 130)
    }

    /// A NaN in the parameters (what an overflowing loss leaves): exit 4 naming the term and the
    /// step, no solution written (the interrupted one stays), the last checkpoint kept.
    func testADivergedRunExitsFourWritesNoSolutionAndKeepsTheCheckpoint() throws {
        let lib = try library()
        let folder = try temporaryFolder()
        let out = folder.path("out")
        try interruptedRun(lib, out: out, in: folder)
        let path = out + "/checkpoint.drnet"
        var bytes = [UInt8](try XCTUnwrap(contents(path)))
        // The first parameter (after magic, version, metadata length and metadata) := NaN, and
        // the checksum recomputed, as if the run itself had produced it.
        let length = (0..<8).reduce(0) { $0 | Int(bytes[12 + $1]) << (8 * $1) }
        let at = 20 + length
        for (i, b) in [0x00, 0x00, 0xC0, 0x7F].enumerated() { bytes[at + i] = UInt8(b) }
        let crc = CRC32.checksum(bytes[0..<(bytes.count - 4)])
        for i in 0..<4 { bytes[bytes.count - 4 + i] = UInt8((crc >> (8 * UInt32(i))) & 0xFF) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let solutionBefore = contents(out + "/solution.json")
        let result = try drnet(["solve", "--resume", out, "--quiet", "--device", "cpu", "--no-plots"], in: folder.url)
        assertStatus(result, 4)
        assertContains(
            result.stderr, ["error: the run diverged: the reconstruction term is nan at step", "no solution was written"], of: result)
        XCTAssertEqual(contents(out + "/solution.json"), solutionBefore, "a diverged run wrote a solution")
        XCTAssertEqual(contents(path).map([UInt8].init), bytes, "the checkpoint was not kept as it was")
    }

    /// Settings that pass the types but overflow the loss are refused up front (before: NaN
    /// losses, an empty solution and exit 0).
    func testSettingsThatWouldOverflowAreRefused() throws {
        let lib = try library()
        let folder = try temporaryFolder()
        for (text, fragment) in [
            (#"{"klEpsilon": 1e-300}"#, "klEpsilon and epsilon must be in [1e-20, 0.1]"),
            (#"{"gibbsWeight": 1e308}"#, "gibbsWeight must be a weight in [0, 1000000.0]"),
            (#"{"hiddenLayers": [100000, 100000]}"#, "hiddenLayers must be at most 16 layers of at most 65536 units")
        ] {
            let config = try settings(text, in: folder)
            let out = folder.path("out")
            let result = try drnet(solveArguments(lib.library, out: out, config: config), in: folder.url)
            assertStatus(result, 2)
            assertContains(result.stderr, [fragment], of: result)
            assertAbsent(out, after: result)
        }
        // Within the limits but beyond the machine: refused with the estimate, before allocating.
        let config = try settings(#"{"hiddenLayers": [60000, 60000]}"#, in: folder)
        let out = folder.path("out")
        let big = try drnet(solveArguments(lib.library, out: out, config: config), in: folder.url)
        assertStatus(big, 2)
        assertContains(big.stderr, ["GiB of memory", "more than this machine's"], of: big)
        assertAbsent(out, after: big)
    }

    /// Before: sticks outside the grid gave exit 0 with up to 7 phases where d ≤ 3.
    func testCandidatesThatCannotExplainTheDataAreRefused() throws {
        let lib = try library()
        let folder = try temporaryFolder()
        let copy = folder.path("angstrom")
        try FileManager.default.copyItem(atPath: lib.library, toPath: copy)
        let sticks = copy + "/sticks.csv"
        let lines = try String(contentsOfFile: sticks, encoding: .utf8).split(separator: "\n").map(String.init)
        // q in Å⁻¹ instead of nm⁻¹: every position ten times too small.
        let header = lines[0].split(separator: ",").map(String.init)
        let qColumn = try XCTUnwrap(header.firstIndex(of: "q"))
        let moved =
            [lines[0]]
            + lines.dropFirst().map { line -> String in
                var f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                f[qColumn] = String(Double(f[qColumn])! / 10)
                return f.joined(separator: ",")
            }
        try Data((moved.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: sticks))
        let out = folder.path("out")
        let result = try drnet(solveArguments(copy, out: out, config: lib.shortConfig), in: folder.url)
        assertStatus(result, 2)
        assertContains(result.stderr, ["no candidate phase has a stick inside the Q grid", "1 Å⁻¹ = 10 nm⁻¹"], of: result)
        assertAbsent(out, after: result)
    }

    // MARK: 5. interrupts

    /// Before: a second Ctrl-C exited silently and could leave a partial fractions.csv beside an
    /// older solution.json. Now it says what it left, and the folder is consistent.
    func testASecondInterruptExitsAtOnceAndLeavesAConsistentFolder() throws {
        let lib = try library()
        let folder = try temporaryFolder()
        let out = folder.path("out")
        let config = try settings(Self.longSettings, in: folder, name: "long.json")
        let errFile = folder.path("second.err")
        let p = try CLI.start(
            solveArguments(lib.library, out: out, config: config, extra: ["--checkpoint-every", "0.002"]), in: folder.url,
            stderrFile: errFile)
        XCTAssertTrue(wait(for: out + "/checkpoint.drnet"))
        kill(p.processIdentifier, SIGINT)
        usleep(2000)
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 130)
        let err = (try? String(contentsOfFile: errFile, encoding: .utf8)) ?? ""
        if err.contains("second interrupt") {
            XCTAssertTrue(err.contains("keeps its last complete state"), err)
        }
        // Whatever the timing: no partial file, no staging, and a checkpoint that resumes.
        XCTAssertFalse(entries(out).contains { $0.hasSuffix(".partial") || $0.hasPrefix(".drnet") }, "\(entries(out))")
        if entries(out).contains("solution.json") {
            for name in ["fractions.csv", "shifts.csv", "solution.txt"] { XCTAssertTrue(entries(out).contains(name), "\(entries(out))") }
        }
        // The checkpoint left resumes (the run is long: stopped again once it is under way).
        let again = try CLI.start(
            ["solve", "--resume", out, "--device", "cpu", "--no-plots"], in: folder.url, stderrFile: folder.path("again.err"))
        let resumedLine = wait(forText: "resuming", in: folder.path("again.err"))
        kill(again.processIdentifier, SIGINT)
        again.waitUntilExit()
        XCTAssertTrue(resumedLine, (try? String(contentsOfFile: folder.path("again.err"), encoding: .utf8)) ?? "")
        XCTAssertEqual(again.terminationStatus, 130)
    }

    /// SIGKILL at many moments of a small solve with frequent checkpoints: every kill leaves a
    /// complete state (a checkpoint that resumes, or the finished solution), and every resumed
    /// chain ends with the uninterrupted run's fractions, byte for byte.
    func testKilledAtRandomMomentsEveryResumeEndsIdentical() throws {
        let lib = try library()
        let folder = try temporaryFolder()
        let config = try settings(Self.killSettings, in: folder, name: "kill.json")
        let reference = folder.path("reference")
        let ref = try drnet(solveArguments(lib.library, out: reference, config: config, extra: ["--no-plots"]), in: folder.url)
        assertStatus(ref, 0)
        let want = try XCTUnwrap(contents(reference + "/fractions.csv"))
        let start0 = Date()
        _ = try drnet(
            solveArguments(lib.library, out: folder.path("timing"), config: config, extra: ["--no-plots"]), in: folder.url)
        let runSeconds = max(Date().timeIntervalSince(start0), 0.5)
        var generator = SplitMix(seed: 14)
        // CI runs 3 chains of kills; DRNET_LONG_TESTS=1 runs 12.
        let trials = ProcessInfo.processInfo.environment["DRNET_LONG_TESTS"] == "1" ? 12 : 3
        for trial in 0..<trials {
            let out = folder.path("kill-\(trial)")
            var args = solveArguments(lib.library, out: out, config: config, extra: ["--no-plots", "--checkpoint-every", "0.001"])
            var kills = 0
            while true {
                let p = try CLI.start(args, in: folder.url, stderrFile: folder.path("kill-\(trial)-\(kills).err"))
                let delay = (0.1 + 0.8 * generator.unit()) * runSeconds
                usleep(UInt32(delay * 1e6))
                let wasRunning = p.isRunning
                if wasRunning { kill(p.processIdentifier, SIGKILL) }
                p.waitUntilExit()
                if !wasRunning || p.terminationReason == .exit {
                    XCTAssertEqual(p.terminationStatus, 0, "trial \(trial): a run ended with status \(p.terminationStatus)")
                    break
                }
                kills += 1
                let names = entries(out)
                XCTAssertFalse(names.contains(SolutionCommitSnapshot.journal) && !names.contains(SolutionCommitSnapshot.staging))
                if names.contains("checkpoint.drnet") || names.contains("checkpoint.drnet.partial") {
                    args = ["solve", "--resume", out, "--quiet", "--device", "cpu", "--no-plots", "--checkpoint-every", "0.001"]
                } else if names.contains("solution.json") {
                    break  // killed after the export and the checkpoint's removal: finished
                } else {
                    args = solveArguments(
                        lib.library, out: out, config: config, extra: ["--no-plots", "--checkpoint-every", "0.001", "--overwrite"])
                }
                XCTAssertLessThan(kills, 30, "trial \(trial): too many kills")
                if kills >= 30 { break }
            }
            // A command reading the folder finishes a replacement a kill interrupted.
            let check = try drnet(["check", out], in: folder.url)
            XCTAssertNotEqual(check.status, 2, "trial \(trial): \(check)")
            XCTAssertEqual(
                contents(out + "/fractions.csv"), want, "trial \(trial) (\(kills) kills): fractions differ from the uninterrupted run")
        }
    }

    // MARK: 15. messages

    func testVersionAndTheErrorPrefix() throws {
        let folder = try temporaryFolder()
        let version = try drnet(["--version"], in: folder.url)
        assertStatus(version, 0)
        XCTAssertEqual(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "0.1.0")
        let unknown = try drnet(["solve", "--bogus"], in: folder.url)
        assertStatus(unknown, 64)
        XCTAssertTrue(unknown.stderr.hasPrefix("error: Unknown option '--bogus'"), "\(unknown)")
    }

    func testDeviceMessagesNameTheEnvironmentVariables() throws {
        let lib = try library()
        let folder = try temporaryFolder()
        let out = folder.path("out")
        let fromEnvironment = try drnet(
            ["solve", lib.library, "--config", lib.shortConfig, "--out", out, "--quiet"], in: folder.url,
            environment: ["DRNET_DEVICE": "opencl:9.9"])
        assertStatus(fromEnvironment, 3)
        XCTAssertTrue(fromEnvironment.stderr.hasPrefix("error: DRNET_DEVICE=opencl:9.9: "), "\(fromEnvironment)")
        let vendors = try drnet(
            ["solve", lib.library, "--config", lib.shortConfig, "--out", out, "--quiet", "--device", "opencl"], in: folder.url,
            environment: ["OCL_ICD_VENDORS": folder.path("no-vendors")])
        assertStatus(vendors, 3)
        assertContains(vendors.stderr, ["OCL_ICD_VENDORS=\(folder.path("no-vendors"))"], of: vendors)
        assertAbsent(out, after: vendors)
    }
}

/// The solution entries of a folder with their bytes (plots/ as a listing).
struct SolutionCommitSnapshot: Equatable {
    static let journal = ".drnet-commit"
    static let staging = ".drnet-staging"
    var files: [String: Data] = [:]

    init(folder: String) {
        for name in ["fractions.csv", "shifts.csv", "solution.json", "solution.txt"] {
            files[name] = FileManager.default.contents(atPath: folder + "/" + name)
        }
        let plots = ((try? FileManager.default.contentsOfDirectory(atPath: folder + "/plots")) ?? []).sorted()
        files["plots/"] = Data(plots.joined(separator: "\n").utf8)
    }
}

/// A small deterministic generator for the kill moments.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
