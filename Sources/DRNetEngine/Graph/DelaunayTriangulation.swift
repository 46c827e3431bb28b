/// A triangle of a triangulation: three point indices in counter-clockwise order.
public struct Triangle: Hashable, Sendable {
    public var a: Int
    public var b: Int
    public var c: Int
    public init(_ a: Int, _ b: Int, _ c: Int) { self.a = a; self.b = b; self.c = c }
}

/// Planar Delaunay triangulation of N points (x, y), built with exact predicates.
///
/// Algorithm (O(n log n) sweep + Lawson flips, worst case O(n²)):
///  1. Snap: the points are translated and scaled by their extent s = max(xmax − xmin, ymax − ymin)
///     and rounded to an integer grid, X = round((x − xmin)/s · 2³⁰) (likewise Y). All predicates
///     are then exact (`ExactPredicates`), so the result is always a valid planar triangulation.
///  2. Duplicates: points that snap to the same grid node (|Δ| ≲ 5·10⁻¹⁰·s per coordinate) are
///     duplicates. The one with the smallest index is the representative and takes part in the
///     triangulation; every other is excluded from it and joined to its representative by one
///     edge (so it has degree 1 and the graph stays connected).
///  3. Degenerate inputs: 0 or 1 distinct points give no triangle; when all distinct points are
///     collinear (incl. exactly 2) — within `collinearTolerance` grid units (≈ 7·10⁻⁹·s) of the line
///     through the first point and the point farthest from it, so that rounding of exactly collinear
///     input does not create slivers — the edges are the path joining consecutive points along the
///     line.
///  4. Sweep: distinct points sorted by (X, Y); the first points collinear with the first two form a
///     chain, fanned to the first point off their line; every further point is joined to the
///     hull edges it strictly sees (a contiguous chain next to the previous point).
///  5. Lawson flips: an interior edge is flipped while the opposite vertex lies strictly inside the
///     circumcircle of a triangle (exact test), which terminates with a Delaunay triangulation.
///     Co-circular points (regular grids) keep whichever diagonal the sweep produced: any choice is
///     a valid Delaunay triangulation.
///  6. Hull slivers: snapping can push points that lie on a hull edge (e.g. the sides of a ternary
///     grid, whose projected coordinates carry rounding errors) slightly outside or inside the
///     line, which would leave near-zero-area triangles along the hull joining far-apart boundary
///     points. A hull triangle whose third vertex lies within `collinearTolerance` grid units of
///     the hull side, strictly between its ends, and not yet on the boundary, is removed
///     (repeatedly), so boundary points that are collinear up to rounding are joined only to their
///     neighbours along the side. The remaining triangles still tile a simple polygon.
///
/// Counts (distinct points in general position, h on the hull boundary incl. collinear hull
/// points): triangles = 2n − 2 − h, triangulation edges = 3n − 3 − h.
public struct DelaunayTriangulation: Sendable {
    /// Number of input points N.
    public let pointCount: Int
    /// Triangles (original point indices, counter-clockwise), excluding duplicates. Empty when the
    /// distinct points are fewer than 3 or collinear.
    public let triangles: [Triangle]
    /// All graph edges, sorted: triangle sides (or the collinear path) plus duplicate links.
    public let edges: [Edge]
    /// `representative[i]` = the point i duplicates (smallest index of its snapped position), or i.
    public let representative: [Int]
    /// Boundary vertices of the triangulation — the convex hull of the distinct points, including
    /// points lying on hull edges (up to `collinearTolerance`) — counter-clockwise, starting at the
    /// lexicographically smallest snapped (x, y). For collinear input: the points along the line
    /// in order; for one distinct point: that point.
    public let hull: [Int]

    /// Triangulates N points given as N×2 row-major coordinates [x₀, y₀, x₁, y₁, …].
    public init(points: [Double]) {
        precondition(points.count % 2 == 0, "points must be N×2 row-major")
        let n = points.count / 2
        self.init(x: (0..<n).map { points[2 * $0] }, y: (0..<n).map { points[2 * $0 + 1] })
    }

