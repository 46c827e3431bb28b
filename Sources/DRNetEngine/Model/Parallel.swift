import Foundation

/// A raw pointer that may cross into `parallelFor` closures. The caller guarantees that
/// concurrent iterations touch disjoint elements (each iteration owns its own rows).
public struct SharedPointer<T>: @unchecked Sendable {
    public let base: UnsafeMutablePointer<T>
    public init(_ base: UnsafeMutablePointer<T>) { self.base = base }
    public init(_ base: UnsafePointer<T>) { self.base = UnsafeMutablePointer(mutating: base) }
    @inline(__always) public subscript(i: Int) -> T {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }
    @inline(__always) public static func + (l: SharedPointer, r: Int) -> UnsafeMutablePointer<T> { l.base + r }
}

/// Runs `body(i)` for i in 0..<count on all cores (Dispatch's concurrentPerform), serially when
/// count ≤ 1. Iterations must be independent.
@inline(__always)
public func parallelFor(_ count: Int, _ body: (Int) -> Void) {
    if count <= 1 {
        for i in 0..<count { body(i) }
        return
    }
    withoutActuallyEscaping(body) { b in
        let box = UncheckedBox(b)
        DispatchQueue.concurrentPerform(iterations: count) { box.value($0) }
    }
}

struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
