import Foundation
import XCTest
@testable import DRNetAnalysis
@testable import DRNetCore
@testable import DRNetCrystal
@testable import DRNetEngine
@testable import DRNetIO
@testable import DRNetPlotting
@testable import DRNetSynthetic

final class IOPhaseCompositionTests: XCTestCase {
    let csv = """
        phase,name,Fe,Al
        0,alpha,0.25,0.75
        1,beta,1.0,0.0

        """

    func testAlignsColumnsToElementOrder() throws {
        let pc = try PhaseCompositionReader.parse(
            csv, file: "pc.csv", elements: ["Al", "Fe"], phaseCount: 2,
            phaseNames: ["alpha", "beta"])
        XCTAssertEqual(pc, [0.75, 0.25, 0.0, 1.0])
    }

    func testErrors() {
        assertInputError(
            try PhaseCompositionReader.parse(csv, file: "pc.csv", elements: ["Al", "Li"], phaseCount: 2),
            contains: ["pc.csv", "line 1 (header), column Li", "missing element"])
        assertInputError(
            try PhaseCompositionReader.parse(csv, file: "pc.csv", elements: ["Al", "Fe"], phaseCount: 3),
            contains: ["pc.csv", "3 rows", "no row for phase 2", "phase count mismatch"])
        assertInputError(
            try PhaseCompositionReader.parse(csv, file: "pc.csv", elements: ["Al", "Fe"], phaseCount: 1),
            contains: ["pc.csv", "line 3, column phase", "below 1"])
        assertInputError(
            try PhaseCompositionReader.parse(
                csv, file: "pc.csv", elements: ["Al", "Fe"], phaseCount: 2,
                phaseNames: ["alpha", "gamma"]),
            contains: ["pc.csv", "line 3, column name", "\"gamma\"", "names mismatch"])
        assertInputError(
            try PhaseCompositionReader.parse(
                csv + "1,beta,1,0\n", file: "pc.csv", elements: ["Al", "Fe"],
                phaseCount: 2),
            contains: ["line 4, column phase", "first at line 3"])
        let bad = csv.replacingOccurrences(of: "0.25", with: "x")
        assertInputError(
            try PhaseCompositionReader.parse(bad, file: "pc.csv", elements: ["Al", "Fe"], phaseCount: 2),
            contains: ["line 2, column Fe", "bad number", "\"x\""])
        assertInputError(
            try PhaseCompositionReader.parse("name,Al\n", file: "pc.csv", elements: ["Al"], phaseCount: 1),
            contains: ["column phase", "missing column"])
    }
}
