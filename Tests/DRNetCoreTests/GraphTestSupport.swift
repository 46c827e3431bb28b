import XCTest
@testable import DRNetAnalysis
@testable import DRNetCore
@testable import DRNetCrystal
@testable import DRNetEngine
@testable import DRNetIO
@testable import DRNetPlotting
@testable import DRNetSynthetic

/// Helpers shared by the Graph*Tests (prefixed to avoid clashes with other test files).
enum GraphTestKit {
    /// Uniform doubles in [0, 1) from the project's seeded generator.
    static func uniform(_ count: Int, seed: UInt64) -> [Double] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { _ in Double(rng.next() >> 11) * 0x1p-53 }
    }

    static func orient(_ p: [Double], _ a: Int, _ b: Int, _ c: Int) -> Double {
        (p[2 * b] - p[2 * a]) * (p[2 * c + 1] - p[2 * a + 1]) - (p[2 * b + 1] - p[2 * a + 1]) * (p[2 * c] - p[2 * a])
    }

    /// In-circle determinant (> 0: d inside the circumcircle of CCW a, b, c).
    static func inCircle(_ p: [Double], _ a: Int, _ b: Int, _ c: Int, _ d: Int) -> Double {
        let adx = p[2 * a] - p[2 * d], ady = p[2 * a + 1] - p[2 * d + 1]
        let bdx = p[2 * b] - p[2 * d], bdy = p[2 * b + 1] - p[2 * d + 1]
        let cdx = p[2 * c] - p[2 * d], cdy = p[2 * c + 1] - p[2 * d + 1]
        return (adx * adx + ady * ady) * (bdx * cdy - cdx * bdy)
            + (bdx * bdx + bdy * bdy) * (cdx * ady - adx * cdy)
            + (cdx * cdx + cdy * cdy) * (adx * bdy - bdx * ady)
    }

    /// Number of points on the convex-hull boundary (vertices and points on hull edges), by an
    /// independent monotone chain keeping collinear boundary points. Assumes distinct points.
    static func hullBoundaryCount(_ p: [Double], tolerance: Double = 1e-12) -> Int {
        let n = p.count / 2
        let idx = (0..<n).sorted { (p[2 * $0], p[2 * $0 + 1]) < (p[2 * $1], p[2 * $1 + 1]) }
        func chain(_ order: [Int]) -> [Int] {
            var h: [Int] = []
            for i in order {
                while h.count >= 2 && orient(p, h[h.count - 2], h[h.count - 1], i) < -tolerance { h.removeLast() }
                h.append(i)
            }
            return h
        }
        let lower = chain(idx), upper = chain(idx.reversed())
        return Set(lower + upper).count
    }

    /// Area of the convex hull (strict monotone chain + shoelace).
    static func hullArea(_ p: [Double]) -> Double {
        let n = p.count / 2
        let idx = (0..<n).sorted { (p[2 * $0], p[2 * $0 + 1]) < (p[2 * $1], p[2 * $1 + 1]) }
        func chain(_ order: [Int]) -> [Int] {
            var h: [Int] = []
            for i in order {
                while h.count >= 2 && orient(p, h[h.count - 2], h[h.count - 1], i) <= 0 { h.removeLast() }
                h.append(i)
            }
            return h
        }
        let lower = chain(idx), upper = chain(idx.reversed())
        let hull = Array(lower.dropLast()) + Array(upper.dropLast())
        var a = 0.0  // fan from the first hull vertex (no cancellation far from the origin)
        for k in 1..<max(hull.count - 1, 1) { a += orient(p, hull[0], hull[k], hull[k + 1]) }
        return a / 2
    }

    /// Asserts that `tri` is a valid Delaunay triangulation of the distinct points `p` (N×2):
    /// CCW non-degenerate triangles, each side in one or two triangles, total area = hull area,
    /// no two edges crossing, empty circumcircles (points on the circle allowed, relative tolerance).
    static func assertValidDelaunay(
        _ tri: DelaunayTriangulation, _ p: [Double], checkCrossings: Bool = true,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        let n = p.count / 2
        var sideCount: [Edge: Int] = [:]
        var area = 0.0
        let extent = max((p.max() ?? 0) - (p.min() ?? 0), 1e-300)
        let e2 = extent * extent, e4 = e2 * e2
        for t in tri.triangles {
            let o = orient(p, t.a, t.b, t.c)
            XCTAssertGreaterThan(o, 1e-14 * e2, "triangle \(t) not counter-clockwise", file: file, line: line)
            area += o / 2
            for e in [Edge(t.a, t.b), Edge(t.b, t.c), Edge(t.a, t.c)] { sideCount[e, default: 0] += 1 }
            for d in 0..<n where d != t.a && d != t.b && d != t.c {
                let ic = inCircle(p, t.a, t.b, t.c, d)
                if ic > 1e-10 * e4 {
                    XCTFail("point \(d) inside circumcircle of \(t) (\(ic))", file: file, line: line)
                    return
                }
            }
        }
        XCTAssertTrue(sideCount.values.allSatisfy { $0 == 1 || $0 == 2 }, "a side in > 2 triangles", file: file, line: line)
        XCTAssertEqual(area, hullArea(p), accuracy: 1e-9 * e2, "triangles do not tile the hull", file: file, line: line)
        if checkCrossings { assertNoCrossings(tri.edges, p, file: file, line: line) }
    }

    /// No two edges cross at an interior point (shared endpoints allowed).
    static func assertNoCrossings(_ edges: [Edge], _ p: [Double], file: StaticString = #filePath, line: UInt = #line) {
        for a in 0..<edges.count {
            for b in (a + 1)..<edges.count {
                let e = edges[a], f = edges[b]
                if e.i == f.i || e.i == f.j || e.j == f.i || e.j == f.j { continue }
                let o1 = orient(p, e.i, e.j, f.i), o2 = orient(p, e.i, e.j, f.j)
                let o3 = orient(p, f.i, f.j, e.i), o4 = orient(p, f.i, f.j, e.j)
                if o1 * o2 < 0 && o3 * o4 < 0 {
                    XCTFail("edges \(e) and \(f) cross", file: file, line: line)
                    return
                }
            }
        }
    }
}