    /// Triangulates the points (x[i], y[i]). Coordinates must be finite.
    public init(x: [Double], y: [Double]) {
        precondition(x.count == y.count, "x and y must have the same length")
        precondition(x.allSatisfy { $0.isFinite } && y.allSatisfy { $0.isFinite }, "coordinates must be finite")
        let n = x.count
        pointCount = n
        guard n > 0 else {
            triangles = []; edges = []; representative = []; hull = []
            return
        }

        // 1. Snap to the integer grid.
        let xmin = x.min()!, xmax = x.max()!, ymin = y.min()!, ymax = y.max()!
        let extent = max(xmax - xmin, ymax - ymin)
        let g = Double(ExactPredicates.gridMax)
        let scale = extent > 0 ? g / extent : 0
        var gx = [Int64](repeating: 0, count: n), gy = [Int64](repeating: 0, count: n)
        for i in 0..<n {
            gx[i] = Int64(min(g, max(0, ((x[i] - xmin) * scale).rounded())))
            gy[i] = Int64(min(g, max(0, ((y[i] - ymin) * scale).rounded())))
        }

        // 2. Sort lexicographically (ties by index) and mark duplicates.
        let sorted = (0..<n).sorted { (gx[$0], gy[$0], $0) < (gx[$1], gy[$1], $1) }
        var rep = Array(0..<n)
        var distinct: [Int] = []  // original indices of distinct points, in sweep order
        var edgeSet = Set<Edge>()
        for idx in sorted {
            if let last = distinct.last, gx[last] == gx[idx], gy[last] == gy[idx] {
                rep[idx] = last  // `last` has the smallest index (ties sorted by index)
                edgeSet.insert(Edge(last, idx))
            } else {
                distinct.append(idx)
            }
        }
        representative = rep

        // 3. Collinear or < 3 distinct points: path along the line.
        let m = distinct.count
        if let line = Self.collinearOrder(distinct, gx, gy) {
            for k in 1..<max(line.count, 1) { edgeSet.insert(Edge(line[k - 1], line[k])) }
            triangles = []
            hull = line
            edges = edgeSet.sorted()
            return
        }
        // Not collinear within the tolerance, hence not exactly collinear: find the first point
        // off the line of the first two (exists).
        var firstOff = 2
        while firstOff < m {
            let p0 = distinct[0], p1 = distinct[1], p = distinct[firstOff]
            if ExactPredicates.orient(gx[p0], gy[p0], gx[p1], gy[p1], gx[p], gy[p]) != 0 { break }
            firstOff += 1
        }

        // 4–5. Sweep and flip on local indices 0..<m (sweep order).
        let lx = distinct.map { gx[$0] }, ly = distinct.map { gy[$0] }
        var mesh = SweepMesh(x: lx, y: ly)
        mesh.sweep(firstOff: firstOff)
        mesh.legalize()
        mesh.peelSlivers(tolerance: Self.collinearTolerance)

        var tris: [Triangle] = []
        tris.reserveCapacity(mesh.vertices.count / 3)
        for t in 0..<(mesh.vertices.count / 3) where !mesh.removed[t] {
            let a = distinct[mesh.vertices[3 * t]], b = distinct[mesh.vertices[3 * t + 1]]
            let c = distinct[mesh.vertices[3 * t + 2]]
            tris.append(Triangle(a, b, c))
            edgeSet.insert(Edge(a, b)); edgeSet.insert(Edge(b, c)); edgeSet.insert(Edge(a, c))
        }
        triangles = tris
        hull = mesh.hullCycle().map { distinct[$0] }
        edges = edgeSet.sorted()
    }
}

extension DelaunayTriangulation {
    /// Largest distance from the line, in snapped grid units (2³⁰ = extent), still called collinear.
    static let collinearTolerance = 8.0

    /// When the points (indices into gx, gy) are collinear within `collinearTolerance`, or fewer
    /// than 3, returns them ordered along the line (ties by index); otherwise nil.
    static func collinearOrder(_ pts: [Int], _ gx: [Int64], _ gy: [Int64]) -> [Int]? {
        guard let p0 = pts.first else { return [] }
        func dx(_ p: Int) -> Double { Double(gx[p] - gx[p0]) }
        func dy(_ p: Int) -> Double { Double(gy[p] - gy[p0]) }
        var far = p0, farD = 0.0
        for p in pts { let d = dx(p) * dx(p) + dy(p) * dy(p); if d > farD { far = p; farD = d } }
        guard farD > 0 else { return pts }
        let len = farD.squareRoot(), ux = dx(far) / len, uy = dy(far) / len
        for p in pts where abs(ux * dy(p) - uy * dx(p)) > collinearTolerance { return nil }
        let t = Dictionary(uniqueKeysWithValues: pts.map { ($0, ux * dx($0) + uy * dy($0)) })
        return pts.sorted { (t[$0]!, $0) < (t[$1]!, $1) }
    }
}

