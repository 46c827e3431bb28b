import Foundation

/// SIGINT/SIGTERM handling: the first signal asks the solver to stop at the next step and write
/// what it has (marked as interrupted); a second one exits at once.
enum Interrupt {
    nonisolated(unsafe) static var requested = false

    static func install() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig) { _ in
                if Interrupt.requested { _exit(130) }
                Interrupt.requested = true
            }
        }
    }
}
