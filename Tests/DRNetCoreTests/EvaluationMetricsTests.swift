import XCTest
@testable import DRNetAnalysis
@testable import DRNetCore
@testable import DRNetCrystal
@testable import DRNetEngine
@testable import DRNetIO
@testable import DRNetPlotting
@testable import DRNetSynthetic

final class EvaluationMetricsTests: XCTestCase {
    /// Truth phases A, B, C; solution phases B, A, D (other order; C truth-only, D solution-only).
    private func tables() throws -> (solution: FractionTable, truth: FractionTable) {
        let truth = try FractionTable(
            phases: ["A", "B", "C"],
            fractions: [
                [0.5, 0.5, 0],  // 0
                [1, 0, 0],  // 1
                [0, 0.2, 0.8],  // 2
                [0.005, 0.995, 0]  // 3: A below the threshold
            ])
        let solution = try FractionTable(
            phases: ["B", "A", "D"],
            fractions: [
                [0.5, 0.5, 0],  // 0: exact
                [0, 0.7, 0.3],  // 1: {A, D} vs {A}
                [1, 0, 0],  // 2: {B} vs {B, C}
                [0.99, 0.01, 0]  // 3: {A, B} vs {B} (0.01 ≥ T)
            ])
        return (solution, truth)
    }

    func testHandMadeMetrics() throws {
        let (s, t) = try tables()
        let r = try PhaseMapMetrics.evaluate(solution: s, truth: t, threshold: 0.01)
        XCTAssertEqual(r.sampleCount, 4)
        XCTAssertEqual(r.exactMatchCount, 1)
        XCTAssertEqual(r.exactMatchShare, 0.25)
        XCTAssertEqual(r.truePositives, 5)
        XCTAssertEqual(r.falsePositives, 2)
        XCTAssertEqual(r.falseNegatives, 1)
        XCTAssertEqual(r.precision, 5.0 / 7.0, accuracy: 1e-12)
        XCTAssertEqual(r.recall, 5.0 / 6.0, accuracy: 1e-12)
        XCTAssertEqual(r.f1, 10.0 / 13.0, accuracy: 1e-12)
        // ½·L1 per sample: 0, 0.3, 0.8, 0.005.
        XCTAssertEqual(r.meanFractionError, (0 + 0.3 + 0.8 + 0.005) / 4, accuracy: 1e-12)
        XCTAssertEqual(r.maxFractionError, 0.8, accuracy: 1e-12)
        // 8 scored pairs; sample 2's B (1 vs 0.2) and C (0 vs 0.8) land in different bins.
        XCTAssertEqual(r.fractionBinPairs, 8)
        XCTAssertEqual(r.fractionBinCorrect, 6)
        XCTAssertEqual(r.fractionBinAccuracy, 0.75)
        XCTAssertEqual(r.phasesInBoth, ["A", "B"])
        XCTAssertEqual(r.phasesOnlyInSolution, ["D"])
        XCTAssertEqual(r.phasesOnlyInTruth, ["C"])
        XCTAssertEqual(
            r.mismatches,
            [
                SampleMismatch(sample: 1, solutionPhases: ["A", "D"], truthPhases: ["A"]),
                SampleMismatch(sample: 2, solutionPhases: ["B"], truthPhases: ["B", "C"]),
                SampleMismatch(sample: 3, solutionPhases: ["A", "B"], truthPhases: ["B"])
            ])
        XCTAssertEqual(r.threshold, 0.01)
        XCTAssertNil(r.solutionFile)
    }

    func testThresholdChangesPresence() throws {
        let (s, t) = try tables()
        let r = try PhaseMapMetrics.evaluate(solution: s, truth: t, threshold: 0.02)
        XCTAssertEqual(r.exactMatchCount, 2)  // sample 3 now matches: {B} vs {B}
        XCTAssertEqual(r.falsePositives, 1)
        // Fraction error ignores the threshold.
        XCTAssertEqual(r.meanFractionError, (0 + 0.3 + 0.8 + 0.005) / 4, accuracy: 1e-12)
        let low = try PhaseMapMetrics.evaluate(solution: s, truth: t, threshold: 0.001)
        // Truth's A = 0.005 in sample 3 now counts as present, and the solution's 0.01 matches it.
        XCTAssertEqual(low.truePositives, 6)
        XCTAssertEqual(low.falsePositives, 1)
        XCTAssertEqual(low.falseNegatives, 1)
        XCTAssertEqual(low.exactMatchCount, 2)
    }

    func testDefaultThreshold() throws {
        let (s, t) = try tables()
        XCTAssertEqual(PhaseMapMetrics.defaultThreshold, 0.01)
        XCTAssertEqual(try PhaseMapMetrics.evaluate(solution: s, truth: t).threshold, 0.01)
    }

    func testFractionBins() {
        XCTAssertEqual(PhaseMapMetrics.fractionBin(0), 0)
        XCTAssertEqual(PhaseMapMetrics.fractionBin(1.0 / 3.0), 0)
        XCTAssertEqual(PhaseMapMetrics.fractionBin(0.34), 1)
        XCTAssertEqual(PhaseMapMetrics.fractionBin(2.0 / 3.0), 1)
        XCTAssertEqual(PhaseMapMetrics.fractionBin(0.67), 2)
        XCTAssertEqual(PhaseMapMetrics.fractionBin(1), 2)
    }