/// Triangle mesh over distinct snapped points, used while building a `DelaunayTriangulation`.
/// Triangle t has vertices `vertices[3t..<3t+3]` (CCW); `neighbors[3t+k]` is the triangle across
/// the side opposite vertex k (from vertex k+1 to k+2), or −1 on the hull.
struct SweepMesh {
    let x: [Int64]
    let y: [Int64]
    var vertices: [Int] = []
    var neighbors: [Int] = []
    /// Hull as a circular doubly linked list (CCW), valid for hull vertices.
    var next: [Int]
    var prev: [Int]
    var hullStart = 0
    /// Triangles removed by `peelSlivers`.
    var removed: [Bool] = []

    init(x: [Int64], y: [Int64]) {
        self.x = x; self.y = y
        next = [Int](repeating: -1, count: x.count)
        prev = [Int](repeating: -1, count: x.count)
    }

    func orient(_ a: Int, _ b: Int, _ c: Int) -> Int {
        ExactPredicates.orient(x[a], y[a], x[b], y[b], x[c], y[c])
    }

    mutating func addTriangle(_ a: Int, _ b: Int, _ c: Int) {
        vertices.append(a); vertices.append(b); vertices.append(c)
    }

    /// Builds a triangulation of the points in sorted order; points 0..<firstOff are collinear and
    /// point `firstOff` is the first one off their line.
    mutating func sweep(firstOff k: Int) {
        let n = x.count
        let apex = k
        if orient(0, 1, apex) > 0 {
            for i in 0..<(k - 1) { addTriangle(i, i + 1, apex) }
            for i in 0..<(k - 1) { next[i] = i + 1; prev[i + 1] = i }
            next[k - 1] = apex; prev[apex] = k - 1
            next[apex] = 0; prev[0] = apex
        } else {
            for i in 0..<(k - 1) { addTriangle(i + 1, i, apex) }
            for i in 0..<(k - 1) { next[i + 1] = i; prev[i] = i + 1 }
            next[0] = apex; prev[apex] = 0
            next[apex] = k - 1; prev[k - 1] = apex
        }
        var last = apex
        for p in (k + 1)..<max(n, k + 1) {
            // The previous point is the lexicographic maximum so far: a strict hull vertex, and p
            // strictly sees at least one of its two hull edges.
            var a = last
            while orient(a, next[a], p) < 0 { addTriangle(next[a], a, p); a = next[a] }
            var b = last
            while orient(prev[b], b, p) < 0 { addTriangle(b, prev[b], p); b = prev[b] }
            next[b] = p; prev[p] = b
            next[p] = a; prev[a] = p
            last = p
        }
        hullStart = 0  // point 0 is the lexicographic minimum, always a hull vertex
        buildAdjacency()
    }

    /// Hull vertices, CCW from the lexicographic minimum.
    func hullCycle() -> [Int] {
        var out = [hullStart]
        var v = next[hullStart]
        while v != hullStart { out.append(v); v = next[v] }
        return out
    }

    /// Fills `neighbors` by matching each directed side with its reverse.
    mutating func buildAdjacency() {
        let t = vertices.count / 3
        let n = x.count
        neighbors = [Int](repeating: -1, count: 3 * t)
        var side: [Int: Int] = [:]  // directed side a→b (key a·n+b) → slot 3t+k
        side.reserveCapacity(3 * t)
        for s in 0..<(3 * t) {
            let tri = s / 3, k = s % 3
            let a = vertices[3 * tri + (k + 1) % 3], b = vertices[3 * tri + (k + 2) % 3]
            if let other = side[b * n + a] {
                neighbors[s] = other / 3
                neighbors[other] = tri
            } else {
                side[a * n + b] = s
            }
        }
    }

