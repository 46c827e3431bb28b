import DRNetEngine
import Foundation
import XCTest
@testable import DRNetIO

/// `TextScanReader` (column text, `.chi`) and `XRDMLReader` on files written here, and
/// `XRDMLReader` on the real AERIS scans in `../shared/datasets/dara-scans`.
final class ScanReaderTests: IOFolderTestCase {

    // MARK: - Column text: layouts

    func testTwoColumnWhitespace() throws {
        let path = write("a.xy", "10.0 100\n10.5\t  200.5\n  11.0   -3e1  \n")
        let scan = try TextScanReader.read(path: path)
        XCTAssertEqual(scan.source, path)
        XCTAssertNil(scan.scanIndex)
        XCTAssertNil(scan.axis)
        XCTAssertEqual(scan.x, [10, 10.5, 11])
        XCTAssertEqual(scan.intensity, [100, 200.5, -30])
        XCTAssertNil(scan.sigma)
        XCTAssertNil(scan.wavelength)
        XCTAssertNil(scan.countingTime)
    }

    func testThreeColumnsWithSigma() throws {
        let scan = try TextScanReader.read(path: write("a.xye", "5 10 3.1\n6 20 4.5\n7 0 0\n"))
        XCTAssertEqual(scan.x, [5, 6, 7])
        XCTAssertEqual(scan.intensity, [10, 20, 0])
        XCTAssertEqual(scan.sigma, [3.1, 4.5, 0])
    }

    func testSeparatorsLineEndsAndByteOrderMark() throws {
        let variants: [(String, String)] = [
            ("comma.csv", "1.5,10,1\n2.5, 20 ,2\n3.5 ,30, 3\n"),
            ("semicolon.csv", "1.5;10;1\n2.5; 20 ;2\n3.5 ;30; 3\n"),
            ("tabs.dat", "1.5\t10\t1\n2.5\t20\t2\n3.5\t30\t3\n"),
            ("crlf.txt", "1.5 10 1\r\n2.5 20 2\r\n3.5 30 3"),
            ("bom.xye", "\u{FEFF}1.5 10 1\n2.5 20 2\n3.5 30 3\n")
        ]
        for (name, text) in variants {
            let scan = try TextScanReader.read(path: write(name, text))
            XCTAssertEqual(scan.x, [1.5, 2.5, 3.5], name)
            XCTAssertEqual(scan.intensity, [10, 20, 30], name)
            XCTAssertEqual(scan.sigma, [1, 2, 3], name)
        }
    }

    func testCommentsAndBlankLines() throws {
        let text = """
            # a hash comment
            ! a bang comment
            ' an apostrophe comment

               # indented comment
            1 2
            # comment between rows
            3 4

            ! trailing comment
            """
        let scan = try TextScanReader.read(path: write("c.xy", text))
        XCTAssertEqual(scan.x, [1, 3])
        XCTAssertEqual(scan.intensity, [2, 4])
        XCTAssertNil(scan.axis)
    }

    // MARK: - Column text: axis from the header and from comments

    func testHeaderVariants() throws {
        let cases: [(header: String, axis: ScanAxis?)] = [
            ("2theta,intensity,sigma", .twoTheta),
            ("2θ intensity sigma", .twoTheta),
            ("2Theta;I;sigma", .twoTheta),
            ("tth I sigma", .twoTheta),
            ("2th I sigma", .twoTheta),
            ("2th_deg I sigma", .twoTheta),
            ("twotheta,I,s", .twoTheta),
            ("2-theta,I,s", .twoTheta),
            ("two_theta I s", .twoTheta),
            ("2theta_deg I s", .twoTheta),
            ("2theta (deg) I s", .twoTheta),
            ("2θ (°) I s", .twoTheta),
            ("2theta[deg] I s", .twoTheta),
            ("2-Theta Angle (Degrees),I,s", .twoTheta),
            ("\"2Theta\",\"Intensity\",\"Sigma\"", .twoTheta),
            ("q_nm^-1 I s", .qInverseNanometres),
            ("q(nm-1) I s", .qInverseNanometres),
            ("Q (nm^-1) I s", .qInverseNanometres),
            ("q (1/nm) I s", .qInverseNanometres),
            ("q/nm^-1 I s", .qInverseNanometres),
            ("Q (nm⁻¹) I s", .qInverseNanometres),
            ("q_A^-1 I s", .qInverseAngstroms),
            ("q(A-1) I s", .qInverseAngstroms),
            ("Q (Å⁻¹) I s", .qInverseAngstroms),
            ("q (1/A) I s", .qInverseAngstroms),
            ("q_Å^-1 I s", .qInverseAngstroms),
            ("d_A I s", .dAngstroms),
            ("d(A) I s", .dAngstroms),
            ("d (Å) I s", .dAngstroms),
            ("d-spacing (Angstrom),I,s", .dAngstroms),
            ("q intensity sigma", nil),
            ("d intensity sigma", nil),
            ("x y e", nil),
            ("angle intensity sigma", nil)
        ]
        for (k, c) in cases.enumerated() {
            let path = write("h\(k).csv", "\(c.header)\n10,1,0.5\n11,2,0.5\n")
            let scan = try TextScanReader.read(path: path)
            XCTAssertEqual(scan.axis, c.axis, c.header)
            XCTAssertEqual(scan.x, [10, 11], c.header)
            XCTAssertEqual(scan.intensity, [1, 2], c.header)
            XCTAssertEqual(scan.sigma, [0.5, 0.5], c.header)
        }
        // A two-column header with a whitespace separator.
        let two = try TextScanReader.read(path: write("q.xy", "q_nm^-1 intensity\n10 1\n11 2\n"))
        XCTAssertEqual(two.axis, .qInverseNanometres)
        XCTAssertNil(two.sigma)
    }

