extension CompositionGraph {
    /// A random path cover: every sample exactly once, as paths whose consecutive samples are
    /// joined by an edge (a whole-library batch in which the pairwise terms still see neighbours).
    ///
    /// Starts are visited in a seeded random order; from each start not yet covered, the path
    /// moves to a uniformly chosen uncovered neighbour of its last sample until it has none (or
    /// holds `maxLength` samples), and the next start begins a new path. On a graph without edges
    /// every path is one sample.
    ///
    /// - Returns: the paths in the order drawn; their concatenation is a permutation of 0..<N.
    /// - Precondition: maxLength ≥ 1.
    public func randomPathCover<R: RandomNumberGenerator>(maxLength: Int = .max, rng: inout R) -> [[Int]] {
        precondition(maxLength >= 1, "a path holds at least one sample")
        var starts = Array(0..<sampleCount)
        rng.stableShuffle(&starts)
        var covered = [Bool](repeating: false, count: sampleCount)
        var paths: [[Int]] = [], candidates: [Int] = []
        for start in starts where !covered[start] {
            var path = [start]
            covered[start] = true
            while path.count < maxLength {
                candidates.removeAll(keepingCapacity: true)
                for w in neighbors(of: path[path.count - 1]) where !covered[w] { candidates.append(w) }
                if candidates.isEmpty { break }
                let next = candidates[rng.uniformIndex(below: candidates.count)]
                covered[next] = true
                path.append(next)
            }
            paths.append(path)
        }
        return paths
    }
}

/// A whole-library batch cut into chunks of at most `limit` samples for the device passes:
/// each chunk's samples (paths concatenated; a path that crosses a chunk boundary is cut there)
/// and `pairValid` (consecutive samples on one path).
public struct LibraryBatchChunks: Sendable, Equatable {
    public var chunks: [(samples: [Int], pairValid: [Bool])]

    public init(paths: [[Int]], limit: Int) {
        precondition(limit >= 1, "a chunk holds at least one sample")
        var chunks: [(samples: [Int], pairValid: [Bool])] = []
        var samples: [Int] = [], valid: [Bool] = []
        for path in paths {
            for (position, i) in path.enumerated() {
                if samples.count == limit {
                    chunks.append((samples, valid))
                    samples = []
                    valid = []
                }
                if !samples.isEmpty { valid.append(position > 0) }
                samples.append(i)
            }
        }
        if !samples.isEmpty { chunks.append((samples, valid)) }
        self.chunks = chunks
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.chunks.count == b.chunks.count
            && zip(a.chunks, b.chunks).allSatisfy { $0.samples == $1.samples && $0.pairValid == $1.pairValid }
    }
}
