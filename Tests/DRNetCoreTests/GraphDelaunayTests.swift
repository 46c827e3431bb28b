import XCTest
@testable import DRNetAnalysis
@testable import DRNetCore
@testable import DRNetCrystal
@testable import DRNetEngine
@testable import DRNetIO
@testable import DRNetPlotting
@testable import DRNetSynthetic

final class GraphDelaunayTests: XCTestCase {
    func testRandomPointsAreValidDelaunay() {
        for (n, seed) in [(3, 1), (4, 2), (10, 3), (57, 4), (200, 5), (600, 6)] as [(Int, UInt64)] {
            let p = GraphTestKit.uniform(2 * n, seed: seed)
            let tri = DelaunayTriangulation(points: p)
            GraphTestKit.assertValidDelaunay(tri, p, checkCrossings: n <= 200)
            let h = GraphTestKit.hullBoundaryCount(p)
            XCTAssertEqual(tri.hull.count, h, "n = \(n)")
            XCTAssertEqual(tri.edges.count, 3 * n - 3 - h, "Euler edge count, n = \(n)")
            XCTAssertEqual(tri.triangles.count, 2 * n - 2 - h, "Euler triangle count, n = \(n)")
            XCTAssertEqual(tri.edges, tri.edges.sorted())
            XCTAssertTrue(tri.edges.allSatisfy { $0.i < $0.j })
            XCTAssertEqual(tri.representative, Array(0..<n))
        }
    }

    func testClusteredAndScaledPoints() {
        // Tiny extent far from the origin, and a dense cluster beside far points.
        var p = GraphTestKit.uniform(200, seed: 11).map { 1000 + 1e-6 * $0 }
        GraphTestKit.assertValidDelaunay(DelaunayTriangulation(points: p), p)
        p = GraphTestKit.uniform(160, seed: 12).map { 1e-4 * $0 } + [0, 1, 1, 0, 1, 1, -1, -1]
        GraphTestKit.assertValidDelaunay(DelaunayTriangulation(points: p), p)
    }

    func testSquareGridWithCocircularQuadruples() {
        // 10×10 square grid: every cell has four co-circular corners.
        let k = 10
        var p: [Double] = []
        for r in 0..<k {
            for c in 0..<k {
                p.append(Double(c) * 0.05)
                p.append(Double(r) * 0.05)
            }
        }
        let tri = DelaunayTriangulation(points: p)
        GraphTestKit.assertValidDelaunay(tri, p)
        let n = k * k, h = 4 * (k - 1)
        XCTAssertEqual(tri.hull.count, h)
        XCTAssertEqual(tri.triangles.count, 2 * n - 2 - h)
        XCTAssertEqual(tri.edges.count, 3 * n - 3 - h)
    }

    func testTernaryGridsInBothCoordinateSystems() {
        // The ternary grid with step 0.05 (231 points), raw (c2, c3) coordinates (right-angled,
        // co-circular squares) and ternary coordinates (equilateral lattice).
        var comp: [Double] = []
        for a in 0...20 {
            for b in 0...(20 - a) {
                let c: [Double] = [Double(a) / 20, Double(b) / 20, Double(20 - a - b) / 20]
                comp += c
            }
        }
        let n = comp.count / 3
        XCTAssertEqual(n, 231)
        var raw: [Double] = []
        for i in 0..<n {
            raw.append(comp[3 * i + 1])
            raw.append(comp[3 * i + 2])
        }
        let tern = SimplexProjection.ternary(compositions: comp)
        for p in [raw, tern] {
            let tri = DelaunayTriangulation(points: p)
            GraphTestKit.assertValidDelaunay(tri, p, checkCrossings: false)
            XCTAssertEqual(tri.hull.count, 60)
            XCTAssertEqual(tri.edges.count, 3 * n - 3 - 60)
        }
        let ortho = SimplexProjection.orthonormal(compositions: comp, elementCount: 3)
        XCTAssertTrue(DelaunayTriangulation(points: ortho).edges == DelaunayTriangulation(points: tern).edges)
    }

    func testRandomSubsetsOfSmallGridsWithDuplicates() {
        // Many collinear, co-circular and duplicate points: valid triangulation, Euler counts.
        var rng = SeededGenerator(seed: 77)
        for trial in 0..<300 {
            let side = 2 + rng.next(below: 6)
            let n = 1 + rng.next(below: 40)
            var p: [Double] = []
            for _ in 0..<n {
                p.append(Double(rng.next(below: side)) * 0.05)
                p.append(Double(rng.next(below: side)) * 0.05 * (trial % 2 == 0 ? 1 : 0.866))
            }
            let tri = DelaunayTriangulation(points: p)
            GraphTestKit.assertValidDelaunay(tri, p)
            let reps = (0..<n).filter { tri.representative[$0] == $0 }
            XCTAssertEqual(
                tri.edges.count - (n - reps.count),
                {
                    let q = reps.flatMap { [p[2 * $0], p[2 * $0 + 1]] }
                    let m = reps.count
                    if tri.triangles.isEmpty { return max(m - 1, 0) }
                    return 3 * m - 3 - GraphTestKit.hullBoundaryCount(q)
                }(), "trial \(trial)")
            XCTAssertTrue((0..<n).allSatisfy { tri.representative[tri.representative[$0]] == tri.representative[$0] })
            // Connected: duplicates and collinear paths included.
            let g = try? CompositionGraph(sampleCount: n, edges: tri.edges)
            XCTAssertEqual(g?.isConnected, true, "trial \(trial)")
        }
    }

