import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failure to write an output: names the file, what was being done and the operating system's
/// cause (`No space left on device`, `Permission denied`, …). Writers throw this instead of
/// trapping; the file it names is left as it was before the write began (see `AtomicFile`).
public struct OutputError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file or folder that could not be written.
    public var file: String
    /// What failed: "create", "write", "flush to disk", "replace", "create folder", ….
    public var action: String
    /// The cause in words (`strerror` of the errno, or a description).
    public var cause: String

    public init(file: String, action: String, cause: String) {
        self.file = file
        self.action = action
        self.cause = cause
    }

    /// The error for a failed system call, from the current `errno`.
    public static func fromErrno(file: String, action: String) -> OutputError {
        OutputError(file: file, action: action, cause: String(cString: strerror(errno)))
    }

    public var description: String { "\(file): could not \(action): \(cause)" }

    /// An error from Foundation (a `CocoaError` with an underlying POSIX error) as an
    /// `OutputError`: the system's cause (`strerror`) rather than Foundation's generic sentence.
    public static func from(_ error: Error, file: String, action: String) -> OutputError {
        let ns = error as NSError
        let path = (ns.userInfo[NSFilePathErrorKey] as? String) ?? file
        return OutputError(file: path, action: action, cause: systemCause(of: error) ?? ns.localizedDescription)
    }

    /// The POSIX cause of a Foundation error (its underlying `NSPOSIXErrorDomain` error), if any.
    public static func systemCause(of error: Error) -> String? {
        var ns: NSError? = error as NSError
        while let e = ns {
            if e.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(e.code))) }
            ns = e.userInfo[NSUnderlyingErrorKey] as? NSError
        }
        return nil
    }
}