    func testSelfEvaluationIsPerfect() throws {
        let (_, t) = try tables()
        let r = try PhaseMapMetrics.evaluate(solution: t, truth: t)
        XCTAssertEqual(r.exactMatchCount, 4)
        XCTAssertEqual(r.precision, 1)
        XCTAssertEqual(r.recall, 1)
        XCTAssertEqual(r.f1, 1)
        XCTAssertEqual(r.meanFractionError, 0)
        XCTAssertEqual(r.fractionBinAccuracy, 1)
        XCTAssertTrue(r.mismatches.isEmpty)
        XCTAssertEqual(r.phasesInBoth, ["A", "B", "C"])
    }

    func testDisjointPhaseNamesCountAsZero() throws {
        let t = try FractionTable(phases: ["A"], fractions: [[1]])
        let s = try FractionTable(phases: ["A'"], fractions: [[1]])
        let r = try PhaseMapMetrics.evaluate(solution: s, truth: t)
        XCTAssertEqual(r.truePositives, 0)
        XCTAssertEqual(r.falsePositives, 1)
        XCTAssertEqual(r.falseNegatives, 1)
        XCTAssertEqual(r.precision, 0)
        XCTAssertEqual(r.f1, 0)
        XCTAssertEqual(r.meanFractionError, 1)
        XCTAssertEqual(r.fractionBinAccuracy, 0)
    }

    func testEmptyPhaseSetsAreVacuouslyPerfectNotNaN() throws {
        let t = try FractionTable(phases: ["A"], fractions: [[0]])
        let r = try PhaseMapMetrics.evaluate(solution: t, truth: t)
        XCTAssertEqual(r.precision, 1)
        XCTAssertEqual(r.recall, 1)
        XCTAssertEqual(r.f1, 1)
        XCTAssertEqual(r.fractionBinPairs, 0)
        XCTAssertEqual(r.fractionBinAccuracy, 1)
        XCTAssertNoThrow(try JSONEncoder().encode(r))
    }

    func testSampleSetsMustMatch() throws {
        let t = try FractionTable(phases: ["A"], fractions: [[1], [1], [1]])
        let s = try FractionTable(phases: ["A"], samples: [0, 1, 5], fractions: [[1], [1], [1]])
        XCTAssertThrowsError(
            try PhaseMapMetrics.evaluate(
                solution: s, truth: t,
                solutionFile: "sol.csv", truthFile: "truth.csv")
        ) { error in
            let e = error as? InputError
            XCTAssertEqual(e?.file, "sol.csv")
            XCTAssertEqual(e?.expected, "the same 3 samples as truth.csv")
            XCTAssertEqual(e?.found, "3 samples, 1 missing (2), 1 extra (5)")
        }
        let empty = try FractionTable(phases: ["A"], fractions: [])
        XCTAssertThrowsError(try PhaseMapMetrics.evaluate(solution: empty, truth: empty))
    }

    func testBadThreshold() throws {
        let t = try FractionTable(phases: ["A"], fractions: [[1]])
        for bad in [0, -0.1, .nan, .infinity] {
            XCTAssertThrowsError(try PhaseMapMetrics.evaluate(solution: t, truth: t, threshold: bad)) { error in
                XCTAssertTrue(error is ConfigurationError)
            }
        }
    }

    func testCodableRoundTripAndSortedJSON() throws {
        let (s, t) = try tables()
        let r = try PhaseMapMetrics.evaluate(solution: s, truth: t, solutionFile: "s.csv", truthFile: "t.csv")
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try enc.encode(r)
        XCTAssertEqual(try JSONDecoder().decode(PhaseMapEvaluation.self, from: data), r)
        let text = String(decoding: data, as: UTF8.self)
        let ex = try XCTUnwrap(text.range(of: "\"exactMatchCount\""))
        let th = try XCTUnwrap(text.range(of: "\"threshold\""))
        XCTAssertLessThan(ex.lowerBound, th.lowerBound)
        XCTAssertTrue(text.contains("\"solutionFile\" : \"s.csv\""))
    }

    func testSummaryMentionsKeyNumbers() throws {
        let (s, t) = try tables()
        let r = try PhaseMapMetrics.evaluate(solution: s, truth: t)
        let text = r.summary(maxMismatches: 2)
        XCTAssertTrue(text.contains("exact phase-set match: 1/4 (25.00%)"), text)
        XCTAssertTrue(text.contains("[TP 5, FP 2, FN 1]"), text)
        XCTAssertTrue(text.contains("3-bin fraction accuracy: 6/8 (75.00%)"), text)
        XCTAssertTrue(text.contains("only in solution (1): D"), text)
        XCTAssertTrue(text.contains("  1: solution {A, D}, truth {A}"), text)
        XCTAssertTrue(text.contains("… 1 more"), text)
    }
}