    func testDuplicatesJoinTheirRepresentative() {
        // A triangle plus a centre point; 4 duplicates this of point 1, point 5 of point 3 (exact
        // and within the snapping resolution).
        let p: [Double] = [0, 0, 1, 0, 0.5, 1, 0.5, 0.4, 1, 0, 0.5, 0.4 + 1e-13]
        let tri = DelaunayTriangulation(points: p)
        XCTAssertEqual(tri.representative, [0, 1, 2, 3, 1, 3])
        XCTAssertEqual(tri.triangles.count, 3)
        XCTAssertEqual(
            tri.edges,
            [
                Edge(0, 1), Edge(0, 2), Edge(0, 3), Edge(1, 2), Edge(1, 3), Edge(1, 4),
                Edge(2, 3), Edge(3, 5)
            ])
        // All points identical: a star on point 0.
        let same = DelaunayTriangulation(points: [Double](repeating: 0.3, count: 8))
        XCTAssertEqual(same.edges, [Edge(0, 1), Edge(0, 2), Edge(0, 3)])
        XCTAssertTrue(same.triangles.isEmpty)
    }

    func testCollinearPointsGiveAPath() {
        // Shuffled points on a slanted line, plus a duplicate.
        let t: [Double] = [0.3, 0.0, 0.9, 0.6, 0.1, 0.3]
        var p: [Double] = []
        for v in t {
            p.append(1 + 2 * v)
            p.append(-1 + 0.5 * v)
        }
        let tri = DelaunayTriangulation(points: p)
        XCTAssertTrue(tri.triangles.isEmpty)
        XCTAssertEqual(tri.edges, [Edge(1, 4), Edge(0, 4), Edge(0, 3), Edge(2, 3), Edge(0, 5)].sorted())
        XCTAssertEqual(tri.representative, [0, 1, 2, 3, 4, 0])
        // Vertical line.
        p = [0, 2, 0, 0, 0, 1]
        XCTAssertEqual(DelaunayTriangulation(points: p).edges, [Edge(0, 2), Edge(1, 2)])
    }

    func testCollinearPrefixThenApex() {
        // Several collinear points sorted first, then points off the line on both sides.
        let p: [Double] = [0, 0, 0, 1, 0, 2, 0, 3, 1, 1.5, -1, 1.2, 2, 0.1, 0.5, 3.5]
        GraphTestKit.assertValidDelaunay(DelaunayTriangulation(points: p), p)
        let q: [Double] = [0, 0, 1, 0, 2, 0, 3, 0, 1.5, -1, 1.5, 1, 4, 0]
        let tri = DelaunayTriangulation(points: q)
        GraphTestKit.assertValidDelaunay(tri, q)
        XCTAssertEqual(tri.hull.count, GraphTestKit.hullBoundaryCount(q))
    }

    func testFewPoints() {
        XCTAssertEqual(DelaunayTriangulation(points: []).edges, [])
        XCTAssertEqual(DelaunayTriangulation(points: [0.2, 0.7]).edges, [])
        XCTAssertEqual(DelaunayTriangulation(points: [0.2, 0.7]).hull, [0])
        XCTAssertEqual(DelaunayTriangulation(points: [0.2, 0.7, 0.1, 0.1]).edges, [Edge(0, 1)])
        let three = DelaunayTriangulation(points: [0, 0, 0, 1, 1, 0])
        XCTAssertEqual(three.edges, [Edge(0, 1), Edge(0, 2), Edge(1, 2)])
        XCTAssertEqual(three.triangles.count, 1)
        XCTAssertEqual(three.hull, [0, 2, 1])
    }

    func testSimplexProjectionIsIsometric() {
        let m = 5, n = 20
        var c = GraphTestKit.uniform(n * m, seed: 9)
        for i in 0..<n {
            let s = c[(i * m)..<(i * m + m)].reduce(0, +)
            for k in 0..<m { c[i * m + k] /= s }
        }
        let y = SimplexProjection.orthonormal(compositions: c, elementCount: m)
        XCTAssertEqual(y.count, n * (m - 1))
        for i in 0..<n {
            for j in 0..<n {
                var dc = 0.0, dy = 0.0
                for k in 0..<m { dc += pow(c[i * m + k] - c[j * m + k], 2) }
                for k in 0..<(m - 1) { dy += pow(y[i * (m - 1) + k] - y[j * (m - 1) + k], 2) }
                XCTAssertEqual(dc, dy, accuracy: 1e-12)
            }
        }
        let t = SimplexProjection.ternary(compositions: [1, 0, 0, 0, 1, 0, 0, 0, 1])
        XCTAssertEqual(t[0], 0); XCTAssertEqual(t[1], 0); XCTAssertEqual(t[2], 1); XCTAssertEqual(t[3], 0)
        XCTAssertEqual(t[4], 0.5); XCTAssertEqual(t[5], 3.0.squareRoot() / 2, accuracy: 1e-15)
    }
}
