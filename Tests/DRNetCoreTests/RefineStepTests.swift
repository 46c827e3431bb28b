import XCTest
@testable import DRNetAnalysis
@testable import DRNetCore
@testable import DRNetCrystal
@testable import DRNetEngine
@testable import DRNetIO
@testable import DRNetPlotting
@testable import DRNetSynthetic
import TestSupport

/// Direct tests of the discrete refine step on hand-made fraction and shift tables over a path or
/// a triangle graph, with the expected mask written out row by row.
final class RefineStepTests: XCTestCase {
    func path(_ n: Int) throws -> CompositionGraph {
        try CompositionGraph(sampleCount: n, edges: (0..<(n - 1)).map { Edge($0, $0 + 1) })
    }

    /// The mask as kept-phase sets per sample, for readable failures.
    func keptSets(_ r: RefineStep.Result, n: Int, p: Int) -> [[Int]] {
        (0..<n).map { i in (0..<p).filter { r.mask[i * p + $0] != 0 } }
    }

    func refine(
        _ w: [Float], _ s: [Float], n: Int, p: Int, d: [Int], nf: [Int]? = nil, graph: CompositionGraph,
        presence: Double = 0.001, usage: Double = 0.1, alloyRule: Bool = true
    ) -> RefineStep.Result {
        RefineStep.run(
            fractions: w, shifts: s, sampleCount: n, phaseCount: p, degrees: d, elementsPresent: nf ?? d,
            graph: graph, presence: presence, usageThreshold: usage, shiftUnit: 0.001, alloyRule: alloyRule)
    }

    // MARK: Top-d with the presence and usage thresholds

    /// Path 0–1–2–3, P = 4, d = [2, 2, 3, 1]. Phase 3 is in sample 2's top 3 but its usage
    /// 0.01 + 0.03 + 0.04 = 0.08 is below 0.1; phase 2 passes usage (1.0 at sample 3) but is
    /// below presence (0.0005 < 0.001) at sample 2. Shifts jump everywhere, but the alloy rule is off.
    func testTopDegreesPassingPresenceAndUsage() throws {
        let w: [Float] = [
            0.60, 0.39, 0.00, 0.01,
            0.47, 0.50, 0.00, 0.03,
            0.00, 0.9595, 0.0005, 0.04,
            0.00, 0.00, 1.00, 0.00
        ]
        let s: [Float] = (0..<16).map { 1 + 0.01 * Float($0 % 4 + $0 / 4) }
        let r = refine(w, s, n: 4, p: 4, d: [2, 2, 3, 1], graph: try path(4), alloyRule: false)
        XCTAssertEqual(keptSets(r, n: 4, p: 4), [[0, 1], [0, 1], [1], [2]])
        XCTAssertEqual(r.alloying, [false, false, false, false])
        // U_k = Σ_i w_ik·[w_ik > presence], sums of Float inputs in Double: ≤ 1e-7 off.
        let want = [0.60 + 0.47, 0.39 + 0.50 + 0.9595, 1.0, 0.01 + 0.03 + 0.04]
        for k in 0..<4 { XCTAssertEqual(r.usage[k], want[k], accuracy: 1e-6, "usage of phase \(k)") }
    }

    func testSampleWithNoPassingPhaseKeepsItsLargest() throws {
        // usageThreshold 10 exceeds every usage: each sample keeps only its largest fraction.
        let w: [Float] = [
            0.2, 0.5, 0.3,
            0.6, 0.3, 0.1,
            0.1, 0.2, 0.7
        ]
        let r = refine(w, [Float](repeating: 1, count: 9), n: 3, p: 3, d: [2, 2, 2], graph: try path(3), usage: 10)
        XCTAssertEqual(keptSets(r, n: 3, p: 3), [[1], [0], [2]])
    }

