import XCTest
@testable import DRNetAnalysis
@testable import DRNetCore
@testable import DRNetCrystal
@testable import DRNetEngine
@testable import DRNetIO
@testable import DRNetPlotting
@testable import DRNetSynthetic

final class EvaluationFractionTableTests: XCTestCase {
    private func parseError(
        _ text: String, file: String = "t.csv",
        line: UInt = #line
    ) -> InputError? {
        do {
            _ = try FractionTable.parse(text, file: file)
            XCTFail("expected an InputError", line: line)
            return nil
        } catch let e as InputError {
            return e
        } catch {
            XCTFail("unexpected error \(error)", line: line)
            return nil
        }
    }

    func testParsesBasicTable() throws {
        let t = try FractionTable.parse("sample,A,B\n0,0.25,0.75\n1,1,0\n", file: "t.csv")
        XCTAssertEqual(t.phases, ["A", "B"])
        XCTAssertEqual(t.samples, [0, 1])
        XCTAssertEqual(t.fractions, [[0.25, 0.75], [1, 0]])
        XCTAssertEqual(t.sampleCount, 2)
        XCTAssertEqual(t.column("B"), [0.75, 0])
        XCTAssertNil(t.column("C"))
    }

    func testParsesCRLFBlankLinesSpacesBOMAndQuotes() throws {
        let text = "\u{FEFF}sample, A ,\"B,x\",\"C \"\"q\"\"\"\r\n\r\n0, 0.5 ,0.5,0\r\n2,0,1e-1,0.9\r\n"
        let t = try FractionTable.parse(text, file: "t.csv")
        XCTAssertEqual(t.phases, ["A", "B,x", "C \"q\""])
        XCTAssertEqual(t.samples, [0, 2])
        XCTAssertEqual(t.fractions[1], [0, 0.1, 0.9])
    }

    func testHeaderOnlyGivesEmptyTable() throws {
        let t = try FractionTable.parse("sample,A\n", file: "t.csv")
        XCTAssertEqual(t.sampleCount, 0)
        XCTAssertEqual(t.phases, ["A"])
    }

    func testMissingSampleColumn() {
        let e = parseError("A,B\n0.5,0.5\n")
        XCTAssertEqual(e?.file, "t.csv")
        XCTAssertEqual(e?.location, "line 1, column 1")
        XCTAssertTrue(e?.found.contains("no `sample` column") ?? false, e?.description ?? "")
        let e2 = parseError("A,sample\n0.5,0\n")
        XCTAssertTrue(e2?.found.contains("column 2") ?? false, e2?.description ?? "")
    }

    func testEmptyFile() {
        let e = parseError("\n\n")
        XCTAssertEqual(e?.location, "")
        XCTAssertEqual(e?.found, "an empty file")
    }

    func testDuplicatePhaseNames() {
        let e = parseError("sample,A,B,A\n0,0.5,0.5,0\n")
        XCTAssertEqual(e?.location, "line 1, column 4")
        XCTAssertEqual(e?.expected, "unique phase names")
        XCTAssertTrue(e?.found.contains("first in column 2") ?? false)
        XCTAssertEqual(parseError("sample,A,sample\n")?.location, "line 1, column 3")
        XCTAssertEqual(parseError("sample,A,\n")?.location, "line 1, column 3")
    }

    func testNonNumericValue() {
        let e = parseError("sample,A,B\n0,0.5,0.5\n1,abc,1\n")
        XCTAssertEqual(e?.location, "line 3, column 2 (A)")
        XCTAssertEqual(e?.found, "`abc`")
        XCTAssertEqual(parseError("sample,A,B\n0,0.5,\n")?.found, "an empty field")
        XCTAssertEqual(parseError("sample,A\n0,0x1p-1\n")?.found, "`0x1p-1`")
    }

