import XCTest
@testable import DRNetAnalysis
@testable import DRNetCore
@testable import DRNetCrystal
@testable import DRNetEngine
@testable import DRNetIO
@testable import DRNetPlotting
@testable import DRNetSynthetic
import TestSupport

/// Self-evaluation of the public fraction tables (skips without ../shared).
final class EvaluationSharedDataTests: XCTestCase {
    private func file(_ dataset: String, _ name: String) throws -> String {
        guard let dir = SharedData.dataset(dataset) else {
            throw XCTSkip("shared dataset \(dataset) absent (no ../shared or $DRNET_SHARED)")
        }
        let path = dir.appendingPathComponent(name).path
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("\(path) absent") }
        return path
    }

    func testAlLiFeTruthAgainstItself() throws {
        let path = try file("al-li-fe", "truth-fractions.csv")
        let table = try FractionTable.read(contentsOfFile: path)
        XCTAssertEqual(table.sampleCount, 231)
        XCTAssertEqual(table.phases.count, 6)
        XCTAssertEqual(table.phases.first, "22+Al2O3_04-015-8996_Rhombohedral")
        XCTAssertEqual(table.samples, Array(0..<231))

        let r = try PhaseMapMetrics.evaluate(solutionFile: path, truthFile: path)
        XCTAssertEqual(r.sampleCount, 231)
        XCTAssertEqual(r.exactMatchCount, 231)
        XCTAssertEqual(r.meanFractionError, 0)
        XCTAssertEqual(r.f1, 1)
        XCTAssertEqual(r.fractionBinAccuracy, 1)
        XCTAssertEqual(r.phasesInBoth.count, 6)
        XCTAssertTrue(r.mismatches.isEmpty)
        // 10/138/83 samples with 1/2/3 phases = 535 present pairs when every nonzero fraction counts.
        let all = try PhaseMapMetrics.evaluate(solutionFile: path, truthFile: path, threshold: 1e-9)
        XCTAssertEqual(all.truePositives, 535)
    }

    func testBiCuVReferenceAgainstItself() throws {
        let path = try file("bi-cu-v", "drnets-reference-fractions.csv")
        let r = try PhaseMapMetrics.evaluate(solutionFile: path, truthFile: path)
        XCTAssertEqual(r.sampleCount, 307)
        XCTAssertEqual(r.exactMatchCount, 307)
        XCTAssertEqual(r.meanFractionError, 0)
        XCTAssertEqual(r.phasesInBoth.count, 13)
        XCTAssertEqual(r.precision, 1)
        XCTAssertEqual(r.recall, 1)
    }

    func testDifferentSampleSetsAreRejected() throws {
        let alLiFe = try file("al-li-fe", "truth-fractions.csv")
        let biCuV = try file("bi-cu-v", "drnets-reference-fractions.csv")
        XCTAssertThrowsError(try PhaseMapMetrics.evaluate(solutionFile: biCuV, truthFile: alLiFe)) { error in
            let e = error as? InputError
            XCTAssertEqual(e?.file, biCuV)
            XCTAssertTrue(e?.found.contains("76 extra") ?? false, e?.description ?? "")
        }
    }
}
