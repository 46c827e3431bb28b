/// Graph constructions other than Delaunay, on N points in ℝᴰ (N×D row-major), Euclidean distance.
package enum NeighborGraphs {
    /// Path joining consecutive samples sorted by (coordinate, index): N−1 edges. Equal
    /// coordinates (duplicates) are consecutive, hence joined.
    static func path(coordinate: [Double]) -> [Edge] {
        let order = coordinate.indices.sorted { (coordinate[$0], $0) < (coordinate[$1], $1) }
        return order.indices.dropFirst().map { Edge(order[$0 - 1], order[$0]) }
    }

    /// Squared distance between rows i and j.
    @inline(__always)
    static func distance2(_ p: [Double], _ d: Int, _ i: Int, _ j: Int) -> Double {
        var s = 0.0
        for k in 0..<d { let t = p[i * d + k] - p[j * d + k]; s += t * t }
        return s
    }

    /// Symmetrised k-nearest-neighbour edges: i–j when j is among the k nearest of i or i among
    /// the k nearest of j (ties broken by index). O(N² log N).
    static func nearestNeighbors(points p: [Double], dimension d: Int, k: Int) -> [Edge] {
        let n = d == 0 ? 0 : p.count / d
        var set = Set<Edge>()
        for i in 0..<n {
            var cand: [(Double, Int)] = []
            cand.reserveCapacity(n - 1)
            for j in 0..<n where j != i { cand.append((distance2(p, d, i, j), j)) }
            cand.sort { $0 < $1 }
            for (_, j) in cand.prefix(k) { set.insert(Edge(i, j)) }
        }
        return set.sorted()
    }

    /// Connectivity repair: while there are several components, joins the globally closest pair
    /// (i, j) of samples lying in different components (ties: smallest (i, j)) by an edge, merging
    /// those two components. The result is connected (a Kruskal step on the complete graph).
    /// O(C·N²) for C initial components.
    static func connect(points p: [Double], dimension d: Int, edges: [Edge], count n: Int) -> [Edge] {
        var parent = Array(0..<n)
        func find(_ v: Int) -> Int {
            var r = v
            while parent[r] != r { r = parent[r] }
            var w = v
            while parent[w] != r { let nx = parent[w]; parent[w] = r; w = nx }
            return r
        }
        var components = n
        for e in edges {
            let a = find(e.i), b = find(e.j)
            if a != b { parent[a] = b; components -= 1 }
        }
        var out = edges
        while components > 1 {
            let label = (0..<n).map { find($0) }
            var best = (Double.infinity, -1, -1)
            for i in 0..<n {
                for j in (i + 1)..<n where label[i] != label[j] {
                    let dd = distance2(p, d, i, j)
                    if dd < best.0 { best = (dd, i, j) }
                }
            }
            out.append(Edge(best.1, best.2))
            parent[find(best.1)] = find(best.2)
            components -= 1
        }
        return out.sorted()
    }
}