    func testNaNInfinityNegative() {
        let nan = parseError("sample,A,B\n0,0.5,nan\n")
        XCTAssertEqual(nan?.location, "line 2, column 3 (B)")
        XCTAssertEqual(nan?.found, "NaN")
        XCTAssertEqual(parseError("sample,A\n0,NaN\n")?.found, "NaN")
        let inf = parseError("sample,A\n0,inf\n")
        XCTAssertEqual(inf?.expected, "a finite phase fraction")
        let neg = parseError("sample,A,B\n0,1.1,-0.1\n")
        XCTAssertEqual(neg?.location, "line 2, column 3 (B)")
        XCTAssertEqual(neg?.expected, "a non-negative phase fraction")
        XCTAssertEqual(neg?.found, "`-0.1`")
        // -0 is not negative.
        XCTAssertNoThrow(try FractionTable.parse("sample,A\n0,-0.000000\n", file: "t.csv"))
    }

    func testSampleIndexErrors() {
        let order = parseError("sample,A\n0,1\n2,1\n1,1\n")
        XCTAssertEqual(order?.location, "line 4, column 1 (sample)")
        XCTAssertEqual(order?.expected, "sample indices in increasing order")
        XCTAssertEqual(order?.found, "sample 1 after sample 2")
        let dup = parseError("sample,A\n0,1\n1,1\n1,1\n")
        XCTAssertEqual(dup?.location, "line 4, column 1 (sample)")
        XCTAssertEqual(dup?.expected, "each sample index once")
        let dupEarlier = parseError("sample,A\n0,1\n1,1\n0,1\n")
        XCTAssertEqual(dupEarlier?.expected, "each sample index once")
        XCTAssertEqual(parseError("sample,A\n1.5,1\n")?.expected, "an integer sample index")
        XCTAssertEqual(parseError("sample,A\n-1,1\n")?.found, "-1")
    }

    func testFieldCountAndQuotes() {
        let e = parseError("sample,A,B\n0,0.5\n")
        XCTAssertEqual(e?.location, "line 2")
        XCTAssertEqual(e?.found, "2 fields")
        XCTAssertEqual(parseError("sample,\"A\n")?.found, "an unterminated quoted field")
    }

    func testDescriptionNamesFileLineAndColumn() {
        let e = parseError("sample,A\n0,x\n", file: "/tmp/sol/fractions.csv")
        XCTAssertEqual(
            e?.description,
            "/tmp/sol/fractions.csv, line 2, column 2 (A): expected a number (phase fraction), found `x`")
    }

    func testMissingFile() {
        XCTAssertThrowsError(try FractionTable.read(contentsOfFile: "/nonexistent/fractions.csv")) { error in
            let e = error as? InputError
            XCTAssertEqual(e?.file, "/nonexistent/fractions.csv")
            XCTAssertEqual(e?.found, "no such file")
        }
    }

    func testWriterFormatsAndRoundTrips() throws {
        let t = try FractionTable(phases: ["A", "B,x"], samples: [0, 3], fractions: [[0.25, 0.75], [1.0 / 3.0, 2.0 / 3.0]])
        XCTAssertEqual(t.csvString(), "sample,A,\"B,x\"\n0,0.250000,0.750000\n3,0.333333,0.666667\n")
        XCTAssertEqual(t.csvString(decimals: 2), "sample,A,\"B,x\"\n0,0.25,0.75\n3,0.33,0.67\n")
        let exact = try FractionTable.parse(t.csvString(decimals: nil), file: "t.csv")
        XCTAssertEqual(exact, t)

        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("drnet-eval-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("fractions.csv").path
        try t.write(toFile: path, decimals: nil)
        XCTAssertEqual(try FractionTable.read(contentsOfFile: path), t)
    }

    func testInitValidates() {
        XCTAssertThrowsError(try FractionTable(phases: ["A", "A"], fractions: []))
        XCTAssertThrowsError(try FractionTable(phases: ["A"], fractions: [[0.5, 0.5]]))
        XCTAssertThrowsError(try FractionTable(phases: ["A"], fractions: [[-1]]))
        XCTAssertThrowsError(try FractionTable(phases: ["A"], fractions: [[.nan]]))
        XCTAssertThrowsError(try FractionTable(phases: ["A"], samples: [1, 1], fractions: [[1], [1]]))
        XCTAssertThrowsError(try FractionTable(phases: ["sample"], fractions: [[1]]))
        XCTAssertNoThrow(try FractionTable(phases: ["A"], samples: [0, 5], fractions: [[1], [1]]))
    }
}
