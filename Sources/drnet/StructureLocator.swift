import DRNetCore
import Foundation

/// Finds the shipped crystal structures (`data/structures/<system>/`): the `--structures` flag,
/// else the `DRNET_STRUCTURES` environment variable, else `data/structures/<system>` in the
/// folder of the executable or any folder above it (a build inside the source tree), else in the
/// working directory or any folder above it, else in the source tree this binary was built from.
enum StructureLocator {
    static func folder(flag: String?, system: String) throws -> String {
        let fm = FileManager.default
        func isDir(_ p: String) -> Bool {
            var d: ObjCBool = false
            return fm.fileExists(atPath: p, isDirectory: &d) && d.boolValue
        }
        if let flag {
            guard isDir(flag) else {
                throw InputError(file: flag, expected: "a folder of CIF files (--structures)", found: "no such folder")
            }
            return flag
        }
        if let env = ProcessInfo.processInfo.environment["DRNET_STRUCTURES"], !env.isEmpty {
            guard isDir(env) else {
                throw InputError(file: env, expected: "a folder of CIF files (DRNET_STRUCTURES)", found: "no such folder")
            }
            return env
        }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        // …/Sources/drnet/StructureLocator.swift → the package root.
        let sourceTree = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for start in [executable, URL(fileURLWithPath: fm.currentDirectoryPath), sourceTree] {
            var dir = start.standardizedFileURL
            while true {
                let candidate = dir.appendingPathComponent("data/structures/\(system)").path
                if isDir(candidate) { return candidate }
                let parent = dir.deletingLastPathComponent()
                if parent.path == dir.path { break }
                dir = parent
            }
        }
        throw InputError(
            file: "data/structures/\(system)",
            expected: "the shipped structures beside the executable, the working directory or the source tree",
            found: "none; pass --structures DIR or set DRNET_STRUCTURES")
    }
}
