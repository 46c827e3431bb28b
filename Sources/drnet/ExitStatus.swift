import ArgumentParser
import DRNetCore
import DRNetOpenCL
import Foundation

/// The exit status of every `drnet` command, in one place (README, "Errors and exit status").
/// A usage error of the command line itself (unknown option, missing or malformed value) is the
/// argument parser's: the usage text and status 64.
enum ExitStatus: Int32 {
    case success = 0
    /// `drnet check`: a rule in `--rules` is violated.
    case ruleViolated = 1
    /// A file, folder or setting is missing, unreadable or malformed (the message names it).
    case badInput = 2
    /// The compute device could not be opened, its kernels did not build, or it failed mid-run.
    case deviceFailure = 3
    /// The run produced no usable result (diverged, or nothing a solution could be made of).
    case noResult = 4
    /// An output could not be written (a full disk, a read-only folder, a file in the way): the
    /// message names the file and the cause; the previous solution is left as it was.
    case outputFailed = 74
    /// SIGINT/SIGTERM: the run stopped early (a checkpoint says where).
    case interrupted = 130

    /// The status and the message for an error a command did not handle itself.
    static func classify(_ error: Error) -> (ExitStatus, String) {
        switch error {
        case let e as CommandFailure: return (e.status, e.message)
        case let e as InputError: return (.badInput, e.description)
        case let e as ConfigurationError: return (.badInput, e.description)
        case let e as OutputError: return (.outputFailed, e.description)
        case let e as NoResultError: return (.noResult, e.description)
        case let e as OpenCLError: return (.deviceFailure, e.description)
        case let e as CocoaError where e.isFileWriteError: return (.outputFailed, Self.describe(e))
        case let e as CocoaError: return (.badInput, Self.describe(e))
        default: return (.noResult, "\(error)")
        }
    }

    /// A Foundation file error in the project's form: the file, then the cause.
    static func describe(_ e: CocoaError) -> String {
        let path = (e.userInfo[NSFilePathErrorKey] as? String) ?? (e.userInfo[NSURLErrorKey] as? URL)?.path
        let cause =
            OutputError.systemCause(of: e) ?? (e.userInfo[NSUnderlyingErrorKey] as? NSError)?.localizedDescription ?? e.localizedDescription
        return path.map { "\($0): \(cause)" } ?? cause
    }
}

extension CocoaError {
    /// A failure to write or create a file (Foundation's codes 512–642): an output problem (74).
    var isFileWriteError: Bool { (512...642).contains(code.rawValue) }
}

/// A failure a command reports with its exit status.
struct CommandFailure: Error, CustomStringConvertible {
    let status: ExitStatus
    let message: String
    init(_ status: ExitStatus, _ message: String) {
        self.status = status
        self.message = message
    }
    var description: String { message }
}

/// A command whose errors are reported the same way by every command: one `error: …` line on
/// stderr and the exit status of `ExitStatus.classify`. Usage errors (`ValidationError`) and
/// explicit `ExitCode`s pass through to the argument parser.
protocol ReportingCommand: ParsableCommand {
    func execute() throws
}

extension ReportingCommand {
    func run() throws {
        do {
            try execute()
        } catch let e as ExitCode {
            throw e
        } catch let e as ValidationError {
            // A usage error found while running: the message, then this command's own usage
            // (thrown out of `run`, the parser would print the root command's), status 64.
            stderr(
                "error: \(e.message)\nUsage: " + DRNetCommand.usageString(for: Self.self) + "\n  See 'drnet \(Self._commandName) --help'.")
            throw ExitCode(64)
        } catch let e as CleanExit {
            throw e
        } catch {
            let (status, message) = ExitStatus.classify(error)
            stderr("error: \(message)")
            throw ExitCode(status.rawValue)
        }
    }
}
