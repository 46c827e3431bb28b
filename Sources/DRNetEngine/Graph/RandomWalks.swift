extension CompositionGraph {
    /// A random self-avoiding walk of up to `length` samples, starting at `start`.
    ///
    /// Each step moves from the walk's last sample to a uniformly chosen neighbour not yet on the
    /// walk. When the walk gets stuck (every neighbour visited) before `length`, it is retried from
    /// `start` with fresh random choices, up to `attempts` tries in all; the first walk reaching
    /// `length` is returned, else the longest one (the earliest among equally long). The result is
    /// therefore shorter than `length` only when no attempt reached it (e.g. a small component).
    ///
    /// - Returns: distinct samples w₀ = start, w₁, …, consecutive ones joined by an edge;
    ///   empty when `length` ≤ 0.
    /// - Precondition: 0 ≤ start < sampleCount, attempts ≥ 1.
    public func selfAvoidingWalk<R: RandomNumberGenerator>(
        length: Int, start: Int, rng: inout R,
        attempts: Int = 8
    ) -> [Int] {
        precondition(start >= 0 && start < sampleCount, "start \(start) outside 0..<\(sampleCount)")
        precondition(attempts >= 1, "attempts must be at least 1")
        guard length > 0 else { return [] }
        var best: [Int] = []
        var candidates: [Int] = []
        for _ in 0..<attempts {
            var walk = [start]
            walk.reserveCapacity(length)
            while walk.count < length {
                candidates.removeAll(keepingCapacity: true)
                for w in neighbors(of: walk[walk.count - 1]) where !walk.contains(w) { candidates.append(w) }
                if candidates.isEmpty { break }
                walk.append(candidates[rng.uniformIndex(below: candidates.count)])
            }
            if walk.count > best.count { best = walk }
            if best.count == length { break }
        }
        return best
    }
}

/// A reproducible pool of self-avoiding walks on a composition graph, used as minibatches: each
/// walk is one minibatch of (up to) `length` samples in walk order, so a minibatch holds
/// neighbouring compositions.
///
/// Starts: the first N walks start at every sample once, in a seeded random order; the remaining
/// `count − N` walks start at uniformly random samples. `count` is raised to N when smaller, so
/// every sample starts at least one walk. Everything is drawn from one `SeededGenerator(seed:)`:
/// the pool is a pure function of (graph, count, length, seed).
public struct WalkPool: Sendable, Equatable {
    /// Number of walks (≥ the graph's sample count).
    public let count: Int
    /// Requested walk length (samples per minibatch; a walk is shorter only when stuck).
    public let length: Int
    /// Seed of the generator the pool was drawn from.
    public let seed: UInt64
    /// The walks, each a list of distinct samples joined by graph edges.
    public let walks: [[Int]]

    /// Draws `max(count, N)` walks of up to `length` samples.
    /// - Precondition: length ≥ 1.
    public init(graph: CompositionGraph, count: Int, length: Int, seed: UInt64) {
        precondition(length >= 1, "walk length must be at least 1")
        let n = graph.sampleCount
        let total = n == 0 ? 0 : max(count, n)
        var rng = SeededGenerator(seed: seed)
        var starts = Array(0..<n)
        rng.stableShuffle(&starts)
        while starts.count < total { starts.append(rng.uniformIndex(below: n)) }
        self.count = total
        self.length = length
        self.seed = seed
        walks = starts.map { graph.selfAvoidingWalk(length: length, start: $0, rng: &rng) }
    }

    /// The walks as minibatches (sample indices in walk order), in pool order.
    public var minibatches: [[Int]] { walks }

    /// Minibatch `k` (0 ≤ k < count).
    public func minibatch(_ k: Int) -> [Int] { walks[k] }

    /// A permutation of 0..<count for visiting the minibatches in epoch `epoch`, determined by
    /// (seed, epoch) alone.
    public func epochOrder(_ epoch: Int) -> [Int] {
        var rng = SeededGenerator(seed: seed ^ (UInt64(truncatingIfNeeded: epoch) &* 0x9E37_79B9_7F4A_7C15))
        var order = Array(0..<count)
        rng.stableShuffle(&order)
        return order
    }
}
