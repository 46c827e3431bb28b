import Foundation
import XCTest
@testable import DRNetAnalysis
@testable import DRNetCore
@testable import DRNetCrystal
@testable import DRNetEngine
@testable import DRNetIO
@testable import DRNetPlotting
@testable import DRNetSynthetic
import TestSupport

final class GraphCompositionTests: XCTestCase {
    // MARK: shared datasets

    /// N×M compositions from `instance.txt`: the rows named by `Composition=` (minimal parser).
    private func compositions(_ dataset: String) throws -> (values: [Double], m: Int, dir: URL) {
        guard let dir = SharedData.dataset(dataset) else {
            throw XCTSkip("shared dataset \(dataset) absent (no ../shared or $DRNET_SHARED)")
        }
        let text = try String(contentsOf: dir.appendingPathComponent("instance.txt"), encoding: .utf8)
        var rows: [String: [Double]] = [:]
        var names: [String] = []
        for line in text.split(whereSeparator: \.isNewline) {
            guard !line.hasPrefix("I"), !line.hasPrefix("//"), let eq = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<eq]).trimmingCharacters(in: .whitespaces)
            let fields = line[line.index(after: eq)...].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if key == "Composition" { names = fields } else { rows[key] = fields.compactMap { Double($0) } }
        }
        let cols = try names.map { name -> [Double] in
            guard let r = rows[name] else { throw XCTSkip("\(dataset): no row \(name)") }
            return r
        }
        let n = cols.first?.count ?? 0
        var out: [Double] = []
        for i in 0..<n { for c in cols { out.append(c[i]) } }
        return (out, names.count, dir)
    }

    /// Reference edges: `edges.csv` (i,j header) or `neighbors.txt` (sample, then neighbours).
    private func referenceEdges(_ dir: URL) throws -> [Edge] {
        let csv = dir.appendingPathComponent("edges.csv")
        if FileManager.default.fileExists(atPath: csv.path) {
            let lines = try String(contentsOf: csv, encoding: .utf8).split(whereSeparator: \.isNewline).dropFirst()
            return lines.map { l in
                let f = l.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces))! }
                return Edge(f[0], f[1])
            }
        }
        let text = try String(contentsOf: dir.appendingPathComponent("neighbors.txt"), encoding: .utf8)
        var out: [Edge] = []
        for l in text.split(whereSeparator: \.isNewline) {
            let f = l.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces))! }
            for j in f.dropFirst() { out.append(Edge(f[0], j)) }
        }
        return out
    }

    private func compareWithReference(_ dataset: String) throws
        -> (ours: CompositionGraph, reference: CompositionGraph, common: Int, onlyOurs: Int, onlyReference: Int)
    {
        let (c, m, dir) = try compositions(dataset)
        XCTAssertEqual(m, 3)
        let ours = try CompositionGraph.build(compositions: c, elementCount: m)
        let reference = try CompositionGraph(sampleCount: ours.sampleCount, edges: referenceEdges(dir))
        let a = ours.agreement(with: reference)
        print(
            "graph \(dataset): N = \(ours.sampleCount), ours \(ours.edges.count) edges (mean degree "
                + "\(ours.meanDegree)), reference \(reference.edges.count) (mean degree \(reference.meanDegree)); "
                + "common \(a.common), only ours \(a.onlySelf), only reference \(a.onlyOther)")
        XCTAssertTrue(ours.isConnected)
        return (ours, reference, a.common, a.onlySelf, a.onlyOther)
    }

    func testAlLiFeDelaunayMatchesReference() throws {
        let r = try compareWithReference("al-li-fe")
        XCTAssertEqual(r.ours.sampleCount, 231)
        XCTAssertEqual(r.common, 630)  // the reference is the full Delaunay graph of the grid
        XCTAssertEqual(r.onlyOurs, 0)
        XCTAssertEqual(r.onlyReference, 0)
        XCTAssertEqual(r.ours.meanDegree, 2 * 630 / 231, accuracy: 1e-12)  // ≈ 5.45
    }

    func testBiCuVDelaunayMatchesReference() throws {
        let r = try compareWithReference("bi-cu-v")
        XCTAssertEqual(r.ours.sampleCount, 307)
        // The reference drops some long hull edges; otherwise the graphs agree.
        XCTAssertGreaterThanOrEqual(Double(r.common), 0.98 * Double(r.reference.edges.count))
        XCTAssertGreaterThanOrEqual(Double(r.common), 0.95 * Double(r.ours.edges.count))
        XCTAssertEqual(r.ours.meanDegree, 5.5, accuracy: 0.5)
    }

    func testTaRhPdDelaunayMatchesReference() throws {
        let r = try compareWithReference("ta-rh-pd")
        XCTAssertEqual(r.ours.sampleCount, 197)
        XCTAssertGreaterThanOrEqual(Double(r.common), 0.98 * Double(r.reference.edges.count))
        XCTAssertGreaterThanOrEqual(Double(r.common), 0.95 * Double(r.ours.edges.count))
    }

    // MARK: construction

    func testGivenEdgeListIsValidated() throws {
        let g = try CompositionGraph(sampleCount: 5, edges: [Edge(3, 1), Edge(0, 1), Edge(1, 3)])
        XCTAssertEqual(g.edges, [Edge(0, 1), Edge(1, 3)])
        XCTAssertEqual(g.neighbors(of: 1), [0, 3])
        XCTAssertEqual(g.degree(of: 1), 2)
        XCTAssertEqual(g.degrees, [1, 2, 0, 1, 0])
        XCTAssertEqual(g.meanDegree, 0.8, accuracy: 1e-12)
        XCTAssertFalse(g.isConnected)
        XCTAssertEqual(g.components(), [[0, 1, 3], [2], [4]])
        XCTAssertThrowsError(try CompositionGraph(sampleCount: 3, edges: [Edge(0, 3)]))
        XCTAssertThrowsError(try CompositionGraph(sampleCount: 3, edges: [Edge(-1, 2)]))
        XCTAssertThrowsError(try CompositionGraph(sampleCount: 3, edges: [Edge(2, 2)]))
        XCTAssertThrowsError(try CompositionGraph(sampleCount: -1, edges: []))
        let empty = try CompositionGraph(sampleCount: 0, edges: [])
        XCTAssertTrue(empty.isConnected)
        XCTAssertEqual(empty.meanDegree, 0)
    }

    func testAgreementCounts() throws {
        let a = try CompositionGraph(sampleCount: 4, edges: [Edge(0, 1), Edge(1, 2), Edge(2, 3)])
        let b = try CompositionGraph(sampleCount: 4, edges: [Edge(0, 1), Edge(0, 2), Edge(0, 3), Edge(2, 3)])
        let r = a.agreement(with: b)
        XCTAssertEqual(r.common, 2); XCTAssertEqual(r.onlySelf, 1); XCTAssertEqual(r.onlyOther, 2)
    }

    func testBuildRejectsBadInput() {
        XCTAssertThrowsError(try CompositionGraph.build(compositions: [0.5, 0.5, 1], elementCount: 2))
        XCTAssertThrowsError(try CompositionGraph.build(compositions: [], elementCount: 0))
        XCTAssertThrowsError(try CompositionGraph.build(compositions: [.nan, 1, 0], elementCount: 3))
        XCTAssertThrowsError(try CompositionGraph.build(compositions: [0.5, 0.5], elementCount: 2, strategy: .delaunay))
        XCTAssertThrowsError(try CompositionGraph.build(compositions: [1, 0, 0], elementCount: 3, strategy: .path))
        XCTAssertThrowsError(
            try CompositionGraph.build(
                compositions: [1, 0, 0], elementCount: 3,
                strategy: .nearestNeighbors(k: 0)))
    }

    func testTernaryDuplicatesAndFewSamples() throws {
        // Sample 3 duplicates sample 0.
        let c: [Double] = [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0.4, 0.3, 0.3]
        let g = try CompositionGraph.build(compositions: c, elementCount: 3)
        XCTAssertEqual(g.edges, [Edge(0, 1), Edge(0, 2), Edge(0, 3), Edge(0, 4), Edge(1, 2), Edge(1, 4), Edge(2, 4)])
        XCTAssertTrue(g.isConnected)
        XCTAssertEqual(try CompositionGraph.build(compositions: [0.2, 0.3, 0.5], elementCount: 3).edges, [])
        XCTAssertEqual(
            try CompositionGraph.build(compositions: [0.2, 0.3, 0.5, 0.5, 0.3, 0.2], elementCount: 3).edges,
            [Edge(0, 1)])
        XCTAssertEqual(try CompositionGraph.build(compositions: [], elementCount: 3).sampleCount, 0)
        // Collinear ternary samples (constant third fraction): a path in order along the line.
        let line: [Double] = [0.5, 0.4, 0.1, 0.1, 0.8, 0.1, 0.9, 0.0, 0.1, 0.3, 0.6, 0.1]
        XCTAssertEqual(
            try CompositionGraph.build(compositions: line, elementCount: 3).edges,
            [Edge(0, 2), Edge(0, 3), Edge(1, 3)])
    }

    func testBinaryPath() throws {
        // Second fractions 0.6, 0.2, 0.9, 0.2, 0.0: sorted 4(0.0), 1, 3 (duplicates), 0, 2.
        let c: [Double] = [0.4, 0.6, 0.8, 0.2, 0.1, 0.9, 0.8, 0.2, 1.0, 0.0]
        let g = try CompositionGraph.build(compositions: c, elementCount: 2)
        XCTAssertEqual(g.edges, [Edge(1, 4), Edge(1, 3), Edge(0, 3), Edge(0, 2)].sorted())
        XCTAssertTrue(g.isConnected)
        XCTAssertEqual(g.edges.count, 4)
        // M = 1: all samples identical, joined in index order.
        XCTAssertEqual(try CompositionGraph.build(compositions: [1, 1, 1], elementCount: 1).edges, [Edge(0, 1), Edge(1, 2)])
    }

    func testQuaternaryNearestNeighboursAreConnected() throws {
        // Two far clusters in a 4-element simplex: kNN alone is disconnected, the repair joins them.
        var rng = SeededGenerator(seed: 5)
        var c: [Double] = []
        for i in 0..<60 {
            var row = (0..<4).map { _ in 0.02 * Double(rng.next() >> 11) * 0x1p-53 }
            row[i < 30 ? 0 : 3] += 1
            let s = row.reduce(0, +)
            c += row.map { $0 / s }
        }
        let g = try CompositionGraph.build(compositions: c, elementCount: 4)
        XCTAssertTrue(g.isConnected)
        XCTAssertEqual(g.sampleCount, 60)
        XCTAssertGreaterThanOrEqual(g.degrees.min()!, 8)  // k = 2M = 8 nearest, symmetrised
        let crossing = g.edges.filter { ($0.i < 30) != ($0.j < 30) }
        XCTAssertEqual(crossing.count, 1)
        let knnOnly = NeighborGraphs.nearestNeighbors(points: c, dimension: 4, k: 8)
        XCTAssertFalse(try CompositionGraph(sampleCount: 60, edges: knnOnly).isConnected)
        // Explicit k, and kNN on ternary data.
        let g3 = try CompositionGraph.build(
            compositions: Array(c.prefix(3 * 20)), elementCount: 3,
            strategy: .nearestNeighbors(k: 2))
        XCTAssertTrue(g3.isConnected)
    }

    func testQuaternaryGridMeanDegree() throws {
        // The quaternary grid with step 0.1 (286 samples).
        var c: [Double] = []
        for a in 0...10 {
            for b in 0...(10 - a) {
                for d in 0...(10 - a - b) {
                    let row: [Double] = [Double(a) / 10, Double(b) / 10, Double(d) / 10, Double(10 - a - b - d) / 10]
                    c += row
                }
            }
        }
        let g = try CompositionGraph.build(compositions: c, elementCount: 4)
        XCTAssertEqual(g.sampleCount, 286)
        XCTAssertTrue(g.isConnected)
        XCTAssertGreaterThanOrEqual(g.meanDegree, 8)
        XCTAssertLessThanOrEqual(g.meanDegree, 16)
    }
}
