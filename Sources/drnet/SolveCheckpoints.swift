import DRNetCore
import Foundation

/// Checkpoints of `drnet solve`: `<out>/checkpoint.drnet`, written every `minutes` of wall time
/// and when SIGINT/SIGTERM asks the run to stop, and the `--resume DIR` side that reads one
/// back with what the CLI needs to rebuild the problem (library folder, mask and d_i files).
enum SolveCheckpoints {
    static let fileName = "checkpoint.drnet"

    /// Makes `solver` hand checkpoints to `<out>/checkpoint.drnet`; `context` records the
    /// library and flags so `--resume` needs nothing else.
    static func install(on solver: DRNetSolver, out: String, minutes: Double, context: [String: String], quiet: Bool) throws {
        try SolutionCommit.createFolder(out)
        let path = out + "/" + fileName
        let interval = minutes * 60
        let clock = ContinuousClock()
        var last = clock.now
        solver.checkpointContext = context
        solver.checkpointDue = {
            guard interval > 0 else { return false }
            return clock.now - last >= .seconds(interval)
        }
        solver.onCheckpoint = { c in
            last = clock.now
            do {
                try c.write(to: path)
                if !quiet { stderr("drnet: checkpoint at step \(c.metadata.step) (\(c.metadata.run.stage.rawValue)) written to \(path)") }
            } catch {
                stderr("drnet: warning: checkpoint not written to \(path): \(error)")
            }
        }
    }

    /// The checkpoint in `directory` and the library folder and flags it was made with.
    struct Resumed {
        var checkpoint: SolverCheckpoint
        var libraryDir: String
        var sampleMask: String?
        var degreesOfFreedom: String?
    }

    /// The checkpoint in `directory`. Where a run killed mid-write left only the partial file,
    /// it is used when it is complete (its checksum holds) and then takes the checkpoint's name.
    /// A folder whose run finished says so instead of "no such file".
    static func load(directory: String) throws -> Resumed {
        let fm = FileManager.default
        let path = directory + "/" + fileName, partial = path + ".partial"
        try SolutionCommit.recover(directory)
        if !fm.fileExists(atPath: path) {
            if fm.fileExists(atPath: partial), (try? SolverCheckpoint.read(path: partial)) != nil {
                if rename(partial, path) != 0 { throw OutputError.fromErrno(file: path, action: "take over the complete \(partial)") }
                stderr("drnet: \(path) was missing; the complete checkpoint \(fileName).partial (checksum verified) is used")
            } else if let s = try? SolutionFile.read(path: directory + "/solution.json"), s.stoppedBy.finished {
                throw InputError(
                    file: directory, expected: "an unfinished run to resume (a checkpoint.drnet)",
                    found: "a finished run: its solution (stopped by \(s.stoppedBy.rawValue) after \(s.trainingSteps) training steps) "
                        + "is in the folder, and a finished run keeps no checkpoint; nothing to resume")
            } else {
                var isDir: ObjCBool = false
                throw InputError(
                    file: directory,
                    expected: "a solve output folder holding checkpoint.drnet (written every --checkpoint-every minutes and on Ctrl-C)",
                    found: !fm.fileExists(atPath: directory, isDirectory: &isDir)
                        ? "no such folder" : isDir.boolValue ? "no checkpoint in it" : "a file, not a folder")
            }
        }
        let c = try SolverCheckpoint.read(path: path)
        guard let lib = c.metadata.context["libraryDir"] else {
            throw InputError(file: path, location: "metadata context", expected: "the library folder (libraryDir)", found: "none")
        }
        return Resumed(
            checkpoint: c, libraryDir: lib, sampleMask: c.metadata.context["sampleMask"],
            degreesOfFreedom: c.metadata.context["degreesOfFreedom"])
    }

    /// Removes the checkpoint after a run that finished (the solution holds the result).
    static func remove(out: String) {
        try? FileManager.default.removeItem(atPath: out + "/" + fileName)
    }
}
