#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Foundation

/// Writes a file so that a reader — or a run killed at any moment, or a full disk — never leaves
/// it half-written: the bytes go to `<path>.partial`, are flushed to disk (`fsync`), and the
/// partial file then replaces `<path>` with POSIX `rename`, which swaps the name atomically (there
/// is never a moment without a complete `<path>`, old or new); the folder is flushed too, so the
/// rename survives a power cut. Any failure throws `OutputError` (the file, the step, the
/// system's cause), removes the partial file and leaves `<path>` as it was.
public enum AtomicFile {
    /// The name of the partial file beside `path`.
    public static func partialPath(_ path: String) -> String { path + ".partial" }

    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    public static func write(_ data: Data, to path: String) throws {
        let writer = try Writer(path: path)
        try writer.append(data)
        try writer.commit()
    }

    /// Removes `<name>.partial` files left in `directory` by runs that were killed while writing
    /// (never the complete files beside them). Returns the names removed.
    /// With `only`, just the partial files of those names (`fractions.csv` → `fractions.csv.partial`).
    @discardableResult
    public static func removeStalePartials(in directory: String, only: [String]? = nil) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var removed: [String] = []
        for name in names where name.hasSuffix(".partial") {
            if let only, !only.contains(String(name.dropLast(".partial".count))) { continue }
            if (try? FileManager.default.removeItem(atPath: directory + "/" + name)) != nil { removed.append(name) }
        }
        return removed.sorted()
    }

    /// Writes all of `data` to the file descriptor `fd` with write(2), retrying after EINTR and
    /// short writes. Returns nil when every byte went out, else the errno of the failure (0 when
    /// the system accepted no bytes).
    public static func writeAll(_ fd: Int32, _ data: Data) -> Int32? {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Int32? in
            guard var p = raw.baseAddress else { return nil }
            var left = raw.count
            while left > 0 {
                let n = systemWrite(fd, p, left)
                if n < 0 && errno == EINTR { continue }
                if n < 0 { return errno }
                if n == 0 { return 0 }
                p += n
                left -= n
            }
            return nil
        }
    }

    /// Flushes a folder's entries (a rename or a new file in it) to disk. Best effort: some file
    /// systems refuse `fsync` on a folder.
    public static func syncDirectory(_ directory: String) {
        let fd = open(directory, O_RDONLY)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    /// A file written in pieces (`append`), made visible only by `commit()`; dropped without
    /// `commit()` (or after a failure), it leaves no trace and `<path>` unchanged.
    public final class Writer {
        public let path: String
        public let partial: String
        private var fd: Int32
        private var committed = false

        /// Creates (truncates) `<path>.partial`.
        public init(path: String) throws {
            self.path = path
            partial = AtomicFile.partialPath(path)
            fd = open(partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw OutputError.fromErrno(file: path, action: "create \(partial)") }
        }

        /// Appends `data`; a short write (a full disk) or an error throws and removes the partial file.
        public func append(_ data: Data) throws {
            guard fd >= 0 else { throw OutputError(file: path, action: "write", cause: "the file was already closed") }
            switch AtomicFile.writeAll(fd, data) {
            case .none: return
            case .some(0):
                abort()
                throw OutputError(file: path, action: "write", cause: "the system accepted no bytes")
            case .some(let code):
                abort()
                throw OutputError(file: path, action: "write", cause: String(cString: strerror(code)))
            }
        }

        public func append(_ text: String) throws { try append(Data(text.utf8)) }

        /// Flushes the data to disk and renames the partial file over `path`.
        public func commit() throws {
            guard fd >= 0 else { throw OutputError(file: path, action: "write", cause: "the file was already closed") }
            if fsync(fd) != 0 {
                let e = OutputError.fromErrno(file: path, action: "flush to disk")
                abort()
                throw e
            }
            if close(fd) != 0 {
                fd = -1
                let e = OutputError.fromErrno(file: path, action: "close")
                unlink(partial)
                throw e
            }
            fd = -1
            if rename(partial, path) != 0 {
                let e = OutputError.fromErrno(file: path, action: "replace it with \(partial)")
                unlink(partial)
                throw e
            }
            committed = true
            AtomicFile.syncDirectory(
                (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent)
        }

        /// Closes and removes the partial file; `path` is untouched.
        public func abort() {
            if fd >= 0 {
                close(fd)
                fd = -1
            }
            if !committed { unlink(partial) }
        }

        deinit { if !committed { abort() } }
    }
}

/// `write(2)`, named apart from `AtomicFile.write`.
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
        return Glibc.write(fd, buffer, count)
    #else
        return Darwin.write(fd, buffer, count)
    #endif
}
