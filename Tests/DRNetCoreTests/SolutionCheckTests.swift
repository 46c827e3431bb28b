import XCTest
@testable import DRNetAnalysis
@testable import DRNetCore
@testable import DRNetCrystal
@testable import DRNetEngine
@testable import DRNetIO
@testable import DRNetPlotting
@testable import DRNetSynthetic

/// The rule checks on hand-made solutions over a 6-sample strip of a ternary:
///
///     0 — 1 — 2 — 3 — 4 — 5      (a path graph; samples 0–5 interior, d = 3)
///
/// A clean solution passes every rule; planted faults are found exactly.
final class SolutionCheckTests: XCTestCase {
    let names = ["A", "B", "C", "D"]

    func input(
        fractions: [[Double]], shifts: [[Double]]? = nil, phaseCompositions: [[Double]?]? = nil,
        compositions: [[Double]]? = nil
    ) throws -> CheckInput {
        let n = fractions.count
        let graph = try CompositionGraph(sampleCount: n, edges: (0..<(n - 1)).map { Edge($0, $0 + 1) })
        let comps = compositions ?? Array(repeating: [0.4, 0.3, 0.3], count: n)
        let present = comps.map { $0.filter { $0 > 1e-3 }.count }
        return CheckInput(
            phaseNames: names, fractions: fractions.flatMap { $0 },
            shifts: (shifts ?? fractions.map { $0.map { $0 > 0 ? 1.0 : 0 } }).flatMap { $0 },
            graph: graph, degrees: present, elementsPresent: present, elements: ["X", "Y", "Z"],
            compositions: comps.flatMap { $0 }, phaseCompositions: phaseCompositions ?? Array(repeating: nil, count: 4),
            reconstruction: nil)
    }

    let clean: [[Double]] = [[1, 0, 0, 0], [0.6, 0.4, 0, 0], [0.2, 0.5, 0.3, 0], [0, 0.5, 0.5, 0], [0, 0.2, 0.8, 0], [0, 0, 1, 0]]

    func testCleanSolutionPasses() throws {
        let r = SolutionCheck(input: try input(fractions: clean))
        XCTAssertFalse(r.violated, r.summary())
        XCTAssertEqual(r.brokenRules, [])
        XCTAssertEqual(r.gibbs.phasesPerSample, [0, 2, 3, 1])
        XCTAssertEqual(r.connectivity.phases.map(\.components.count), [1, 1, 1])
        XCTAssertEqual(r.connectivity.combinations.map(\.name), ["A", "C", "A + B", "B + C", "A + B + C"])
    }

    /// Samples with compositions but every one alone in the graph (separate mixtures): the
    /// connectivity rule does not apply, and the report says why instead of counting regions.
    func testGraphWithoutEdgesMakesConnectivityNotApplicable() throws {
        var f = clean
        f[5] = [0.5, 0, 0.5, 0]  // A at 0–2 and at 5: two components in a path graph
        var alone = try input(fractions: f)
        alone.graph = try CompositionGraph(sampleCount: f.count, edges: [])
        let r = SolutionCheck(input: alone)
        XCTAssertTrue(r.graphless)
        XCTAssertEqual(r.brokenRules, [])
        let text = r.summary()
        XCTAssertTrue(text.contains("Connectivity: not applicable (the composition graph has no edges: every sample stands alone)"), text)
        XCTAssertFalse(text.contains("phase regions"), text)
        XCTAssertEqual(SolutionCheck(input: try input(fractions: f)).brokenRules, [.connectivity])
    }

    func testGibbsViolationAndDisconnectedRegionAreFlagged() throws {
        var f = clean
        f[3] = [0.25, 0.25, 0.25, 0.25]  // 4 phases > d = 3; A reappears away from 0–2 region? (2 holds A: connected)
        f[5] = [0.5, 0, 0.5, 0]  // A again at 5, cut off from 0–3 by sample 4
        let r = SolutionCheck(input: try input(fractions: f))
        XCTAssertEqual(r.gibbs.violations.map(\.sample), [3])
        XCTAssertEqual(r.gibbs.plainViolations, 1)
        let a = try XCTUnwrap(r.connectivity.phases.first { $0.name == "A" })
        XCTAssertEqual(a.components, [[0, 1, 2, 3], [5]])
        let d = try XCTUnwrap(r.connectivity.phases.first { $0.name == "D" })
        XCTAssertTrue(d.connected)
        XCTAssertTrue(r.violated)
        XCTAssertEqual(r.brokenRules, [.gibbs, .connectivity])
        XCTAssertFalse(SolutionCheck(input: try input(fractions: f), gatedRules: [.alloying]).violated)
    }

    func testAlloyingLimitAndShiftJumps() throws {
        // Sample 2 holds 3 phases (= d) while B shifts by 0.005 against sample 1, which holds
        // B too and its full 3-phase set is the same size: 2 is alloying, so its limit is 2.
        var f = clean
        f[1] = [0.3, 0.4, 0.3, 0]
        var s = f.map { $0.map { $0 > 0 ? 1.0 : 0 } }
        s[2][1] = 1.005
        s[4][2] = 1.05  // C jumps by 0.05 between 4 and 5 (and 3–4)
        let r = SolutionCheck(input: try input(fractions: f, shifts: s))
        XCTAssertTrue(r.alloying.alloyingSamples.contains(2))
        XCTAssertEqual(r.gibbs.violations.map(\.sample), [1, 2])
        XCTAssertTrue(r.gibbs.violations.allSatisfy { $0.limit == 2 && $0.alloying })
        XCTAssertEqual(r.gibbs.plainViolations, 0)
        XCTAssertEqual(Set(r.alloying.violations.map(\.samples)), [[3, 4], [4, 5]])
        XCTAssertEqual(r.alloying.largestDifference, 0.05, accuracy: 1e-12)
    }

    func testElementRule() throws {
        var comps = Array(repeating: [0.4, 0.3, 0.3], count: 6)
        comps[0] = [1, 0, 0]
        let pcs: [[Double]?] = [[1, 0, 0], [0, 1, 0], [0.5, 0, 0.5], nil]
        var f = clean
        f[0] = [0.7, 0.3, 0, 0]  // B needs Y, absent at sample 0
        let r = SolutionCheck(input: try input(fractions: f, phaseCompositions: pcs, compositions: comps))
        XCTAssertEqual(r.element.violations.map(\.sample), [0])
        XCTAssertEqual(r.element.violations.first?.missingElements, ["Y"])
        XCTAssertEqual(r.element.uncheckedPhases, ["D"])
    }

    func testReconstructionErrorOnMaxNormalisedPatterns() {
        let e = ReconstructionError.sample(pattern: [0, 2, 4, 2], reconstruction: [0, 2, 2, 2])
        XCTAssertEqual(e.l1, 0.5 / 4, accuracy: 1e-12)
        XCTAssertEqual(e.share, 0.5 / 2, accuracy: 1e-12)
    }
}