    func testUnitComments() throws {
        let cases: [(comment: String, axis: ScanAxis)] = [
            ("# Unit: 2th_deg", .twoTheta),
            ("# Unit: q_nm^-1", .qInverseNanometres),
            ("# Unit: q_A^-1", .qInverseAngstroms),
            ("# Unit: d_A", .dAngstroms),
            ("# unit = 2theta", .twoTheta),
            ("! x unit: q(A-1)", .qInverseAngstroms),
            ("# Unit: deg", .twoTheta),
            ("# Unit: nm^-1", .qInverseNanometres),
            ("# Unit: A^-1", .qInverseAngstroms),
            ("# radial unit = Å", .dAngstroms),
            // pyFAI's column line just before the data.
            ("#       2th_deg             I             sigma", .twoTheta),
            ("#        q_nm^-1             I             sigma", .qInverseNanometres),
            ("#        q_A^-1  I  sigma", .qInverseAngstroms)
        ]
        for (k, c) in cases.enumerated() {
            let scan = try TextScanReader.read(path: write("u\(k).dat", "# a file\n\(c.comment)\n10 1 1\n11 2 1\n"))
            XCTAssertEqual(scan.axis, c.axis, c.comment)
        }
        // A comment that happens to have as many words as columns, but names no axis, says nothing.
        let plain = try TextScanReader.read(path: write("plain.xy", "# hello world\n1 2\n3 4\n"))
        XCTAssertNil(plain.axis)
        // Consistent statements are fine.
        let both = try TextScanReader.read(path: write("both.dat", "# Unit: 2th_deg\n2theta I\n1 2\n3 4\n"))
        XCTAssertEqual(both.axis, .twoTheta)
    }

    func testPyFAIStyleFile() throws {
        let text = """
            # == pyFAI calibration ==
            # Distance Sample to Detector: 0.1 m
            # PONI: 1.000e-01, 1.000e-01 m
            # Rotations: 0.000000 0.000000 0.000000 rad
            #
            # == Fit2d calibration ==
            # Direct Beam Distance: 100.000 mm
            # Center: x=1000.000, y=1000.000 pix
            # Tilt: 0.000 deg  TiltPlanRotation: 0.000 deg
            #
            # Wavelength: 1.5406e-10
            # Unit: 2th_deg
            # --> /data/scan.dat
            #       2th_deg             I             sigma
              1.000000e+01    1.250000e+02    1.118034e+01
              1.010000e+01    1.300000e+02    1.140175e+01
              1.020000e+01    1.200000e+02    1.095445e+01

            """
        let scan = try TextScanReader.read(path: write("pyfai.dat", text))
        XCTAssertEqual(scan.axis, .twoTheta)
        XCTAssertEqual(scan.x, [10, 10.1, 10.2])
        XCTAssertEqual(scan.intensity, [125, 130, 120])
        XCTAssertEqual(scan.sigma, [11.18034, 11.40175, 10.95445])
        let wl = try XCTUnwrap(scan.wavelength)
        XCTAssertEqual(wl.alpha1, 1.5406, accuracy: 1e-12)
        XCTAssertNil(wl.alpha2)
        XCTAssertNil(wl.ratio)
        XCTAssertEqual(wl.origin, "file pyfai.dat: line 11")
    }

    func testWavelengthVariants() throws {
        let cases: [(comment: String, angstrom: Double)] = [
            ("# Wavelength: 1.5406e-10", 1.5406),
            ("# Wavelength: 1.5406e-10 m", 1.5406),
            ("# wavelength = 1.5406 A", 1.5406),
            ("# Wavelength = 1.5406 Å", 1.5406),
            ("# wavelength: 1.5406 Angstrom", 1.5406),
            ("# Wavelength: 0.07093 nm", 0.7093),
            ("# Wavelength (A): 0.7093", 0.7093),
            ("# Wavelength [Å] = 0.7093", 0.7093),
            ("! lambda = 154.06 pm", 1.5406)
        ]
        for (k, c) in cases.enumerated() {
            let scan = try TextScanReader.read(path: write("w\(k).xy", "# header\n\(c.comment)\n10 1\n11 2\n"))
            let wl = try XCTUnwrap(scan.wavelength, c.comment)
            XCTAssertEqual(wl.alpha1, c.angstrom, accuracy: 1e-9, c.comment)
            XCTAssertEqual(wl.origin, "file w\(k).xy: line 2", c.comment)
        }
        // The same wavelength stated twice is fine.
        let twice = try TextScanReader.read(
            path: write("twice.xy", "# Wavelength: 1.5406e-10\n# wavelength = 1.5406 A\n1 2\n3 4\n"))
        XCTAssertEqual(twice.wavelength?.origin, "file twice.xy: line 1")
    }

    // MARK: - Column text: bad inputs