    func testDegreeLimitsTheKeptCount() throws {
        // Four phases above both thresholds everywhere; d = 1, 2, 3 keeps the 1, 2, 3 largest.
        let w: [Float] = [
            0.1, 0.4, 0.2, 0.3,
            0.4, 0.1, 0.3, 0.2,
            0.25, 0.15, 0.35, 0.25 + 0.001
        ]
        let r = refine(w, [Float](repeating: 1, count: 12), n: 3, p: 4, d: [1, 2, 3], graph: try path(3))
        XCTAssertEqual(keptSets(r, n: 3, p: 4), [[1], [0, 2], [0, 2, 3]])
    }

    // MARK: The alloying rule

    /// Path 0–1–2, every sample keeps {0, 1} (d = 2, two elements); phase 1 jumps by 0.003 > u
    /// between samples 1 and 2. Samples are visited by their smallest kept fraction.
    func alloyCase(sample2: [Float]) -> (w: [Float], s: [Float]) {
        let w: [Float] = [0.6, 0.4, 0, 0.6, 0.4, 0] + sample2
        let s: [Float] = [1, 1, 1, 1, 1, 1, 1, 1.003, 1]
        return (w, s)
    }

    func testAlloyingSampleDropsItsSmallestPhaseInVisitOrder() throws {
        // Equal smallest fractions (0.4): visit order 0, 1, 2. Sample 1 sees the jump to 2 (same
        // elements, same set: not a boundary pair) and drops phase 1; then for sample 2 the pair
        // with 1 is a boundary pair whose sample 1 holds 1 < 2 phases, so it does not count.
        let (w, s) = alloyCase(sample2: [0.6, 0.4, 0])
        let r = refine(w, s, n: 3, p: 3, d: [2, 2, 2], graph: try path(3))
        XCTAssertEqual(keptSets(r, n: 3, p: 3), [[0, 1], [0], [0, 1]])
        XCTAssertEqual(r.alloying, [false, true, false])
    }

    func testSmallestFractionIsVisitedFirst() throws {
        // Sample 2's smallest kept fraction (0.35) is the lowest: it is visited first and drops
        // phase 1; sample 1 then faces a boundary pair with a sample below its full count.
        let (w, s) = alloyCase(sample2: [0.65, 0.35, 0])
        let r = refine(w, s, n: 3, p: 3, d: [2, 2, 2], graph: try path(3))
        XCTAssertEqual(keptSets(r, n: 3, p: 3), [[0, 1], [0, 1], [0]])
        XCTAssertEqual(r.alloying, [false, false, true])
    }

    func testAlloyRuleOffKeepsTheJump() throws {
        let (w, s) = alloyCase(sample2: [0.6, 0.4, 0])
        let r = refine(w, s, n: 3, p: 3, d: [2, 2, 2], graph: try path(3), alloyRule: false)
        XCTAssertEqual(keptSets(r, n: 3, p: 3), [[0, 1], [0, 1], [0, 1]])
        XCTAssertEqual(r.alloying, [false, false, false])
    }

    func testJumpAtTheShiftUnitIsNotAlloying() throws {
        // Δ = 0.0009 ≤ u = 0.001 (Float shifts 1 and 1.0009 differ by 0.0009 ± 1e-7).
        let w: [Float] = [0.6, 0.4, 0.6, 0.4]
        let r = refine(w, [1, 1, 1, 1.0009], n: 2, p: 2, d: [2, 2], graph: try path(2))
        XCTAssertEqual(keptSets(r, n: 2, p: 2), [[0, 1], [0, 1]])
        XCTAssertEqual(r.alloying, [false, false])
    }

    // MARK: The element rule (elements present) in the boundary test

    /// Path 0–1: sample 0 keeps {0, 1}; sample 1 keeps only {0} (its second fraction is 0).
    /// Phase 0 jumps by 0.004 between them; the pair is a boundary pair (different sets).
    func boundaryCase() -> (w: [Float], s: [Float]) {
        ([0.6, 0.4, 1.0, 0.0], [1, 1, 1.004, 1])
    }

