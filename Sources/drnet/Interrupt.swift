import Foundation
import Synchronization

/// SIGINT/SIGTERM handling: the first signal asks the solver to stop at the next step and write
/// what it has (a checkpoint, and the solution so far marked as interrupted); a second one exits
/// at once with status 130, after one line that says what the output folder holds. Exiting then
/// is safe: every file is replaced atomically and a solution as a whole (`SolutionCommit`), so
/// the folder keeps its last complete state. The flag is a lock-free atomic and the message a C
/// string made before the handler is installed: the only state a signal handler touches, with
/// `write(2)` and `_exit(2)`, both async-signal-safe.
enum Interrupt {
    private static let flag = Atomic<Bool>(false)
    nonisolated(unsafe) private static var secondSignalMessage: UnsafeMutablePointer<CChar>?

    /// True once a signal has asked the run to stop.
    static var requested: Bool { flag.load(ordering: .acquiring) }

    /// Installs the handlers for a run writing to `out`.
    static func install(out: String) {
        let text =
            "\ndrnet: second interrupt: exiting now (status 130). \(out) keeps its last complete state: the previous "
            + "solution and the last checkpoint written, if any (continue with: drnet solve --resume \(out)).\n"
        if let old = secondSignalMessage { free(old) }
        secondSignalMessage = strdup(text)
        for sig in [SIGINT, SIGTERM] {
            signal(sig) { _ in
                if Interrupt.flag.exchange(true, ordering: .acquiringAndReleasing) {
                    if let m = Interrupt.secondSignalMessage { _ = write(STDERR_FILENO, m, strlen(m)) }
                    _exit(130)
                }
            }
        }
    }
}