    func testUnknownUnitsAreErrors() {
        let cases: [(text: String, line: String, fragment: String)] = [
            ("# Unit: 2th_rad\n1 2\n3 4\n", "line 1", "\"2th_rad\""),
            ("# Unit: r_mm\n1 2\n3 4\n", "line 1", "\"r_mm\""),
            ("# Unit: chi_deg\n1 2\n3 4\n", "line 1", "\"chi_deg\""),
            ("# Unit: q\n1 2\n3 4\n", "line 1", "\"q\""),
            ("# c\n2theta (rad),I\n1,2\n3,4\n", "line 2", "\"2theta (rad)\""),
            ("q (pm-1) I\n1 2\n3 4\n", "line 1", "\"q (pm-1)\""),
            ("d_nm I\n1 2\n3 4\n", "line 1", "\"d_nm\""),
            ("x (mm),I\n1,2\n3,4\n", "line 1", "\"x (mm)\""),
            ("# title\n#   2th_rad   I\n1 2\n3 4\n", "line 2", "\"2th_rad\"")
        ]
        for (k, c) in cases.enumerated() {
            let path = write("bad-unit-\(k).dat", c.text)
            expectInputError(try TextScanReader.read(path: path), [path, c.line, c.fragment, "expected", "axis unit"])
        }
    }

    func testConflictingAxisStatements() {
        let path = write("conflict.dat", "# Unit: 2th_deg\nq_nm^-1 I\n1 2\n3 4\n")
        expectInputError(try TextScanReader.read(path: path), [path, "line 2", "one x axis (line 1 says \"2th_deg\")", "\"q_nm^-1\""])
    }

    func testBadWavelengths() {
        let cases: [(comment: String, fragments: [String])] = [
            ("# Wavelength: 1.5406", ["with its unit", "1.5406 without a unit"]),
            ("# Wavelength: Cu K-alpha", ["a number with a unit", "\"Cu K-alpha\""]),
            ("# wavelength = 1.5406 furlongs", ["unit m, nm, pm or Å", "\"furlongs\""]),
            ("# Wavelength: 1.5406 m", ["between 0.001 and 100 Å", "1.5406 m"]),
            ("# Wavelength: nan m", ["a number with a unit", "\"nan m\""]),
            ("# Wavelength (nm): 0.15406 A", ["one wavelength unit", "\"nm\""])
        ]
        for (k, c) in cases.enumerated() {
            let path = write("bad-wl-\(k).xy", "# header\n\(c.comment)\n1 2\n3 4\n")
            expectInputError(try TextScanReader.read(path: path), [path, "line 2"] + c.fragments)
        }
        let path = write("two-wl.xy", "# Wavelength: 1.5406 A\n# Wavelength: 0.7093 A\n1 2\n3 4\n")
        expectInputError(try TextScanReader.read(path: path), [path, "line 2", "one wavelength (line 1 says 1.5406 Å)", "0.7093 Å"])
    }

    func testNaNAndInfinity() {
        let cases: [(text: String, place: String, found: String)] = [
            ("1 2\n2 nan\n3 4\n", "line 2, column 2 (intensity)", "found nan"),
            ("1 2\ninf 3\n3 4\n", "line 2, column 1 (x)", "found inf"),
            ("1 2 1\n2 3 -Infinity\n3 4 1\n", "line 2, column 3 (σ)", "found -Infinity"),
            ("1,2\n2,NaN\n", "line 2, column 2 (intensity)", "found NaN"),
            ("1e999 2\n2 3\n", "line 1, column 1 (x)", "found 1e999")
        ]
        for (k, c) in cases.enumerated() {
            let path = write("nan-\(k).xy", c.text)
            expectInputError(try TextScanReader.read(path: path), [path, c.place, "expected a finite number", c.found])
        }
    }

    func testNonNumericItem() {
        let path = write("nonnum.xy", "# c\n10 1\n11 abc\n12 3\n")
        expectInputError(
            try TextScanReader.read(path: path),
            [path, "line 3, column 2 (intensity)", "expected a number", "non-numeric item \"abc\""])
        // A decimal comma is not taken for a separator.
        let comma = write("decimal-comma.xy", "10,5 100\n11,5 200\n")
        expectInputError(try TextScanReader.read(path: comma), [comma, "line 1, column 2 (intensity)", "non-numeric item \"5 100\""])
        let semi = write("decimal-comma.csv", "10,5;100\n11,5;200\n")
        expectInputError(try TextScanReader.read(path: semi), [semi, "line 1, column 1 (x)", "non-numeric item \"10,5\""])
        // Data rows after the first may not be names.
        let late = write("late-header.csv", "1,2\nq,I\n")
        expectInputError(try TextScanReader.read(path: late), [late, "line 2, column 1 (x)", "non-numeric item \"q\""])
        // Empty items.
        let empty = write("empty-item.csv", "1,,2\n3,4,5\n")
        expectInputError(try TextScanReader.read(path: empty), [empty, "line 1, column 2 (intensity)", "an empty item (comma-separated)"])
        // Hexadecimal is not a number here.
        let hex = write("hex.xy", "0x10 2\n3 4\n")
        expectInputError(try TextScanReader.read(path: hex), [hex, "line 1", "column 1"])
        // A header that mixes names and numbers.
        let mixed = write("mixed.xy", "2theta 5\n1 2\n")
        expectInputError(try TextScanReader.read(path: mixed), [mixed, "line 1, column 1 (x)", "non-numeric item \"2theta\""])
    }

    func testNegativeSigma() {
        let path = write("neg.xye", "1 2 1\n2 3 -0.5\n")
        expectInputError(try TextScanReader.read(path: path), [path, "line 2, column 3 (σ)", "σ ≥ 0", "-0.5"])
    }

