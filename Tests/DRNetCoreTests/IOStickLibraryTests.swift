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

final class IOStickLibraryTests: XCTestCase {
    func testParsesCSVKeepingFileOrder() throws {
        let phases = try StickLibraryReader.parseCSV(smallSticksCSV, file: "s.csv")
        XCTAssertEqual(phases.count, 2)
        XCTAssertEqual(phases[0], CandidatePhase(name: "alpha", q: [20.5, 25.0], intensity: [1.0, 0.5]))
        XCTAssertEqual(phases[1].name, "beta")
        XCTAssertEqual(phases[1].q, [22, 30, 35])
        XCTAssertEqual(phases[1].intensity, [0.3, 1.0, 0.0])
        // Columns in another order, quoted names with commas.
        let reordered = "q,intensity,name,phase\n20,1,\"a, b\",0\n"
        XCTAssertEqual(try StickLibraryReader.parseCSV(reordered, file: "s.csv")[0].name, "a, b")
    }

    func testCSVErrors() {
        assertInputError(
            try StickLibraryReader.parseCSV("phase,name,q\n0,a,1\n", file: "s.csv"),
            contains: ["s.csv", "line 1 (header), column intensity", "missing column"])
        assertInputError(
            try StickLibraryReader.parseCSV(smallSticksCSV + "1,beta,abc,0.2\n", file: "s.csv"),
            contains: ["s.csv", "line 7, column q", "bad number", "\"abc\""])
        assertInputError(
            try StickLibraryReader.parseCSV(smallSticksCSV + "1,beta,20,-0.2\n", file: "s.csv"),
            contains: ["line 7, column intensity", "negative/NaN intensity", "-0.2"])
        assertInputError(
            try StickLibraryReader.parseCSV(smallSticksCSV + "1,beta,20,nan\n", file: "s.csv"),
            contains: ["line 7, column intensity", "negative/NaN"])
        assertInputError(
            try StickLibraryReader.parseCSV(smallSticksCSV + "1,beta,0,0.2\n", file: "s.csv"),
            contains: ["line 7, column q", "non-positive q"])
        assertInputError(
            try StickLibraryReader.parseCSV(smallSticksCSV + "3,delta,20,0.2\n", file: "s.csv"),
            contains: ["s.csv", "phase 2 has no sticks", "empty phase"])
        assertInputError(
            try StickLibraryReader.parseCSV(smallSticksCSV + "2,gamma,20,0\n2,gamma,21,0\n", file: "s.csv"),
            contains: ["s.csv", "line 7, phase 2 (gamma)", "all-zero intensities"])
        assertInputError(
            try StickLibraryReader.parseCSV(smallSticksCSV + "1,betta,20,0.1\n", file: "s.csv"),
            contains: ["line 7, column name", "\"beta\""])
        assertInputError(
            try StickLibraryReader.parseCSV(smallSticksCSV + "1,beta,20\n", file: "s.csv"),
            contains: ["line 7", "3 fields"])
        assertInputError(try StickLibraryReader.parseCSV("", file: "s.csv"), contains: ["s.csv", "empty file"])
    }

    let iafd = """
        // IAFD sticks
        Q0=20.0,25.0,30.0
        P0=1.0,0.5,0.25
        Q1=22.0
        P1=0.7

        """

    func testParsesIAFD() throws {
        let phases = try StickLibraryReader.parseIAFD(iafd, file: "sticks.txt")
        XCTAssertEqual(phases.map(\.name), ["phase0", "phase1"])
        XCTAssertEqual(phases[0].q, [20, 25, 30])
        XCTAssertEqual(phases[0].intensity, [1, 0.5, 0.25])
        XCTAssertEqual(phases[1].intensity, [0.7])
    }

    func testIAFDErrors() {
        assertInputError(
            try StickLibraryReader.parseIAFD(iafd + "Q2=1,2\n", file: "sticks.txt"),
            contains: ["sticks.txt", "line 6, key P2", "missing key"])
        assertInputError(
            try StickLibraryReader.parseIAFD(iafd + "Q2=1,2\nP2=1\n", file: "sticks.txt"),
            contains: ["line 7, key P2", "2 intensities", "found 1"])
        assertInputError(
            try StickLibraryReader.parseIAFD(iafd + "Q2=1,2\nP2=0,0\n", file: "sticks.txt"),
            contains: ["line 7, key P2", "all-zero intensities"])
        assertInputError(
            try StickLibraryReader.parseIAFD(iafd + "Q2=1,-2\nP2=1,1\n", file: "sticks.txt"),
            contains: ["line 6, key Q2", "non-positive q", "item 2"])
        assertInputError(
            try StickLibraryReader.parseIAFD(iafd + "Q2=1,2\nP2=1,-1\n", file: "sticks.txt"),
            contains: ["line 7, key P2", "negative/NaN intensity", "item 2"])
        assertInputError(
            try StickLibraryReader.parseIAFD(iafd + "Q2=1,x\nP2=1,1\n", file: "sticks.txt"),
            contains: ["line 6, key Q2", "bad number", "item 2", "\"x\""])
        assertInputError(
            try StickLibraryReader.parseIAFD(iafd + "Q3=1\nP3=1\n", file: "sticks.txt"),
            contains: ["sticks.txt", "key Q2", "empty phase"])
        assertInputError(
            try StickLibraryReader.parseIAFD(iafd + "Q2=\nP2=\n", file: "sticks.txt"),
            contains: ["line 6, key Q2", "empty phase"])
    }

    func testRealStickFiles() throws {
        guard let a = SharedData.dataset("al-li-fe"), let t = SharedData.dataset("ta-rh-pd") else {
            throw XCTSkip("../shared/datasets not present")
        }
        let csv = try StickLibraryReader.read(path: a.appendingPathComponent("sticks.csv").path)
        XCTAssertEqual(csv.count, 159)
        XCTAssertEqual(csv[22].name, "22+Al2O3_04-015-8996_Rhombohedral")
        XCTAssertEqual(csv[0].q.first, 27.5507)
        let txt = try StickLibraryReader.read(path: t.appendingPathComponent("sticks.txt").path)
        XCTAssertEqual(txt.count, 14)
        XCTAssertEqual(txt[0].q.count, 8)
        XCTAssertEqual(txt[13].name, "phase13")
    }
}
