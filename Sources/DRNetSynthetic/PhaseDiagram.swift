import DRNetCrystal
import DRNetEngine
import DRNetIO
import Foundation

/// A stable phase of a synthetic ternary phase diagram.
///
/// It sits at `composition` (cation fractions, M = 3, summing to 1). With a solubility range it
/// is a solid solution along the straight segment from `composition` to `solubilityEnd`; its
/// lattice follows Vegard's law along the segment: the multiplicative peak shift (positions
/// s·q⁰) is s(t) = 1 + t·(endShift − 1) at t ∈ [0, 1] of the way to the end.
public struct StablePhase: Sendable, Codable, Equatable {
    /// The candidate phase's name (its stick pattern renders this phase).
    public var name: String
    public var composition: [Double]
    public var solubilityEnd: [Double]?
    public var endShift: Double

    public init(name: String, composition: [Double], solubilityEnd: [Double]? = nil, endShift: Double = 1) {
        self.name = name
        self.composition = composition
        self.solubilityEnd = solubilityEnd
        self.endShift = endShift
    }
}

/// A phase present in a sample: its index in `PhaseDiagram.phases`, its fraction and its shift.
public struct PhaseAmount: Sendable, Equatable {
    public var phase: Int
    public var fraction: Double
    public var shift: Double
}

/// A ternary phase diagram in the spirit of Le Bras et al. (AAAI 2014): the vertices are the
/// stable phases' compositions (two per solid solution: both ends of its segment); the diagram's
/// tie triangles are the Delaunay triangulation of the vertices on the simplex plane. A sample
/// with composition c lies in one triangle; its phase fractions are the lever rule, i.e. the
/// barycentric coordinates λ of c in that triangle (c = Σ λ_v c_v), summed per phase:
///
///     w_k = Σ_{v of phase k} λ_v,    t_k = λ_end / (λ_start + λ_end)  (solid solution position)
///
/// Consequences by construction: fractions are ≥ 0 and sum to 1; a sample holds at most 3 phases
/// inside the triangle, at most 2 on a side and 1 at a corner, and never a phase whose cations it
/// lacks when every vertex of that phase contains the phase's cations (Gibbs and element rules);
/// a triangle holding both ends of a solid solution has only 2 phases, one of them alloying
/// (alloying rule); each phase occupies the star of its vertices, a connected region.
/// A solid solution's segment must be an edge of the triangulation (checked).
public struct PhaseDiagram: Sendable {
    public let phases: [StablePhase]
    /// Vertex compositions (M = 3 each) and, per vertex, its phase and whether it is the far
    /// end of the phase's solubility segment.
    public let vertices: [[Double]]
    public let vertexPhase: [Int]
    public let vertexIsEnd: [Bool]
    /// Tie triangles (vertex indices).
    public let triangles: [Triangle]

    /// Builds the diagram. Throws `ConfigurationError` for compositions that are not 3 fractions
    /// summing to 1, duplicate vertices, a solubility segment that is not a triangulation edge, or
    /// vertices that do not span the whole composition triangle (the three corners must be phases).
    public init(phases: [StablePhase]) throws {
        var vertices: [[Double]] = [], owner: [Int] = [], isEnd: [Bool] = []
        for (k, phase) in phases.enumerated() {
            for (c, end) in [(phase.composition, false)] + (phase.solubilityEnd.map { [($0, true)] } ?? []) {
                guard c.count == 3, c.allSatisfy({ $0 >= 0 && $0.isFinite }), abs(c.reduce(0, +) - 1) < 1e-6 else {
                    throw ConfigurationError("phase \(phase.name): composition \(c) is not 3 cation fractions summing to 1")
                }
                if let j = vertices.firstIndex(where: { zip($0, c).allSatisfy { abs($0 - $1) < 1e-9 } }) {
                    throw ConfigurationError("phase \(phase.name): composition \(c) is already taken by \(phases[owner[j]].name)")
                }
                vertices.append(c); owner.append(k); isEnd.append(end)
            }
        }
        for corner in 0..<3 where !vertices.contains(where: { $0[corner] > 1 - 1e-9 }) {
            throw ConfigurationError(
                "the phase diagram needs a phase at every corner of the composition triangle (corner \(corner + 1) has none)")
        }
        let plane = vertices.map(Self.plane)
        let delaunay = DelaunayTriangulation(x: plane.map(\.0), y: plane.map(\.1))
        for (k, phase) in phases.enumerated() where phase.solubilityEnd != nil {
            let a = owner.indices.first { owner[$0] == k && !isEnd[$0] }!, b = owner.indices.first { owner[$0] == k && isEnd[$0] }!
            guard delaunay.edges.contains(Edge(a, b)) else {
                throw ConfigurationError(
                    "phase \(phase.name): its solubility segment crosses other tie lines (not an edge of the triangulation); move its end")
            }
        }
        self.phases = phases
        self.vertices = vertices
        self.vertexPhase = owner
        self.vertexIsEnd = isEnd
        self.triangles = delaunay.triangles
    }

    /// The composition triangle on the plane: (c₂ + c₃/2, c₃·√3/2), corners (0,0), (1,0), (½, √3/2).
    static func plane(_ c: [Double]) -> (Double, Double) { (c[1] + c[2] / 2, c[2] * 3.0.squareRoot() / 2) }

    /// The phases of a sample with cation composition `c` (3 fractions summing to 1), by the lever
    /// rule; fractions > 0 only, in phase order. Nil when c lies outside every triangle.
    public func decompose(_ c: [Double]) -> [PhaseAmount]? {
        let (px, py) = Self.plane(c)
        for t in triangles {
            let ids = [t.a, t.b, t.c]
            let p = ids.map { Self.plane(vertices[$0]) }
            let det = (p[1].1 - p[2].1) * (p[0].0 - p[2].0) + (p[2].0 - p[1].0) * (p[0].1 - p[2].1)
            guard abs(det) > 1e-14 else { continue }
            var l0 = ((p[1].1 - p[2].1) * (px - p[2].0) + (p[2].0 - p[1].0) * (py - p[2].1)) / det
            var l1 = ((p[2].1 - p[0].1) * (px - p[2].0) + (p[0].0 - p[2].0) * (py - p[2].1)) / det
            var l2 = 1 - l0 - l1
            let eps = 1e-9
            guard l0 >= -eps, l1 >= -eps, l2 >= -eps else { continue }
            // Snap rounding noise so samples on a side or vertex get exact zeros.
            l0 = l0 < eps ? 0 : l0; l1 = l1 < eps ? 0 : l1; l2 = l2 < eps ? 0 : l2
            let sum = l0 + l1 + l2
            let lambda = [l0 / sum, l1 / sum, l2 / sum]
            var out: [PhaseAmount] = []
            for k in phases.indices {
                var start = 0.0, end = 0.0
                for (v, l) in zip(ids, lambda) where vertexPhase[v] == k {
                    if vertexIsEnd[v] { end += l } else { start += l }
                }
                let w = start + end
                guard w > 0 else { continue }
                let position = end / w
                out.append(PhaseAmount(phase: k, fraction: w, shift: 1 + position * (phases[k].endShift - 1)))
            }
            return out
        }
        return nil
    }
}