    func testWrongColumnCount() {
        let path = write("cols.xy", "# c\n1 2\n2 3\n3 4 5\n")
        expectInputError(
            try TextScanReader.read(path: path), [path, "line 4", "2 columns, as on line 2", "found 3 whitespace-separated columns"])
        let short = write("short.csv", "1,2,3\n2,3\n")
        expectInputError(
            try TextScanReader.read(path: short), [short, "line 2", "3 columns, as on line 1", "found 2 comma-separated columns"])
        let one = write("one.xy", "1\n2\n")
        expectInputError(try TextScanReader.read(path: one), [one, "line 1", "2 or 3 columns", "found 1 whitespace-separated column"])
        let four = write("four.xy", "1 2 3 4\n")
        expectInputError(try TextScanReader.read(path: four), [four, "line 1", "2 or 3 columns", "found 4"])
        let header = write("header.xye", "2theta intensity\n1 2 3\n2 3 4\n")
        expectInputError(
            try TextScanReader.read(path: header),
            [header, "line 1", "a header naming the 3 columns of the data (line 2)", "2 column names: 2theta, intensity"])
    }

    func testEmptyAndTooShortFiles() {
        let empty = write("empty.xy", "")
        expectInputError(try TextScanReader.read(path: empty), [empty, "expected a scan", "found an empty file"])
        let blank = write("blank.xy", "  \n\n\t\n")
        expectInputError(try TextScanReader.read(path: blank), [blank, "found an empty file"])
        let comments = write("comments.xy", "# only\n# comments\n")
        expectInputError(try TextScanReader.read(path: comments), [comments, "at least two data rows", "found no data rows"])
        let headerOnly = write("header-only.csv", "2theta,I\n")
        expectInputError(try TextScanReader.read(path: headerOnly), [headerOnly, "found no data rows"])
        let single = write("single.xy", "# c\n1 2\n")
        expectInputError(try TextScanReader.read(path: single), [single, "line 2", "found one data row"])
        let missing = folder.appendingPathComponent("missing.xy").path
        expectInputError(try TextScanReader.read(path: missing), [missing, "no such file"])
    }

    // MARK: - .chi

    private func chi(_ label: String, count: Int, rows: [String]) -> String {
        (["scan-0001.tif: integrated", label, "Intensity", "       \(count)"] + rows).joined(separator: "\n") + "\n"
    }

    func testChiVariants() throws {
        let cases: [(label: String, axis: ScanAxis?)] = [
            ("2-Theta Angle (Degrees)", .twoTheta),
            ("2-Theta Angle (deg)", .twoTheta),
            ("Q (nm^-1)", .qInverseNanometres),
            ("Q (Inverse Nanometres)", .qInverseNanometres),
            ("Q (A^-1)", .qInverseAngstroms),
            ("Q (Inverse Angstroms)", .qInverseAngstroms),
            ("D-spacing (Angstroms)", .dAngstroms),
            ("Q", nil),
            ("", nil)
        ]
        for (k, c) in cases.enumerated() {
            let rows = ["  1.000000E+01  1.500000E+02", "  1.010000E+01  1.600000E+02", "  1.020000E+01  1.550000E+02"]
            let scan = try TextScanReader.read(path: write("c\(k).chi", chi(c.label, count: 3, rows: rows)))
            XCTAssertEqual(scan.axis, c.axis, c.label)
            XCTAssertEqual(scan.x, [10, 10.1, 10.2], c.label)
            XCTAssertEqual(scan.intensity, [150, 160, 155], c.label)
            XCTAssertNil(scan.sigma)
        }
        // Three columns and a trailing blank line.
        let three = try TextScanReader.read(path: write("three.chi", chi("Q (nm^-1)", count: 2, rows: ["1 2 0.1", "2 3 0.2", ""])))
        XCTAssertEqual(three.sigma, [0.1, 0.2])
        // A .chi that starts with a comment is column text.
        let commented = try TextScanReader.read(path: write("pyfai.chi", "# Unit: q_A^-1\n1 2\n3 4\n"))
        XCTAssertEqual(commented.axis, .qInverseAngstroms)
        XCTAssertEqual(commented.x, [1, 3])
    }

    func testChiErrors() {
        let rows = ["1 2", "2 3", "3 4", "4 5"]
        let more = write("more.chi", chi("2-Theta Angle (Degrees)", count: 5, rows: rows))
        expectInputError(
            try TextScanReader.read(path: more),
            [more, "line 4", "expected 5 data rows (the point count on line 4)", "found 4 data rows after the header"])
        let fewer = write("fewer.chi", chi("2-Theta Angle (Degrees)", count: 3, rows: rows))
        expectInputError(try TextScanReader.read(path: fewer), [fewer, "line 4", "expected 3 data rows", "found 4 data rows"])
        let badCount = write(
            "bad-count.chi", chi("2-Theta Angle (Degrees)", count: 4, rows: rows).replacingOccurrences(of: "       4\n", with: "four\n"))
        expectInputError(try TextScanReader.read(path: badCount), [badCount, "line 4", "point count", "\"four\""])
        let label = write("label.chi", chi("Radial distance (mm)", count: 4, rows: rows))
        expectInputError(try TextScanReader.read(path: label), [label, "line 2", ".chi x-axis label", "\"Radial distance (mm)\""])
        let rad = write("rad.chi", chi("2-Theta Angle (Radians)", count: 4, rows: rows))
        expectInputError(try TextScanReader.read(path: rad), [rad, "line 2", "\"2-Theta Angle (Radians)\""])
        let short = write("short.chi", "title\n2-Theta Angle (Degrees)\n")
        expectInputError(try TextScanReader.read(path: short), [short, "line 3", "4 header lines", "only 2 lines"])
        let nan = write("nan.chi", chi("Q (nm^-1)", count: 2, rows: ["1 2", "2 NaN"]))
        expectInputError(try TextScanReader.read(path: nan), [nan, "line 6, column 2 (intensity)", "finite", "NaN"])
        let text = write("text.chi", chi("Q (nm^-1)", count: 2, rows: ["1 2", "2 x"]))
        expectInputError(try TextScanReader.read(path: text), [text, "line 6, column 2 (intensity)", "non-numeric item \"x\""])
    }

