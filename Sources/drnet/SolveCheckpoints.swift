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
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
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

    static func load(directory: String) throws -> Resumed {
        let path = directory + "/" + fileName
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
