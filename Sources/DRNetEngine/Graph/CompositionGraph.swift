/// The undirected composition graph over N samples: an edge joins neighbouring compositions.
///
/// Stored as a sorted, duplicate-free edge list (i < j) plus sorted adjacency lists.
/// Built by `build(compositions:elementCount:strategy:)`:
///  - M = 3: the Delaunay triangulation of the ternary coordinates (`SimplexProjection.ternary`,
///    `DelaunayTriangulation`; duplicates joined to their representative, collinear → path);
///  - M ≤ 2: the path through the samples sorted by their second cation fraction (the single free
///    coordinate; ties, i.e. duplicates, by index, so duplicates are joined to each other);
///  - M ≥ 4: the symmetrised k-nearest-neighbour graph in composition space (Euclidean distance,
///    k = 2(M−1) + 2 = 2M by default), plus a connectivity repair (`NeighborGraphs.connect`).
public struct CompositionGraph: Sendable, Equatable {
    /// How to build the graph from compositions.
    public enum Strategy: Sendable, Equatable {
        /// Delaunay for M = 3, path for M ≤ 2, k-nearest neighbours (k = 2M) for M ≥ 4.
        case automatic
        /// Delaunay triangulation of the ternary coordinates; requires M = 3.
        case delaunay
        /// Path along the single free coordinate; requires M ≤ 2.
        case path
        /// Symmetrised k-nearest-neighbour graph with connectivity repair; any M (nil k = 2M).
        case nearestNeighbors(k: Int?)
    }

    /// Number of samples N (vertices 0..<N).
    public let sampleCount: Int
    /// Edges, sorted, unique, each with i < j < N.
    public let edges: [Edge]
    /// Sorted neighbour lists, length N.
    private let adjacency: [[Int]]

    /// A graph from a given edge list. Duplicate edges are dropped.
    /// - Throws: `ConfigurationError` on a negative sample count, a self-loop or an index outside
    ///   0..<sampleCount.
    public init(sampleCount: Int, edges: [Edge]) throws {
        guard sampleCount >= 0 else { throw ConfigurationError("graph: sample count \(sampleCount) is negative") }
        for e in edges {
            guard e.i >= 0, e.j < sampleCount else {
                throw ConfigurationError("graph: edge (\(e.i), \(e.j)) is outside 0..<\(sampleCount)")
            }
            guard e.i != e.j else { throw ConfigurationError("graph: self-loop at sample \(e.i)") }
        }
        self.init(validated: sampleCount, edges: edges)
    }

    /// Internal initialiser for edges already known to be valid.
    init(validated n: Int, edges: [Edge]) {
        let unique = Array(Set(edges)).sorted()
        var adj = [[Int]](repeating: [], count: n)
        for e in unique { adj[e.i].append(e.j); adj[e.j].append(e.i) }
        for i in 0..<n { adj[i].sort() }
        sampleCount = n
        self.edges = unique
        adjacency = adj
    }

    /// Sorted neighbours of sample `i`.
    public func neighbors(of i: Int) -> [Int] { adjacency[i] }

    /// Number of neighbours of sample `i`.
    public func degree(of i: Int) -> Int { adjacency[i].count }

    /// Degrees of all samples, length N.
    public var degrees: [Int] { adjacency.map(\.count) }

    /// Mean degree 2|E| / N (0 for an empty graph).
    public var meanDegree: Double { sampleCount == 0 ? 0 : 2 * Double(edges.count) / Double(sampleCount) }

    /// True when there is at most one connected component.
    public var isConnected: Bool { components().count <= 1 }

    /// Connected components, each sorted, ordered by their smallest sample.
    public func components() -> [[Int]] {
        var label = [Int](repeating: -1, count: sampleCount)
        var out: [[Int]] = []
        for s in 0..<sampleCount where label[s] < 0 {
            var comp = [s]
            label[s] = out.count
            var head = 0
            while head < comp.count {
                let v = comp[head]; head += 1
                for w in adjacency[v] where label[w] < 0 { label[w] = out.count; comp.append(w) }
            }
            out.append(comp.sorted())
        }
        return out
    }