    // MARK: - XRDML, written here

    private static let cuWavelength = """
        <usedWavelength intended="K-Alpha 1">
            <kAlpha1 unit="Angstrom">1.5405980</kAlpha1>
            <kAlpha2 unit="Angstrom">1.5444260</kAlpha2>
            <kBeta unit="Angstrom">1.3922500</kBeta>
            <ratioKAlpha2KAlpha1>0.5000</ratioKAlpha2KAlpha1>
        </usedWavelength>
        """

    private func xrdml(version: String = "2.0", measurements: [(wavelength: String, scans: [String])]) -> String {
        let ns = "http://www.xrdml.com/XRDMeasurement/\(version)"
        var s = """
            <?xml version="1.0" encoding="UTF-8"?>
            <xrdMeasurements xmlns="\(ns)" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" status="Completed">
                <sample type="To be analyzed"><id>test</id></sample>

            """
        for m in measurements {
            s += "<xrdMeasurement measurementType=\"Scan\" status=\"Completed\">\n\(m.wavelength)\n"
            s += "<incidentBeamPath><radius unit=\"mm\">145.00</radius></incidentBeamPath>\n"
            s += m.scans.joined(separator: "\n") + "\n</xrdMeasurement>\n"
        }
        return s + "</xrdMeasurements>\n"
    }

    private func scanXML(positions: String, counts: String, extra: String = "", countingTime: String = "2.500") -> String {
        """
        <scan appendNumber="0" mode="Continuous" scanAxis="Gonio" status="Completed">
            <header><startTimeStamp>2024-01-01T00:00:00-08:00</startTimeStamp></header>
            <dataPoints>
                \(positions)
                <commonCountingTime unit="seconds">\(countingTime)</commonCountingTime>
                \(counts)
                \(extra)
            </dataPoints>
        </scan>
        """
    }

    private func startEnd(_ start: Double, _ end: Double, axis: String = "2Theta", unit: String = "deg") -> String {
        """
        <positions axis="\(axis)" unit="\(unit)">
            <startPosition>\(start)</startPosition>
            <endPosition>\(end)</endPosition>
        </positions>
        """
    }

    func testXRDMLStartEndPositions() throws {
        // Omega first: the reader must select by the axis attribute.
        let scan = scanXML(
            positions: startEnd(5, 7, axis: "Omega") + "\n" + startEnd(10, 14), counts: "<counts unit=\"counts\">10 20 30 40 50</counts>")
        let path = write("se.xrdml", "\u{FEFF}" + xrdml(measurements: [(Self.cuWavelength, [scan])]))
        let scans = try XRDMLReader.read(path: path)
        XCTAssertEqual(scans.count, 1)
        let s = scans[0]
        XCTAssertEqual(s.source, path)
        XCTAssertNil(s.scanIndex)
        XCTAssertEqual(s.axis, .twoTheta)
        XCTAssertEqual(s.x, [10, 11, 12, 13, 14])
        XCTAssertEqual(s.intensity, [10, 20, 30, 40, 50])
        XCTAssertNil(s.sigma)
        XCTAssertEqual(s.countingTime, 2.5)
        XCTAssertEqual(
            s.wavelength, ScanWavelength(alpha1: 1.540598, alpha2: 1.544426, ratio: 0.5, origin: "file se.xrdml: usedWavelength"))
    }

