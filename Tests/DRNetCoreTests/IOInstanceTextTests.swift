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

final class IOInstanceTextTests: XCTestCase {
    func testParsesSmallInstance() throws {
        let text = "Description=demo // comment\r\nUUID=abc\r\n" + smallInstanceText()
        let inst = try InstanceTextReader.parse(text, file: "mem.txt")
        XCTAssertEqual(inst.elements, ["Al", "Fe"])
        XCTAssertEqual(inst.sampleCount, 3)
        XCTAssertEqual(inst.q, [10, 10.5, 11, 11.5])
        XCTAssertEqual(inst.patterns, [0, 1.5, 1, 0.25, 0, 2.5, 1, 0.25, 0, 3.5, 1, 0.25])
        XCTAssertEqual(inst.compositions, [0.25, 0.75, 0.25, 0.75, 0.25, 0.75])
        XCTAssertEqual(inst.metadata["Description"], "demo")
        XCTAssertEqual(inst.metadata["UUID"], "abc")
    }

    func testCompositionKeyOrderAndFallback() throws {
        // Composition names rows in element order, whatever order the rows appear in.
        let text = """
            M=2
            Elements=Ta,Rh
            N=2
            Composition=Ta,Rh
            Rh=0.9,0.2
            Ta=0.1,0.8
            Q=1,2,
            I1=1,2
            I2=3,4
            """
        let inst = try InstanceTextReader.parse(text, file: "m.txt")
        XCTAssertEqual(inst.compositions, [0.1, 0.9, 0.8, 0.2])
        XCTAssertEqual(inst.q, [1, 2])  // one trailing comma tolerated
        let noKey = text.replacingOccurrences(of: "Composition=Ta,Rh\n", with: "")
        XCTAssertEqual(try InstanceTextReader.parse(noKey, file: "m.txt").compositions, [0.1, 0.9, 0.8, 0.2])
    }

    func testMissingKey() {
        let text = smallInstanceText().replacingOccurrences(of: "Q=10.0,10.5,11.0,11.5\n", with: "")
        assertInputError(try InstanceTextReader.parse(text, file: "inst.txt"), contains: ["inst.txt", "key Q", "missing key"])
        let noN = smallInstanceText().replacingOccurrences(of: "N=3\n", with: "")
        assertInputError(try InstanceTextReader.parse(noN, file: "inst.txt"), contains: ["inst.txt", "key N", "missing key"])
        let noRow = smallInstanceText().replacingOccurrences(of: "CAl=", with: "XAl=")
        assertInputError(
            try InstanceTextReader.parse(noRow, file: "inst.txt"),
            contains: ["inst.txt", "key CAl", "named by Composition at line 5"])
    }

    func testFewerPatternRowsThanN() {
        let text = smallInstanceText().replacingOccurrences(of: "I2=", with: "// I2=")
        assertInputError(
            try InstanceTextReader.parse(text, file: "inst.txt"),
            contains: ["inst.txt", "key I2", "N=3, line 4", "N mismatch"])
    }

    func testMorePatternRowsThanN() {
        let text = smallInstanceText() + "I4=1,2,3,4\n"
        assertInputError(
            try InstanceTextReader.parse(text, file: "inst.txt"),
            contains: ["inst.txt", "line 13, key I4", "N mismatch"])
    }

    func testPatternLengthDiffersFromQ() {
        let text = smallInstanceText().replacingOccurrences(of: "I2=0.0,2.5,1.0,0.25", with: "I2=0.0,2.5,1.0")
        assertInputError(
            try InstanceTextReader.parse(text, file: "inst.txt"),
            contains: ["inst.txt", "line 11, key I2", "4 values (the length of Q, line 9)", "found 3 values"])
    }

    func testNonNumericValueNamesItem() {
        let text = smallInstanceText().replacingOccurrences(of: "I3=0.0,3.5,1.0,0.25", with: "I3=0.0,3.5,abc,0.25")
        assertInputError(
            try InstanceTextReader.parse(text, file: "inst.txt"),
            contains: ["inst.txt", "line 12, key I3", "item 3", "\"abc\""])
        let inQ = smallInstanceText().replacingOccurrences(of: "Q=10.0,10.5", with: "Q=10.0,10.5x")
        assertInputError(
            try InstanceTextReader.parse(inQ, file: "inst.txt"),
            contains: ["line 9, key Q", "item 2", "10.5x"])
        let empty = smallInstanceText().replacingOccurrences(of: "Q=10.0,10.5", with: "Q=10.0,,10.5")
        assertInputError(try InstanceTextReader.parse(empty, file: "inst.txt"), contains: ["key Q", "empty item 2"])
    }

    func testCompositionRowLength() {
        let text = smallInstanceText().replacingOccurrences(of: "CAl=0.25,0.25,0.25", with: "CAl=0.25,0.25")
        assertInputError(
            try InstanceTextReader.parse(text, file: "inst.txt"),
            contains: ["inst.txt", "line 7, key CAl", "3 values (N=3, line 4)", "found 2 values"])
    }

    func testMDiffersFromElements() {
        let text = smallInstanceText().replacingOccurrences(of: "M=2", with: "M=3")
        assertInputError(
            try InstanceTextReader.parse(text, file: "inst.txt"),
            contains: ["inst.txt", "line 2, key M", "number of Elements (2 at line 3)", "M=3"])
    }

    func testDuplicateKeyAndLineWithoutEquals() {
        let dup = smallInstanceText() + "Q=1,2,3,4\n"
        assertInputError(try InstanceTextReader.parse(dup, file: "inst.txt"), contains: ["line 13, key Q", "duplicate of line 9"])
        let junk = smallInstanceText() + "garbage line\n"
        assertInputError(try InstanceTextReader.parse(junk, file: "inst.txt"), contains: ["line 13", "no '='"])
    }

    func testReadsFromDiskAndNamesPath() throws {
        let dir = IOTempDir()
        let path = dir.write("instance.txt", smallInstanceText())
        XCTAssertEqual(try InstanceTextReader.read(path: path).sampleCount, 3)
        let bad = dir.write("bad.txt", smallInstanceText().replacingOccurrences(of: "N=3", with: "N=x"))
        assertInputError(try InstanceTextReader.read(path: bad), contains: [bad, "line 4, key N", "positive integer"])
    }

    func testAlLiFeParsesQuickly() throws {
        guard let d = SharedData.dataset("al-li-fe") else { throw XCTSkip("../shared/datasets/al-li-fe not present") }
        let path = d.appendingPathComponent("instance.txt").path
        let start = Date()
        let inst = try InstanceTextReader.read(path: path)
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertEqual(inst.sampleCount, 231)
        XCTAssertEqual(inst.q.count, 650)
        XCTAssertEqual(inst.patterns.count, 231 * 650)
        XCTAssertEqual(inst.elements, ["Al", "Li", "Fe"])
        XCTAssertEqual(inst.q.first, 15)
        XCTAssertEqual(inst.compositions[3 * 1 + 1], 0.05)  // sample 1: CLi = 0.050
        XCTAssertLessThan(elapsed, 1.0, "parsing the 1.4 MB instance took \(elapsed) s")
    }
}
