import DRNetEngine
import Foundation

/// Finds and reads users' scan files: a path is a file, or a folder whose scan files are taken
/// in natural order of their names (`s2` before `s10`). Formats by extension: `.xrdml`
/// (PANalytical, `XRDMLReader`); `.brml` (Bruker, `BRMLReader`); `.xy`, `.xye`, `.dat`, `.csv`,
/// `.txt`, `.chi` (`TextScanReader`).
public enum ScanFiles {
    /// Extensions read as scans.
    public static let extensions = ["xrdml", "brml", "xy", "xye", "dat", "csv", "txt", "chi"]

    /// The scan files named by `paths` (files as given; folders expanded, natural order).
    public static func expand(_ paths: [String]) throws -> [String] {
        let fm = FileManager.default
        var out: [String] = []
        for path in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else {
                throw InputError(file: path, expected: "a scan file or a folder of scans", found: "no such file or folder")
            }
            if isDir.boolValue {
                let names = try fm.contentsOfDirectory(atPath: path)
                    .filter { extensions.contains(($0 as NSString).pathExtension.lowercased()) }
                    .sorted { $0.localizedStandardCompare($1) == .orderedAscending }
                guard !names.isEmpty else {
                    throw InputError(
                        file: path, expected: "scan files (." + extensions.joined(separator: ", .") + ")", found: "none in the folder")
                }
                out += names.map { (path as NSString).appendingPathComponent($0) }
            } else {
                out.append(path)
            }
        }
        return out
    }

    /// Every scan in `file` (an `.xrdml` file may hold several).
    public static func read(_ file: String) throws -> [MeasuredScan] {
        switch (file as NSString).pathExtension.lowercased() {
        case "xrdml": return try XRDMLReader.read(path: file)
        case "xy", "xye", "dat", "csv", "txt", "chi": return [try TextScanReader.read(path: file)]
        case "brml": return try BRMLReader.read(path: file)
        default:
            throw InputError(
                file: file, expected: "a scan file (." + extensions.joined(separator: ", .") + ")",
                found: "extension '\((file as NSString).pathExtension)'")
        }
    }
}
