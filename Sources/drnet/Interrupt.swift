import Foundation
import Synchronization

/// SIGINT/SIGTERM handling: the first signal asks the solver to stop at the next step and write
/// what it has (marked as interrupted); a second one exits at once. The flag is a lock-free
/// atomic, the only kind of state a signal handler may touch.
enum Interrupt {
    private static let flag = Atomic<Bool>(false)

    /// True once a signal has asked the run to stop.
    static var requested: Bool { flag.load(ordering: .acquiring) }

    static func install() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig) { _ in
                if Interrupt.flag.exchange(true, ordering: .acquiringAndReleasing) { _exit(130) }
            }
        }
    }
}
