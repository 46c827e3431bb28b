import DRNetCore
import Foundation

/// The `--out` folder of a new `drnet solve` run: usable (a folder, or creatable, and writable),
/// and not holding another run's solution or checkpoint unless `--overwrite` says to replace
/// them. With `--overwrite` the other run's checkpoint is removed at once (a resume would
/// continue the other run), while its solution stays until the new one replaces it as a whole.
enum SolveOutput {
    /// `out` is an existing writable folder, or can be created (its nearest existing parent is a
    /// writable folder). Checked before any work; nothing is created here, so a run that fails
    /// on its input leaves no folder behind.
    static func checkUsable(_ out: String) throws {
        let fm = FileManager.default
        guard !out.isEmpty else { throw CommandFailure(.badInput, "--out: expected an output folder, found an empty path") }
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: out, isDirectory: &isDir) {
            guard isDir.boolValue else { throw CommandFailure(.badInput, "--out \(out): expected a folder, found a file") }
            guard access(out, W_OK | X_OK) == 0 else {
                throw CommandFailure(
                    .badInput, "--out \(out): expected a folder drnet can write into, found \(String(cString: strerror(errno)))")
            }
            return
        }
        var parent = URL(fileURLWithPath: out).standardizedFileURL.deletingLastPathComponent().path
        while !fm.fileExists(atPath: parent, isDirectory: &isDir) && parent != "/" {
            parent = URL(fileURLWithPath: parent).deletingLastPathComponent().path
        }
        guard isDir.boolValue else {
            throw CommandFailure(.badInput, "--out \(out): cannot be created: \(parent) is a file, not a folder")
        }
        guard access(parent, W_OK | X_OK) == 0 else {
            throw CommandFailure(.badInput, "--out \(out): cannot be created in \(parent): \(String(cString: strerror(errno)))")
        }
    }

    static func claim(_ out: String, overwrite: Bool) throws {
        let fm = FileManager.default
        try checkUsable(out)
        guard fm.fileExists(atPath: out) else {
            // Not created until the run writes: probed now (made and removed), so that a folder
            // that cannot be made (/proc, a full or read-only file system) fails before the run.
            try SolutionCommit.createFolder(out)
            var path = URL(fileURLWithPath: out).standardizedFileURL.path
            let parent = URL(fileURLWithPath: out).standardizedFileURL.deletingLastPathComponent().path
            while path != parent && path != "/" && rmdir(path) == 0 {
                path = URL(fileURLWithPath: path).deletingLastPathComponent().path
            }
            return
        }
        try SolutionCommit.recover(out)
        let checkpoints = [SolveCheckpoints.fileName, SolveCheckpoints.fileName + ".partial"].map { out + "/" + $0 }
            .filter { fm.fileExists(atPath: $0) }
        let solution = out + "/solution.json"
        let hasSolution = fm.fileExists(atPath: solution)
        guard hasSolution || !checkpoints.isEmpty else { return }
        if overwrite {
            for c in checkpoints {
                do { try fm.removeItem(atPath: c) } catch {
                    throw OutputError(file: c, action: "remove the other run's checkpoint", cause: error.localizedDescription)
                }
            }
            return
        }
        var held: [String] = []
        if hasSolution {
            let about = (try? SolutionFile.read(path: solution)).map { s in
                " (library \(s.library), stopped by \(s.stoppedBy.rawValue) after \(s.trainingSteps) training steps)"
            }
            held.append("a solution\(about ?? "")")
        }
        if !checkpoints.isEmpty { held.append("the checkpoint of an unfinished run") }
        throw CommandFailure(
            .badInput,
            "\(out) already holds \(held.joined(separator: " and ")): pass --overwrite to replace "
                + (checkpoints.isEmpty ? "it" : "them") + (checkpoints.isEmpty ? "" : ", --resume \(out) to continue the unfinished run")
                + ", or choose another --out")
    }
}