    /// Lawson flips until every interior side is locally Delaunay (exact in-circle test).
    mutating func legalize() {
        var stack: [Int] = []  // slots 3t+k: the side of t opposite vertex k
        for s in 0..<neighbors.count where neighbors[s] > s / 3 { stack.append(s) }
        while let s = stack.popLast() {
            let t = s / 3, k = s % 3
            let u = neighbors[s]
            guard u >= 0 else { continue }
            let p0 = vertices[3 * t + k], p1 = vertices[3 * t + (k + 1) % 3], p2 = vertices[3 * t + (k + 2) % 3]
            // In u the shared side runs p2 → p1; find its opposite vertex q0.
            var m = 0
            while m < 3 && neighbors[3 * u + m] != t { m += 1 }
            guard m < 3 else { continue }
            let q0 = vertices[3 * u + m]
            guard ExactPredicates.inCircle((x[p0], y[p0]), (x[p1], y[p1]), (x[p2], y[p2]), (x[q0], y[q0])) > 0
            else { continue }
            let a = neighbors[3 * t + (k + 1) % 3]  // across p2–p0
            let b = neighbors[3 * t + (k + 2) % 3]  // across p0–p1
            let c = neighbors[3 * u + (m + 1) % 3]  // across p1–q0
            let d = neighbors[3 * u + (m + 2) % 3]  // across q0–p2
            // t ← (p0, p1, q0), u ← (p0, q0, p2)
            vertices[3 * t] = p0; vertices[3 * t + 1] = p1; vertices[3 * t + 2] = q0
            neighbors[3 * t] = c; neighbors[3 * t + 1] = u; neighbors[3 * t + 2] = b
            vertices[3 * u] = p0; vertices[3 * u + 1] = q0; vertices[3 * u + 2] = p2
            neighbors[3 * u] = d; neighbors[3 * u + 1] = a; neighbors[3 * u + 2] = t
            if c >= 0 { replaceNeighbor(of: c, old: u, new: t) }
            if a >= 0 { replaceNeighbor(of: a, old: t, new: u) }
            stack.append(3 * t); stack.append(3 * t + 2)
            stack.append(3 * u); stack.append(3 * u + 1)
        }
    }

    /// Removes hull triangles (a, b, c) on hull side a→b whose vertex c is within `tolerance` grid
    /// units of the line ab, projects strictly inside the segment, and is not a boundary vertex;
    /// c then joins the boundary between a and b. Repeats until no such triangle remains.
    mutating func peelSlivers(tolerance: Double) {
        let tcount = vertices.count / 3
        removed = [Bool](repeating: false, count: tcount)
        var onBoundary = [Bool](repeating: false, count: x.count)
        for v in hullCycle() { onBoundary[v] = true }
        var queue: [Int] = []
        for s in 0..<neighbors.count where neighbors[s] < 0 { queue.append(s) }
        while let s = queue.popLast() {
            let t = s / 3, k = s % 3
            guard !removed[t], neighbors[s] < 0 else { continue }
            let c = vertices[s], a = vertices[3 * t + (k + 1) % 3], b = vertices[3 * t + (k + 2) % 3]
            guard !onBoundary[c] else { continue }
            let abx = Double(x[b] - x[a]), aby = Double(y[b] - y[a])
            let acx = Double(x[c] - x[a]), acy = Double(y[c] - y[a])
            let len2 = abx * abx + aby * aby
            let along = abx * acx + aby * acy
            guard along > 0, along < len2, abs(abx * acy - aby * acx) <= tolerance * len2.squareRoot() else { continue }
            removed[t] = true
            onBoundary[c] = true
            next[a] = c; prev[c] = a; next[c] = b; prev[b] = c
            for j in [(k + 1) % 3, (k + 2) % 3] {
                let nb = neighbors[3 * t + j]
                guard nb >= 0 else { continue }
                for m in 0..<3 where neighbors[3 * nb + m] == t {
                    neighbors[3 * nb + m] = -1
                    queue.append(3 * nb + m)
                }
            }
        }
    }

    mutating func replaceNeighbor(of tri: Int, old: Int, new: Int) {
        for k in 0..<3 where neighbors[3 * tri + k] == old { neighbors[3 * tri + k] = new; return }
    }
}
