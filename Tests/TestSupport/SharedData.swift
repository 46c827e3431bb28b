import Foundation

/// Locates `../shared` (datasets and test vectors) relative to the package root, for tests that
/// read the public data by path. Returns nil when absent (a lone clone): such tests skip.
public enum SharedData {
    /// The package root (two levels above this file's folder `Tests/TestSupport`).
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared` beside the package root, or `$DRNET_SHARED` when set.
    public static var root: URL? {
        if let env = ProcessInfo.processInfo.environment["DRNET_SHARED"] {
            return URL(fileURLWithPath: env)
        }
        let url = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// Path of a dataset folder (`al-li-fe`, `bi-cu-v`, `ta-rh-pd`) or nil when absent.
    public static func dataset(_ name: String) -> URL? {
        guard let r = root else { return nil }
        let url = r.appendingPathComponent("datasets").appendingPathComponent(name)
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// Path of a test-vector file or nil when absent.
    public static func testVector(_ file: String) -> URL? {
        guard let r = root else { return nil }
        let url = r.appendingPathComponent("testvectors").appendingPathComponent(file)
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }
}
