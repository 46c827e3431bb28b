import XCTest
@testable import DRNetAnalysis
@testable import DRNetCore
@testable import DRNetCrystal
@testable import DRNetEngine
@testable import DRNetIO
@testable import DRNetPlotting
@testable import DRNetSynthetic
import TestSupport

/// The community key=value solution format: round trip, reading IAFD's file, clear errors.
final class CommunitySolutionTests: XCTestCase {
    func sample() -> CommunitySolution {
        let t = 4, n = 3, k = 2
        return CommunitySolution(
            description: "test", uuid: "u-1", sampleCount: n, phaseCount: k, phaseNames: ["Al2O3", "Li O"],
            q: [15, 15.1, 15.2, 15.3], bases: (0..<(k * t)).map { Float($0) / 7 },
            concentrations: [1, 0, 0.25, 0.75, 0.1 / 3, 1 - 0.1 / 3], shifts: [1.01, 0, 0.999, 1.0005, 1, 1.123456789],
            contributions: (0..<(n * k * t)).map { Float($0) * 0.37 + 1e-7 }, loss: [0.01, 0.02, 1e-5],
            lossProportion: [0.1, 0.2, 0.3])
    }

    func testRoundTripIsIdentical() throws {
        let s = sample()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("drnet-sol-\(getpid()).txt").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try CommunitySolutionWriter.write(s, to: path)
        var back = try CommunitySolutionReader.read(path: path)
        XCTAssertEqual(back.params, "[Q,R,C],[Q,B,C,S]")
        back.params = s.params
        XCTAssertEqual(back, s)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".partial"))
    }

    func testReaderErrorsNameKeyAndLine() {
        func error(_ text: String) -> String {
            do { _ = try CommunitySolutionReader.parse(text, file: "s.txt"); return "no error" } catch { return "\(error)" }
        }
        XCTAssertTrue(error("C1=1,0\n").contains("key K"))
        XCTAssertTrue(error("K=2\nC1=1,0\nC3=0,1\n").contains("key C2"))
        XCTAssertTrue(error("K=2\nC1=1,0,0\n").contains("line 2 (key C1): expected 2 values"))
        XCTAssertTrue(error("K=2\nC1=1,x\n").contains("item 2 \"x\""))
        XCTAssertTrue(error("K=1\nQ=1,2\nC1=1\nR1_1=1\n").contains("key R1_1): expected 2 values"))
        XCTAssertTrue(error("K=1\nC1=1\nR1_1=1\n").contains("Q= line"))
        XCTAssertTrue(error("K=2\nC1=1,0\nC2=0,1\nS1=1,1\n").contains("key S2"))
        XCTAssertTrue(error("K=1\nC1=-1\n").contains("non-negative"))
        XCTAssertTrue(error("K=1\nC1=1\nC1=1\n").contains("each key once"))
        XCTAssertTrue(error("K=1\ngarbage\n").contains("line 2"))
    }

    func testReadsIAFDSolution() throws {
        guard let dir = SharedData.dataset("ta-rh-pd") else { throw XCTSkip("../shared/datasets/ta-rh-pd absent") }
        let s = try CommunitySolutionReader.read(path: dir.appendingPathComponent("iafd-reference-solution.txt").path)
        XCTAssertEqual(s.phaseCount, 5)
        XCTAssertEqual(s.sampleCount, 197)
        XCTAssertEqual(s.gridCount, 427)
        XCTAssertNotNil(s.contributions)
        XCTAssertNotNil(s.shifts)
        XCTAssertNil(s.phaseNames)
        XCTAssertEqual(s.concentrations[2], 0.094768489060, accuracy: 1e-12)
    }
}

/// `drnet eval` reads a community solution through its fraction table.
final class CommunitySolutionTableTests: XCTestCase {
    func testFractionTableNormalisesConcentrations() throws {
        let s = CommunitySolution(sampleCount: 2, phaseCount: 2, concentrations: [2, 2, 0, 0.5])
        let t = try s.fractionTable()
        XCTAssertEqual(t.phases, ["phase 1", "phase 2"])
        XCTAssertEqual(t.fractions, [[0.5, 0.5], [0, 1]])
    }
}