    /// Connected components of the subgraph induced by `members` (breadth-first search on the
    /// edges between members), each ascending, listed largest first (ties: smallest first sample).
    public func components(of members: [Int]) -> [[Int]] {
        var inSet = [Bool](repeating: false, count: sampleCount)
        for i in members { inSet[i] = true }
        var seen = [Bool](repeating: false, count: sampleCount)
        var out: [[Int]] = []
        for start in members.sorted() where !seen[start] {
            var queue = [start], head = 0
            seen[start] = true
            while head < queue.count {
                let i = queue[head]; head += 1
                for j in adjacency[i] where inSet[j] && !seen[j] {
                    seen[j] = true
                    queue.append(j)
                }
            }
            out.append(queue.sorted())
        }
        return out.sorted { $0.count != $1.count ? $0.count > $1.count : $0[0] < $1[0] }
    }

    /// Edge-set comparison: edges in both, only in `self`, only in `other`.
    public func agreement(with other: CompositionGraph) -> (common: Int, onlySelf: Int, onlyOther: Int) {
        // Both lists are sorted: merge.
        var a = 0, b = 0, common = 0
        while a < edges.count && b < other.edges.count {
            if edges[a] == other.edges[b] { common += 1; a += 1; b += 1 } else if edges[a] < other.edges[b] { a += 1 } else { b += 1 }
        }
        return (common, edges.count - common, other.edges.count - common)
    }

    /// Builds the composition graph of N samples from N×M row-major cation fractions.
    /// - Throws: `ConfigurationError` when M < 1, the array is not N×M, a value is not finite, or
    ///   the strategy does not apply to M (`.delaunay` needs M = 3, `.path` M ≤ 2, k ≥ 1).
    public static func build(
        compositions: [Double], elementCount m: Int,
        strategy: Strategy = .automatic
    ) throws -> CompositionGraph {
        guard m >= 1 else { throw ConfigurationError("graph: element count \(m) must be at least 1") }
        guard compositions.count % m == 0 else {
            throw ConfigurationError("graph: \(compositions.count) composition values are not N×\(m)")
        }
        guard compositions.allSatisfy({ $0.isFinite }) else {
            throw ConfigurationError("graph: compositions contain a non-finite value")
        }
        let n = compositions.count / m
        let resolved: Strategy
        if strategy == .automatic {
            resolved = m == 3 ? .delaunay : (m <= 2 ? .path : .nearestNeighbors(k: nil))
        } else {
            resolved = strategy
        }
        switch resolved {
        case .delaunay:
            guard m == 3 else { throw ConfigurationError("graph: Delaunay strategy needs 3 elements, got \(m)") }
            let tri = DelaunayTriangulation(points: SimplexProjection.ternary(compositions: compositions))
            return CompositionGraph(validated: n, edges: tri.edges)
        case .path:
            guard m <= 2 else { throw ConfigurationError("graph: path strategy needs at most 2 elements, got \(m)") }
            let coord = (0..<n).map { m == 2 ? compositions[2 * $0 + 1] : 0 }
            return CompositionGraph(validated: n, edges: NeighborGraphs.path(coordinate: coord))
        case .nearestNeighbors(let k):
            let kk = k ?? 2 * m
            guard kk >= 1 else { throw ConfigurationError("graph: k = \(kk) nearest neighbours must be at least 1") }
            var edges = NeighborGraphs.nearestNeighbors(points: compositions, dimension: m, k: kk)
            edges = NeighborGraphs.connect(points: compositions, dimension: m, edges: edges, count: n)
            return CompositionGraph(validated: n, edges: edges)
        case .automatic:
            fatalError("unreachable: automatic is resolved above")
        }
    }
}