    func testXRDMLVersion1ListPositionsAndIntensities() throws {
        let positions = """
            <positions axis="2Theta" unit="deg"><listPositions>20.0 20.5 21.25</listPositions></positions>
            <positions axis="Omega" unit="deg"><commonPosition>10.0</commonPosition></positions>
            """
        let wavelength = "<usedWavelength><kAlpha1 unit=\"Angstrom\">0.7093</kAlpha1></usedWavelength>"
        let scan = scanXML(
            positions: positions, counts: "<intensities unit=\"counts\">\n  1.5\n  2.5   3.5\n</intensities>",
            extra: "<beamAttenuationFactors>1 1 2.0</beamAttenuationFactors>", countingTime: "1.0")
        let path = write("v1.xrdml", xrdml(version: "1.0", measurements: [(wavelength, [scan])]))
        let s = try XCTUnwrap(XRDMLReader.read(path: path).first)
        XCTAssertEqual(s.x, [20, 20.5, 21.25])
        XCTAssertEqual(s.intensity, [1.5, 2.5, 7])
        XCTAssertEqual(s.countingTime, 1)
        XCTAssertEqual(s.wavelength, ScanWavelength(alpha1: 0.7093, origin: "file v1.xrdml: usedWavelength"))
        // No usedWavelength, per-point counting times, schema 2.1 with a prefixed namespace.
        let prefixed = """
            <?xml version="1.0"?>
            <x:xrdMeasurements xmlns:x="http://www.xrdml.com/XRDMeasurement/2.1">
              <x:xrdMeasurement>
                <x:scan>
                  <x:dataPoints>
                    <x:positions axis="2Theta" unit="deg"><x:startPosition>1</x:startPosition><x:endPosition>2</x:endPosition></x:positions>
                    <x:countingTimes unit="seconds">1 1</x:countingTimes>
                    <x:counts unit="counts">5 6</x:counts>
                  </x:dataPoints>
                </x:scan>
              </x:xrdMeasurement>
            </x:xrdMeasurements>
            """
        let p = try XCTUnwrap(XRDMLReader.read(path: write("prefixed.xrdml", prefixed)).first)
        XCTAssertEqual(p.x, [1, 2])
        XCTAssertEqual(p.intensity, [5, 6])
        XCTAssertNil(p.countingTime)
        XCTAssertNil(p.wavelength)
    }

    func testXRDMLSeveralScans() throws {
        let a = scanXML(positions: startEnd(10, 12), counts: "<counts>1 2 3</counts>")
        let b = scanXML(positions: startEnd(20, 21), counts: "<counts>4 5</counts>")
        let moWavelength = """
            <usedWavelength intended="K-Alpha 1">
                <kAlpha1 unit="Angstrom">0.709319</kAlpha1>
                <kAlpha2 unit="Angstrom">0.713609</kAlpha2>
                <ratioKAlpha2KAlpha1>0.5</ratioKAlpha2KAlpha1>
            </usedWavelength>
            """
        let c = scanXML(positions: startEnd(30, 33), counts: "<counts>6 7 8 9</counts>")
        let path = write("multi.xrdml", xrdml(measurements: [(Self.cuWavelength, [a, b]), (moWavelength, [c])]))
        let scans = try XRDMLReader.read(path: path)
        XCTAssertEqual(scans.map(\.scanIndex), [0, 1, 2])
        XCTAssertEqual(scans.map(\.x), [[10, 11, 12], [20, 21], [30, 31, 32, 33]])
        XCTAssertEqual(scans.map(\.intensity), [[1, 2, 3], [4, 5], [6, 7, 8, 9]])
        XCTAssertEqual(scans.map { $0.wavelength?.alpha1 }, [1.540598, 1.540598, 0.709319])
        XCTAssertEqual(scans[2].wavelength?.alpha2, 0.713609)
    }

