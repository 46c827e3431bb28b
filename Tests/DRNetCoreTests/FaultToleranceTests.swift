import XCTest
@testable import DRNetAnalysis
@testable import DRNetCore
@testable import DRNetEngine
@testable import DRNetIO
import TestSupport

/// Issue 14, the library side: atomic files, the checkpoint's checksum, a solution replaced as a
/// whole (and finished after a kill), divergence detected as it happens, candidates that cannot
/// explain the data refused before the run, rules the refine step enforces checked before
/// export, settings validated to meaningful ranges and a memory estimate before allocating.
final class FaultToleranceTests: XCTestCase {
    let syn = SyntheticSolveSetups.tiny().0
    var options: SolverOptions { SyntheticSolveSetups.tiny().1 }

    func folder() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("drnet-fault-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    func solver(_ options: SolverOptions? = nil, library: CompositionLibrary? = nil) throws -> DRNetSolver {
        let o = options ?? self.options
        return try DRNetSolver(problem: PreparedProblem(library: library ?? syn.library, options: o), options: o, seed: 5)
    }

    // MARK: AtomicFile

    func testAtomicWriteReplacesTheFileAndLeavesNoPartial() throws {
        let dir = try folder()
        let path = dir + "/a.txt"
        try AtomicFile.write("old", to: path)
        try AtomicFile.write("new", to: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "new")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["a.txt"])
    }

    /// Before issue 14 the old file was removed before the rename: a kill in between left only
    /// `<f>.partial`. Now a writer that never commits leaves the old file and no partial.
    func testAnUncommittedWriterLeavesThePreviousFile() throws {
        let dir = try folder()
        let path = dir + "/b.txt"
        try AtomicFile.write("complete", to: path)
        do {
            let w = try AtomicFile.Writer(path: path)
            try w.append("half")
            XCTAssertTrue(FileManager.default.fileExists(atPath: path + ".partial"))
            XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "complete", "the old file is there while writing")
        }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "complete")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".partial"))
    }

    func testAWriteThatCannotBeMadeIsAnOutputErrorNamingTheFile() throws {
        let dir = try folder()
        let path = dir + "/no-such-folder/c.txt"
        XCTAssertThrowsError(try AtomicFile.write("x", to: path)) { error in
            let e = error as? OutputError
            XCTAssertEqual(e?.file, path)
            XCTAssertEqual(e?.cause, "No such file or directory")
        }
    }

    func testStalePartialsAreRemoved() throws {
        let dir = try folder()
        for name in ["fractions.csv.partial", "checkpoint.drnet.partial", "fractions.csv"] {
            try Data("x".utf8).write(to: URL(fileURLWithPath: dir + "/" + name))
        }
        XCTAssertEqual(AtomicFile.removeStalePartials(in: dir, only: SolutionCommit.entries), ["fractions.csv.partial"])
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), ["checkpoint.drnet.partial", "fractions.csv"])
    }

    // MARK: checkpoint checksum

    func testCRC32OfTheStandardCheckString() {
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(CRC32.checksum([UInt8]()), 0)
    }

    func testAFlippedBitInACheckpointIsAnError() throws {
        let first = try solver()
        first.shouldStop = { first.step >= 10 }
        var saved: SolverCheckpoint?
        first.onCheckpoint = { saved = $0 }
        _ = first.solve()
        let c = try XCTUnwrap(saved)
        let dir = try folder()
        let path = dir + "/checkpoint.drnet"
        try c.write(to: path)
        XCTAssertEqual(try SolverCheckpoint.read(path: path).parameters, c.parameters)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        // One bit in the middle of the parameters (before issue 14 this resumed silently).
        bytes[bytes.count - 4 * c.parameters.count] ^= 0x10
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try SolverCheckpoint.read(path: path)) { error in
            let e = error as? InputError
            XCTAssertEqual(e?.location, "checksum")
            XCTAssertTrue(e?.found.contains("the file is damaged") ?? false, "\(error)")
        }
    }

    func testAVersion1CheckpointWithoutChecksumStillReads() throws {
        let first = try solver()
        first.shouldStop = { first.step >= 5 }
        var saved: SolverCheckpoint?
        first.onCheckpoint = { saved = $0 }
        _ = first.solve()
        let c = try XCTUnwrap(saved)
        let dir = try folder()
        let path = dir + "/v1.drnet"
        try c.write(to: path)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes.removeLast(4)
        bytes[8] = 1  // version 1: the same layout without the trailing CRC-32
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try SolverCheckpoint.read(path: path).parameters, c.parameters)
    }

    // MARK: the solution folder as a whole

    func writeSolution(_ dir: String, plots: Bool) throws -> PhaseMapSolution {
        let s = try solver()
        let solution = s.solve()
        try SolutionFolder.write(solver: s, solution: solution, to: dir, plots: plots, png: false)
        return solution
    }

    func testANewSolutionReplacesTheOldOneAsAWholeAndDropsItsPlots() throws {
        let dir = try folder()
        _ = try writeSolution(dir, plots: true)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/plots"))
        try Data("other run".utf8).write(to: URL(fileURLWithPath: dir + "/plots/stale-picture.svg"))
        _ = try writeSolution(dir, plots: false)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        XCTAssertEqual(names, ["fractions.csv", "shifts.csv", "solution.json", "solution.txt"], "pictures of the previous run stayed")
    }

    /// A kill after the journal was written and two entries were moved: `recover` finishes the
    /// replacement (every entry from the new run, the old plots gone), and a reader sees one run.
    func testAHalfDoneReplacementIsFinishedByTheNextCommand() throws {
        let dir = try folder()
        _ = try writeSolution(dir, plots: true)
        let old = try String(contentsOfFile: dir + "/solution.json", encoding: .utf8)
        // The new solution in staging, as a killed commit leaves it.
        let staging = dir + "/" + SolutionCommit.stagingName
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        for name in ["fractions.csv", "shifts.csv", "solution.json", "solution.txt"] {
            try FileManager.default.copyItem(atPath: dir + "/" + name, toPath: staging + "/" + name)
        }
        let marker = "\"library\" : \"replaced\""
        let json = old.replacingOccurrences(of: "\"library\" : \"\(syn.library.name)\"", with: marker)
        XCTAssertNotEqual(json, old)
        try Data(json.utf8).write(to: URL(fileURLWithPath: staging + "/solution.json"))
        try AtomicFile.write("fractions.csv\nshifts.csv\nsolution.json\nsolution.txt\n", to: dir + "/" + SolutionCommit.journalName)
        // fractions.csv and shifts.csv were already moved in when the run was killed.
        try FileManager.default.removeItem(atPath: dir + "/fractions.csv")
        try FileManager.default.moveItem(atPath: staging + "/fractions.csv", toPath: dir + "/fractions.csv")
        try FileManager.default.removeItem(atPath: dir + "/shifts.csv")
        try FileManager.default.moveItem(atPath: staging + "/shifts.csv", toPath: dir + "/shifts.csv")

        try SolutionCommit.recover(dir)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: dir).sorted(),
            ["fractions.csv", "shifts.csv", "solution.json", "solution.txt"])
        XCTAssertTrue(try String(contentsOfFile: dir + "/solution.json", encoding: .utf8).contains(marker))
    }

    func testAStagingFolderWithoutJournalIsDiscardedAndTheSolutionKept() throws {
        let dir = try folder()
        _ = try writeSolution(dir, plots: false)
        let before = try Data(contentsOf: URL(fileURLWithPath: dir + "/fractions.csv"))
        let staging = dir + "/" + SolutionCommit.stagingName
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        try Data("half".utf8).write(to: URL(fileURLWithPath: staging + "/fractions.csv"))
        try SolutionCommit.recover(dir)
        XCTAssertFalse(FileManager.default.fileExists(atPath: staging))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "/fractions.csv")), before)
    }

    // MARK: divergence

    /// A NaN parameter (what an overflowing loss leaves behind): the run stops at the first step,
    /// names the term, hands out no checkpoint after it, and no solution can be written.
    func testANonFiniteLossStopsTheRunAndNothingIsWritten() throws {
        let first = try solver()
        first.shouldStop = { first.step >= 8 }
        var saved: SolverCheckpoint?
        first.onCheckpoint = { saved = $0 }
        _ = first.solve()
        var c = try XCTUnwrap(saved)
        c.parameters[0] = .nan
        let second = try solver()
        try second.restore(c)
        var checkpoints = 0
        second.onCheckpoint = { _ in checkpoints += 1 }
        second.checkpointDue = { true }
        let result = second.solve()
        XCTAssertEqual(result.stoppedBy, .diverged)
        let d = try XCTUnwrap(second.divergence)
        XCTAssertEqual(d.step, 9, "the 9th step (the first after the checkpoint at 8) produced it")
        XCTAssertEqual(d.stage, "train")
        XCTAssertEqual(d.term, "reconstruction")
        XCTAssertTrue(d.value.isNaN)
        XCTAssertEqual(second.step, 9, "the run went on after the non-finite loss")
        XCTAssertEqual(checkpoints, 1, "only the checkpoint due before the first step, none after the divergence")
        let dir = try folder()
        XCTAssertThrowsError(try SolutionFolder.write(solver: second, solution: result, to: dir + "/out")) { error in
            XCTAssertTrue(error is NoResultError, "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/out/solution.json"))
    }

    func testSettingsThatOverflowTheLossAreRefused() {
        for (key, value, fragment) in [
            ("klEpsilon", 1e-300, "klEpsilon and epsilon must be in [1e-20, 0.1]"),
            ("gibbsWeight", 1e308, "gibbsWeight must be a weight in [0, 1000000.0]"),
            ("shiftAmplify", 1e-30, "shiftAmplify in [1e-8, 1]")
        ] {
            var o = SolverOptions()
            switch key {
            case "klEpsilon": o.klEpsilon = value
            case "gibbsWeight": o.gibbsWeight = value
            default: o.shiftAmplify = value
            }
            XCTAssertThrowsError(try o.validate(), key) { error in
                XCTAssertTrue("\(error)".contains(fragment), "\(key): \(error)")
            }
        }
    }

    // MARK: what the candidates cannot explain

    func library(movingSticksBy factor: Float, only phases: Set<Int>? = nil) -> CompositionLibrary {
        var lib = syn.library
        for k in lib.phases.indices where phases?.contains(k) ?? true { lib.phases[k].q = lib.phases[k].q.map { $0 * factor } }
        return lib
    }

    func testNoStickInsideTheGridIsRefusedBeforeTheRun() {
        // Sticks in Å⁻¹ for a grid in nm⁻¹: all ten times too small.
        XCTAssertThrowsError(try PreparedProblem(library: library(movingSticksBy: 0.1), options: options)) { error in
            XCTAssertTrue("\(error)".contains("no candidate phase has a stick inside the Q grid"), "\(error)")
            XCTAssertTrue("\(error)".contains("1 Å⁻¹ = 10 nm⁻¹"), "\(error)")
        }
    }

    func testCandidatesWithoutASitckInTheGridAreLeftOutWithAWarning() throws {
        let problem = try PreparedProblem(library: library(movingSticksBy: 10, only: [0]), options: options)
        XCTAssertEqual(problem.warnings.count, 1)
        XCTAssertTrue(problem.warnings[0].contains(syn.library.phases[0].name), problem.warnings[0])
        XCTAssertTrue((0..<problem.sampleCount).allSatisfy { problem.mask[$0 * problem.phaseCount] == 0 })
    }

    func testPeaksNarrowerThanTheGridAreRefused() {
        var o = options
        o.logVarianceCentre = -30
        o.logVarianceRange = 1
        XCTAssertThrowsError(try PreparedProblem(library: syn.library, options: o)) { error in
            XCTAssertTrue("\(error)".contains("narrower than half the Q grid's step"), "\(error)")
        }
    }

    func testAPoorReconstructionIsRecordedAsAWarning() throws {
        var o = options
        o.maxSteps = 2
        o.pretrainSteps = 1
        o.polishSteps = 0
        o.fineTuneSteps = 0
        let s = try solver(o)
        let solution = s.solve()
        let share = solution.reconstructionErrorShare.reduce(0, +) / Double(solution.sampleCount)
        let warned = (solution.warnings ?? []).contains { $0.contains("explains little of the data") }
        XCTAssertEqual(warned, share > SolveLoop.poorReconstructionShare, "share \(share), warnings \(solution.warnings ?? [])")
    }

    // MARK: the time left

    /// Before issue 14 the estimate covered only the current stage: "≤0s left" at the end of
    /// training with polish and fine-tune still to run.
    func testTheTimeLeftAtTheEndOfTrainingCountsTheLaterStages() throws {
        var o = options
        o.polishSteps = 30
        o.fineTuneSteps = 30
        let s = try solver(o)
        s.progressInterval = 0
        var last: TrainingProgress?
        s.progress = { p in if p.stage == "train" { last = p } }
        _ = s.solve()
        let p = try XCTUnwrap(last)
        XCTAssertEqual(p.step, p.stepCap, "the last training record is at the cap")
        XCTAssertGreaterThan(p.etaSeconds, 0, "polish and fine-tune are still to run")
    }

    // MARK: rules the refine step enforces

    func testASolutionBreakingTheRefinedMaskOrTheGibbsLimitIsFound() throws {
        var solution = try solver().solve()
        XCTAssertEqual(solution.refineRuleViolations(), [])
        let p = solution.phaseCount
        let k = try XCTUnwrap((0..<p).first { solution.refinedMask[$0] == 0 })
        solution.fractions[k] = 0.1
        XCTAssertEqual(solution.refineRuleViolations().count, 1)
        XCTAssertTrue(solution.refineRuleViolations()[0].hasPrefix("sample 0:"), "\(solution.refineRuleViolations())")
    }

    // MARK: sizes

    func testAModelLargerThanTheMachineIsRefusedWithTheEstimate() throws {
        var o = options
        o.hiddenLayers = [60000, 60000]
        let problem = try PreparedProblem(library: syn.library, options: o)
        XCTAssertGreaterThan(DRNetSolver.estimatedMemory(problem: problem, options: o), 1e11)
        XCTAssertThrowsError(try DRNetSolver(problem: problem, options: o, seed: 1)) { error in
            XCTAssertTrue("\(error)".contains("GiB of memory"), "\(error)")
            XCTAssertTrue("\(error)".contains("more than this machine's"), "\(error)")
        }
    }

    // MARK: JSON settings

    func config(_ text: String) throws -> String {
        let path = try folder() + "/config.json"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func testConfigErrorsNameTheKeyOrThePlace() throws {
        for (text, location, found) in [
            (#"{"maxSteps": 50.5}"#, "key maxSteps", "the number 50.5"),
            ("{\n  \"maxSteps\": 10,\n  \"maxSteps\": 20\n}", "line 3, key maxSteps", "given twice"),
            ("{\n  \"maxSteps\": 10,\n  \"learningRate\": 1e-4,,\n}", "line 3, column", "valid JSON"),
            (#"{"elementRule": "yes"}"#, "key elementRule", "the string \"yes\"")
        ] {
            let path = try config(text)
            XCTAssertThrowsError(try SolverOptions.load(path: path), text) { error in
                let e = error as? InputError
                XCTAssertTrue(e?.location.hasPrefix(location) ?? false, "\(text): \(error)")
                XCTAssertTrue(((e?.found ?? "") + (e?.expected ?? "")).contains(found), "\(text): \(error)")
            }
        }
    }
}
