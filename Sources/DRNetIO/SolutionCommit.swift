import DRNetEngine
import Foundation

/// Replaces the solution in a folder as a whole. A run writes its new solution into
/// `<folder>/.drnet-staging/` (every file complete and flushed), then `commit` writes a journal
/// `<folder>/.drnet-commit` naming the new solution's entries and moves each into place with
/// `rename` (atomic per entry), removes the entries of the old solution that the new one does not
/// have (a `plots/` folder after a `--no-plots` run), and removes the journal and the staging
/// folder. A run killed at any moment therefore leaves either the previous solution untouched
/// (no journal yet) or a complete new one in staging plus the journal, which `recover` — called
/// by every command that writes or reads a solution folder — finishes. So a folder never holds
/// files of two runs once any drnet command has looked at it, and never loses the last complete
/// solution.
public enum SolutionCommit {
    /// The entries of a solution folder that belong to one solution (not the checkpoint).
    public static let entries = ["fractions.csv", "shifts.csv", "solution.json", "solution.txt", "plots"]
    public static let stagingName = ".drnet-staging"
    public static let journalName = ".drnet-commit"

    /// The staging folder of `folder`, emptied and created (after finishing an earlier commit).
    public static func prepareStaging(in folder: String) throws -> String {
        try recover(folder)
        try createFolder(folder)
        let staging = folder + "/" + stagingName
        if FileManager.default.fileExists(atPath: staging) {
            do { try FileManager.default.removeItem(atPath: staging) } catch {
                throw OutputError(file: staging, action: "remove an unfinished staging folder", cause: "\(error.localizedDescription)")
            }
        }
        try createFolder(staging)
        return staging
    }

    /// Moves the complete solution in `<folder>/.drnet-staging` into `folder` (see the type's doc).
    public static func commit(folder: String) throws {
        let staging = folder + "/" + stagingName
        let present = entries.filter { FileManager.default.fileExists(atPath: staging + "/" + $0) }
        AtomicFile.syncDirectory(staging)
        try AtomicFile.write(present.joined(separator: "\n") + "\n", to: folder + "/" + journalName)
        try finish(folder: folder, newEntries: present)
    }

    /// Finishes a commit that a killed run left half done; does nothing without a journal.
    /// (A staging folder without a journal is an unfinished write: it is removed, and the
    /// solution in `folder` stays as it was.)
    public static func recover(_ folder: String) throws {
        let journal = folder + "/" + journalName
        guard let text = try? String(contentsOfFile: journal, encoding: .utf8) else {
            let staging = folder + "/" + stagingName
            if FileManager.default.fileExists(atPath: staging) { try? FileManager.default.removeItem(atPath: staging) }
            AtomicFile.removeStalePartials(in: folder, only: entries)
            return
        }
        let names = text.split(whereSeparator: \.isNewline).map(String.init).filter { entries.contains($0) }
        try finish(folder: folder, newEntries: names)
    }

    static func finish(folder: String, newEntries: [String]) throws {
        let fm = FileManager.default
        let staging = folder + "/" + stagingName
        for name in entries {
            let target = folder + "/" + name, source = staging + "/" + name
            if newEntries.contains(name) {
                guard fm.fileExists(atPath: source) else { continue }  // moved in before a kill
                var isDir: ObjCBool = false
                if fm.fileExists(atPath: target, isDirectory: &isDir), isDir.boolValue {
                    // A folder cannot be renamed over a non-empty one: the old one steps aside first.
                    let aside = staging + "/.old-" + name
                    if fm.fileExists(atPath: aside) { try? fm.removeItem(atPath: aside) }
                    try move(target, aside)
                }
                try move(source, target)
            } else if fm.fileExists(atPath: target) {
                do { try fm.removeItem(atPath: target) } catch {
                    throw OutputError(file: target, action: "remove the previous run's entry", cause: "\(error.localizedDescription)")
                }
            }
        }
        AtomicFile.syncDirectory(folder)
        unlink(folder + "/" + journalName)
        try? fm.removeItem(atPath: staging)
        AtomicFile.removeStalePartials(in: folder, only: entries)
        AtomicFile.syncDirectory(folder)
    }

    public static func move(_ from: String, _ to: String) throws {
        if rename(from, to) != 0 { throw OutputError.fromErrno(file: to, action: "move \(from) into place") }
    }

    /// Creates `path` (and its parents) with an `OutputError` naming it when that fails (a file
    /// in the way, a read-only parent, an empty path).
    public static func createFolder(_ path: String) throws {
        guard !path.isEmpty else { throw OutputError(file: "--out", action: "create the output folder", cause: "the path is empty") }
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            guard isDir.boolValue else {
                throw OutputError(file: path, action: "use it as the output folder", cause: "it is a file, not a folder")
            }
            guard access(path, W_OK) == 0 else { throw OutputError.fromErrno(file: path, action: "write into the output folder") }
            return
        }
        // mkdir -p with the system's cause on failure (Foundation's sentence hides it).
        var prefix = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            prefix += "/" + part
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw OutputError.fromErrno(file: path, action: "create the output folder")
            }
        }
    }
}