    func testXRDMLErrors() {
        let good = scanXML(positions: startEnd(10, 14), counts: "<counts unit=\"counts\">10 20 30 40 50</counts>")
        let goodFile = xrdml(measurements: [(Self.cuWavelength, [good])])

        let notXML = write("not-xml.xrdml", "2theta intensity\n10 20\n")
        expectInputError(
            try XRDMLReader.read(path: notXML), [notXML, "line 1", "a well-formed XRDML (XML) file", "no XML element (not an XML file"])

        let empty = write("empty.xrdml", "")
        expectInputError(try XRDMLReader.read(path: empty), [empty, "an XRDML (XML) file", "an empty file"])

        // Truncated in the middle of <counts>.
        let cut = goodFile.range(of: "10 20 30")!.upperBound
        let truncated = write("truncated.xrdml", String(goodFile[..<cut]))
        expectInputError(
            try XRDMLReader.read(path: truncated),
            [truncated, "line", "<xrdMeasurements><xrdMeasurement><scan><dataPoints><counts>", "truncated"])
        // Not well-formed: a mismatched end tag.
        let mismatchedTag = write("mismatched-tag.xrdml", goodFile.replacingOccurrences(of: "</counts>", with: "</count>"))
        let tagLine = goodFile.components(separatedBy: "\n").firstIndex { $0.contains("</counts>") }! + 1
        expectInputError(try XRDMLReader.read(path: mismatchedTag), [mismatchedTag, "line \(tagLine)", "malformed XML (XMLParser error"])
        // Truncated between elements.
        let cut2 = goodFile.range(of: "</scan>")!.upperBound
        let truncated2 = write("truncated2.xrdml", String(goodFile[..<cut2]))
        expectInputError(try XRDMLReader.read(path: truncated2), [truncated2, "inside <xrdMeasurements><xrdMeasurement>", "truncated"])

        let other = write("other.xml", "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><g/></svg>\n")
        expectInputError(
            try XRDMLReader.read(path: other),
            [other, "line 2, element <svg>", "root element <xrdMeasurements>", "found root element <svg>"])

        let foreign = write(
            "foreign.xrdml", goodFile.replacingOccurrences(of: "http://www.xrdml.com/XRDMeasurement/2.0", with: "urn:other"))
        expectInputError(try XRDMLReader.read(path: foreign), [foreign, "element <xrdMeasurements>", "XRDML namespace", "urn:other"])

        let v3 = write("v3.xrdml", goodFile.replacingOccurrences(of: "XRDMeasurement/2.0", with: "XRDMeasurement/3.0"))
        expectInputError(try XRDMLReader.read(path: v3), [v3, "element <xrdMeasurements>", "schema version 1.x or 2.x", "3.0"])

        let noScan = write("no-scan.xrdml", xrdml(measurements: [(Self.cuWavelength, [])]))
        expectInputError(
            try XRDMLReader.read(path: noScan), [noScan, "element <xrdMeasurement>", "at least one <scan>", "no <scan> element"])

        let omegaOnly = write("omega.xrdml", goodFile.replacingOccurrences(of: "axis=\"2Theta\"", with: "axis=\"Omega\""))
        expectInputError(
            try XRDMLReader.read(path: omegaOnly),
            [omegaOnly, "element <dataPoints>", "one <positions axis=\"2Theta\"> element", "positions for Omega only"])

        let radians = write("rad.xrdml", goodFile.replacingOccurrences(of: "unit=\"deg\"", with: "unit=\"rad\""))
        expectInputError(
            try XRDMLReader.read(path: radians), [radians, "element <positions axis=\"2Theta\">", "unit=\"deg\"", "found unit=\"rad\""])

        let mismatch = write(
            "mismatch.xrdml",
            xrdml(measurements: [
                (
                    Self.cuWavelength,
                    [
                        scanXML(
                            positions: "<positions axis=\"2Theta\" unit=\"deg\"><listPositions>1 2 3</listPositions></positions>",
                            counts: "<counts>1 2 3 4</counts>")
                    ]
                )
            ]))
        expectInputError(
            try XRDMLReader.read(path: mismatch),
            [mismatch, "element <counts>", "as many counts as 2Theta positions (3 in <listPositions>", "found 4 counts"])

        let nonNumeric = write("nonnum.xrdml", goodFile.replacingOccurrences(of: "10 20 30 40 50", with: "10 20 x30 40 50"))
        expectInputError(
            try XRDMLReader.read(path: nonNumeric),
            [nonNumeric, "element <counts>", "whitespace-separated numbers", "non-numeric item 3: \"x30\""])

        let nan = write("nan.xrdml", goodFile.replacingOccurrences(of: "10 20 30 40 50", with: "10 20 30 NaN 50"))
        expectInputError(try XRDMLReader.read(path: nan), [nan, "element <counts>", "finite numbers", "non-finite item 4: \"NaN\""])

        let noCounts = write(
            "no-counts.xrdml", goodFile.replacingOccurrences(of: "<counts unit=\"counts\">10 20 30 40 50</counts>", with: ""))
        expectInputError(try XRDMLReader.read(path: noCounts), [noCounts, "element <dataPoints>", "<counts> or <intensities>", "neither"])

        let onePoint = write("one.xrdml", goodFile.replacingOccurrences(of: "10 20 30 40 50", with: "10"))
        expectInputError(try XRDMLReader.read(path: onePoint), [onePoint, "element <counts>", "at least two points", "1 value"])

        let common = write(
            "common.xrdml",
            goodFile.replacingOccurrences(
                of: "<startPosition>10.0</startPosition>\n    <endPosition>14.0</endPosition>", with: "<commonPosition>10</commonPosition>")
        )
        expectInputError(
            try XRDMLReader.read(path: common),
            [
                common, "element <positions axis=\"2Theta\">", "<startPosition> and <endPosition>, or <listPositions>",
                "only <commonPosition>"
            ])

        let badStart = write("bad-start.xrdml", goodFile.replacingOccurrences(of: "<startPosition>10.0<", with: "<startPosition>ten<"))
        expectInputError(try XRDMLReader.read(path: badStart), [badStart, "element <startPosition>", "non-numeric item 1: \"ten\""])

        let nmWavelength = write(
            "nm.xrdml", goodFile.replacingOccurrences(of: "<kAlpha1 unit=\"Angstrom\">", with: "<kAlpha1 unit=\"nm\">"))
        expectInputError(try XRDMLReader.read(path: nmWavelength), [nmWavelength, "element <kAlpha1>", "in Angstrom", "unit=\"nm\""])

        let noAlpha1 = write(
            "no-alpha1.xrdml", goodFile.replacingOccurrences(of: "<kAlpha1 unit=\"Angstrom\">1.5405980</kAlpha1>", with: ""))
        expectInputError(try XRDMLReader.read(path: noAlpha1), [noAlpha1, "element <usedWavelength>", "a <kAlpha1> element", "none"])

        let badTime = write(
            "bad-time.xrdml",
            goodFile.replacingOccurrences(of: "<commonCountingTime unit=\"seconds\">", with: "<commonCountingTime unit=\"ms\">"))
        expectInputError(try XRDMLReader.read(path: badTime), [badTime, "element <commonCountingTime>", "seconds", "ms"])

        let factors = write(
            "factors.xrdml",
            goodFile.replacingOccurrences(of: "</counts>", with: "</counts><beamAttenuationFactors>1 1</beamAttenuationFactors>"))
        expectInputError(
            try XRDMLReader.read(path: factors),
            [factors, "element <beamAttenuationFactors>", "one factor per point (5 counts)", "2 factors"])

        let missing = folder.appendingPathComponent("missing.xrdml").path
        expectInputError(try XRDMLReader.read(path: missing), [missing, "no such file"])
    }

    // MARK: - Speed

