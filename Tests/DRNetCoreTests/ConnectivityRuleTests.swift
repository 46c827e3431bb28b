import XCTest
@testable import DRNetEngine

/// The connectivity rule of the refine step on hand-made masks over a path graph, the expected
/// mask written out row by row.
final class ConnectivityRuleTests: XCTestCase {
    func path(_ n: Int) throws -> CompositionGraph {
        try CompositionGraph(sampleCount: n, edges: (0..<(n - 1)).map { Edge($0, $0 + 1) })
    }

    func keptSets(_ mask: [UInt8], n: Int, p: Int) -> [[Int]] {
        (0..<n).map { i in (0..<p).filter { mask[i * p + $0] != 0 } }
    }

    /// The rule on the mask of the nonzero fractions of `w` (N×P), over the path 0–…–(N−1), at
    /// the presence threshold 0.01.
    func rule(_ w: [Float], n: Int, p: Int) throws -> ConnectivityRule.Result {
        ConnectivityRule.run(
            mask: w.map { $0 > 0 ? 1 : 0 }, fractions: w, sampleCount: n, phaseCount: p, graph: try path(n), presence: 0.01)
    }

    /// Path 0–…–5, P = 3. Phase 1 holds samples 0–2 (Σw 1.2) and, after a gap at 3, samples
    /// 4–5 (Σw 0.3): its main region is 0–2, so it leaves 4 and 5, where phase 0 is larger.
    /// Phase 2 is a minority at sample 1 only: one component, untouched. Phase 0 is everywhere.
    func testMinorComponentDroppedWhereAnotherPhaseIsLarger() throws {
        let w: [Float] = [
            0.6, 0.4, 0.0,
            0.3, 0.4, 0.3,
            0.6, 0.4, 0.0,
            1.0, 0.0, 0.0,
            0.85, 0.15, 0.0,
            0.85, 0.15, 0.0
        ]
        let r = try rule(w, n: 6, p: 3)
        XCTAssertEqual(keptSets(r.mask, n: 6, p: 3), [[0, 1], [0, 1, 2], [0, 1], [0], [0], [0]])
        XCTAssertEqual(r.dropped, 2)
        XCTAssertEqual(r.keptDisconnected, [])
    }

    /// A phase outside its main region that is its sample's largest fraction stays (the sample
    /// would otherwise be left to phases that do not explain it), and the phase is reported as
    /// still disconnected; the main region is the component with the larger Σw, not the larger
    /// count (samples 0–1: Σw 0.4; sample 3: 0.9).
    func testLargestFractionStaysAndMainRegionIsByMass() throws {
        let w: [Float] = [
            0.8, 0.2,
            0.8, 0.2,
            1.0, 0.0,
            0.1, 0.9
        ]
        let r = try rule(w, n: 4, p: 2)
        XCTAssertEqual(keptSets(r.mask, n: 4, p: 2), [[0], [0], [0], [0, 1]])
        XCTAssertEqual(r.dropped, 2)
        let w2: [Float] = [
            0.2, 0.8,
            0.8, 0.2,
            1.0, 0.0,
            0.1, 0.9
        ]
        let r2 = try rule(w2, n: 4, p: 2)
        // Phase 1 at samples 0–1 (Σw 1.0) vs 3 (0.9): main 0–1; at sample 3 it is the largest,
        // so it stays, and phase 1 is still disconnected. Phase 0 at 0–3 is one component.
        XCTAssertEqual(keptSets(r2.mask, n: 4, p: 2), [[0, 1], [0, 1], [0], [0, 1]])
        XCTAssertEqual(r2.dropped, 0)
        XCTAssertEqual(r2.keptDisconnected, [1])
    }

    /// Below the presence threshold a phase is not a member: it stays in the mask next to its
    /// main region (the border, where it may grow) and leaves it elsewhere.
    func testSubThresholdMembershipsNextToTheMainRegionStay() throws {
        let w: [Float] = [
            0.5, 0.5,
            0.995, 0.005,
            1.0, 0.0,
            0.995, 0.005
        ]
        let r = try rule(w, n: 4, p: 2)
        XCTAssertEqual(keptSets(r.mask, n: 4, p: 2), [[0, 1], [0, 1], [0], [0]])
        XCTAssertEqual(r.dropped, 1)
    }

    func testInducedComponentsLargestFirst() throws {
        let g = try path(7)
        XCTAssertEqual(g.components(of: [6, 0, 1, 4, 3]), [[0, 1], [3, 4], [6]])
        XCTAssertEqual(g.components(of: []), [])
    }
}