    func testBoundaryPairBelowFullPhaseCountDoesNotCount() throws {
        // Two elements at both samples: sample 1 holds 1 < 2 phases, so the jump does not count.
        let (w, s) = boundaryCase()
        let r = refine(w, s, n: 2, p: 2, d: [2, 2], nf: [2, 2], graph: try path(2))
        XCTAssertEqual(keptSets(r, n: 2, p: 2), [[0, 1], [0]])
        XCTAssertEqual(r.alloying, [false, false])
    }

    func testBoundaryPairAtFullPhaseCountCounts() throws {
        // Sample 1 has one element present (d = 1) and holds 1 phase: both samples are full, so
        // the jump counts. Sample 0 (smallest kept 0.4) is visited first and drops phase 1; sample
        // 1 then faces sample 0 holding 1 < 2 phases: not alloying.
        let (w, s) = boundaryCase()
        let r = refine(w, s, n: 2, p: 2, d: [2, 1], nf: [2, 1], graph: try path(2))
        XCTAssertEqual(keptSets(r, n: 2, p: 2), [[0], [0]])
        XCTAssertEqual(r.alloying, [true, false])
    }

    func testAlloyingSampleBelowItsDegreeKeepsItsPhases() throws {
        // d = 3 but only 2 phases pass presence: alloying (same elements, same set, jump 0.002)
        // but holding fewer than d phases, so nothing is dropped.
        let w: [Float] = [0.6, 0.4, 0, 0.6, 0.4, 0]
        let s: [Float] = [1, 1, 1, 1.002, 1, 1]
        let r = refine(w, s, n: 2, p: 3, d: [3, 3], graph: try path(2))
        XCTAssertEqual(keptSets(r, n: 2, p: 3), [[0, 1], [0, 1]])
        XCTAssertEqual(r.alloying, [true, true])
    }

    func testTriangleSinglePhaseSamplesAreFlaggedButKeepTheirPhase() throws {
        // Triangle 0–1–2, d = 1 everywhere, each keeps phase 0; sample 2 is shifted by 0.005. Every
        // pair is non-boundary (same elements, same set); 0 and 1 each see the jump to 2.
        let graph = try CompositionGraph(sampleCount: 3, edges: [Edge(0, 1), Edge(1, 2), Edge(0, 2)])
        let w: [Float] = [1, 0, 1, 0, 1, 0]
        let s: [Float] = [1, 1, 1, 1, 1.005, 1]
        let r = refine(w, s, n: 3, p: 2, d: [1, 1, 1], graph: graph)
        XCTAssertEqual(keptSets(r, n: 3, p: 2), [[0], [0], [0]])
        XCTAssertEqual(r.alloying, [true, true, true])
    }

    func testTriangleDropsOnlyWhereTheJumpIsSeen() throws {
        // Triangle with d = 2 everywhere; samples 0 and 1 share shifts, sample 2's phase 1 jumps.
        // Smallest kept fractions 0.3 (sample 0), 0.35 (1), 0.4 (2) fix the visit order 0, 1, 2:
        // 0 drops phase 1 (jump to 2); 1 sees 0 as a boundary pair below full count but 2 as
        // a non-boundary pair with the jump, and drops phase 1; 2 then faces two boundary pairs
        // whose other samples hold 1 < 2 phases, and keeps both.
        let graph = try CompositionGraph(sampleCount: 3, edges: [Edge(0, 1), Edge(1, 2), Edge(0, 2)])
        let w: [Float] = [0.7, 0.3, 0.65, 0.35, 0.6, 0.4]
        let s: [Float] = [1, 1, 1, 1, 1, 1.002]
        let r = refine(w, s, n: 3, p: 2, d: [2, 2, 2], graph: graph)
        XCTAssertEqual(keptSets(r, n: 3, p: 2), [[0], [0], [0, 1]])
        XCTAssertEqual(r.alloying, [true, true, false])
    }
}