    func testTenThousandPointsReadInMilliseconds() throws {
        let n = 10_000
        var text = "# Unit: 2th_deg\n# Wavelength: 1.5406e-10\n#  2th_deg  I  sigma\n"
        var counts = ""
        for i in 0..<n {
            let x = 10 + Double(i) * 0.01
            text += "\(x) \(1000 + i % 97) \(31.6 + Double(i % 7))\n"
            counts += "\(1000 + i % 97) "
        }
        let textPath = write("big.xye", text)
        let scan = scanXML(positions: startEnd(10, 10 + Double(n - 1) * 0.01), counts: "<counts unit=\"counts\">\(counts)</counts>")
        let xmlPath = write("big.xrdml", xrdml(measurements: [(Self.cuWavelength, [scan])]))

        var best = (text: Double.infinity, xml: Double.infinity)
        for _ in 0..<3 {
            var t0 = Date()
            let s = try TextScanReader.read(path: textPath)
            best.text = min(best.text, Date().timeIntervalSince(t0))
            XCTAssertEqual(s.x.count, n)
            XCTAssertEqual(s.sigma?.count, n)
            t0 = Date()
            let x = try XRDMLReader.read(path: xmlPath)
            best.xml = min(best.xml, Date().timeIntervalSince(t0))
            XCTAssertEqual(x.first?.intensity.count, n)
            XCTAssertEqual(x.first?.x.last ?? 0, 10 + Double(n - 1) * 0.01, accuracy: 1e-9)
        }
        print(String(format: "ScanReaderTests: 10^4 points: text %.2f ms, XRDML %.2f ms (best of 3)", best.text * 1e3, best.xml * 1e3))
        // Milliseconds in a release build; generous bounds for debug builds on a loaded machine.
        XCTAssertLessThan(best.text, 0.25)
        XCTAssertLessThan(best.xml, 0.25)
    }

    // MARK: - The real AERIS scans

    /// What each dara scan holds, as read by `XRDMLReader` (and matching the folder's README):
    /// point count, first and last 2θ (°), step (°), counting time (s).
    private static let daraFacts: [(file: String, n: Int, first: Double, last: Double, step: Double, time: Double)] = [
        ("CoO-ZnO_1100C_60min.xrdml", 8301, 9.90343322, 100.09488522, 0.01086644, 13.770),
        ("Li2CO3_0p9001-ZrO2_0p1000--8min.xrdml", 8282, 10.00943322, 99.99442286, 0.01086644, 12.495),
        ("NaHCO3_Cr2O3_Y2O3.12-min.xrdml", 8293, 9.99043322, 100.09495370, 0.01086644, 18.249),
        ("NiO_0p2030-Li2CO3_0p2999-TiO2_0p5025--8min.xrdml", 8282, 10.00943322, 99.99442286, 0.01086644, 12.495),
        ("SnO2_CaCO3_Li3PO4.12-min.xrdml", 8293, 9.99043322, 100.09495370, 0.01086644, 18.249),
        ("TiO2_GeO2_SnO2.12-min.xrdml", 8293, 9.99043322, 100.09495370, 0.01086644, 18.249),
        ("TiO2_GeO2_SnO2.2-min.xrdml", 2991, 10.02173288, 139.98435528, 0.04346576, 1.551)
    ]

    func testDaraScans() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = root.appendingPathComponent("../shared/datasets/dara-scans").standardizedFileURL
        guard FileManager.default.fileExists(atPath: dir.path) else {
            throw XCTSkip("dara scans not found at \(dir.path) (the shared datasets folder next to the package)")
        }
        let present = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".xrdml") }.sorted()
        XCTAssertEqual(present, Self.daraFacts.map(\.file))
        for fact in Self.daraFacts {
            let path = dir.appendingPathComponent(fact.file).path
            let scans = try XRDMLReader.read(path: path)
            XCTAssertEqual(scans.count, 1, fact.file)
            let s = try XCTUnwrap(scans.first)
            XCTAssertNil(s.scanIndex)
            XCTAssertEqual(s.axis, .twoTheta)
            XCTAssertEqual(s.x.count, fact.n, fact.file)
            XCTAssertEqual(s.intensity.count, fact.n, fact.file)
            XCTAssertEqual(s.x.first ?? 0, fact.first, accuracy: 1e-12, fact.file)
            XCTAssertEqual(s.x.last ?? 0, fact.last, accuracy: 1e-12, fact.file)
            XCTAssertEqual((fact.last - fact.first) / Double(fact.n - 1), fact.step, accuracy: 5e-9, fact.file)
            XCTAssertTrue(zip(s.x, s.x.dropFirst()).allSatisfy { $0 < $1 }, "2θ increases in \(fact.file)")
            XCTAssertTrue(s.intensity.allSatisfy { $0 >= 0 && $0 == $0.rounded() }, "integer counts in \(fact.file)")
            XCTAssertEqual(s.countingTime, fact.time, fact.file)
            print(
                "ScanReaderTests: \(fact.file): \(s.x.count) points, 2θ \(s.x.first!) → \(s.x.last!) step \(s.x[1] - s.x[0]), "
                    + "Kα1 \(s.wavelength?.alpha1 ?? 0) Kα2 \(s.wavelength?.alpha2 ?? 0) ratio \(s.wavelength?.ratio ?? 0), "
                    + "t \(s.countingTime ?? 0) s, counts \(s.intensity.min()!)…\(s.intensity.max()!)")
            XCTAssertEqual(
                s.wavelength,
                ScanWavelength(alpha1: 1.540598, alpha2: 1.544426, ratio: 0.5, origin: "file \(fact.file): usedWavelength"), fact.file)
        }
    }
}
