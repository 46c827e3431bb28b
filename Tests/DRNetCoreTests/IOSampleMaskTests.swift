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

final class IOSampleMaskTests: XCTestCase {
    func testMaskFromNPYAnyDType() throws {
        let dir = IOTempDir()
        for dtype in NPYDType.allCases {
            let path = dir.file("m-\(dtype).npy")
            try NPYWriter.write([1, 0, 0, 1, 1, 1], shape: [2, 3], dtype: dtype, to: path)
            XCTAssertEqual(try SampleMaskReader.readMask(path: path, sampleCount: 2, phaseCount: 3), [1, 0, 0, 1, 1, 1])
        }
        let path = dir.file("wrong.npy")
        try NPYWriter.write([1, 0, 0, 1, 1, 1], shape: [3, 2], dtype: .float64, to: path)
        assertInputError(
            try SampleMaskReader.readMask(path: path, sampleCount: 2, phaseCount: 3),
            contains: [path, "2×3", "found 3×2"])
    }

    func testMaskFromCSV() throws {
        let dir = IOTempDir()
        let withHeader = dir.write("m.csv", "alpha,beta,gamma\n1,0,1\n0,0,1\n")
        XCTAssertEqual(try SampleMaskReader.readMask(path: withHeader, sampleCount: 2, phaseCount: 3), [1, 0, 1, 0, 0, 1])
        let plain = dir.write("p.csv", "1,0,1\n0,0,1\n")
        XCTAssertEqual(try SampleMaskReader.readMask(path: plain, sampleCount: 2, phaseCount: 3), [1, 0, 1, 0, 0, 1])
        let shortRow = dir.write("s.csv", "1,0,1\n0,1\n")
        assertInputError(
            try SampleMaskReader.readMask(path: shortRow, sampleCount: 2, phaseCount: 3),
            contains: [shortRow, "line 2", "2×3", "found 2 values"])
        let rows = dir.write("r.csv", "1,0,1\n")
        assertInputError(
            try SampleMaskReader.readMask(path: rows, sampleCount: 2, phaseCount: 3),
            contains: [rows, "2×3", "found 1 rows"])
        let bad = dir.write("b.csv", "1,0,1\n0,y,1\n")
        assertInputError(
            try SampleMaskReader.readMask(path: bad, sampleCount: 2, phaseCount: 3),
            contains: [bad, "line 2, column 2", "\"y\""])
    }

    func testDegreesOfFreedom() throws {
        let dir = IOTempDir()
        let npy = dir.file("d.npy")
        try NPYWriter.write([1, 2, 3], shape: [3], dtype: .float64, to: npy)
        XCTAssertEqual(try SampleMaskReader.readDegreesOfFreedom(path: npy, sampleCount: 3), [1, 2, 3])
        let csv = dir.write("d.csv", "dof\n3\n2\n\n1\n")
        XCTAssertEqual(try SampleMaskReader.readDegreesOfFreedom(path: csv, sampleCount: 3), [3, 2, 1])
        assertInputError(
            try SampleMaskReader.readDegreesOfFreedom(path: npy, sampleCount: 4),
            contains: [npy, "shape (4,)", "(3,)"])
        let frac = dir.write("f.csv", "1\n2.5\n3\n")
        assertInputError(
            try SampleMaskReader.readDegreesOfFreedom(path: frac, sampleCount: 3),
            contains: [frac, "line 2", "integer", "2.5"])
        let short = dir.write("s.csv", "1\n2\n")
        assertInputError(
            try SampleMaskReader.readDegreesOfFreedom(path: short, sampleCount: 3),
            contains: [short, "3 values", "found 2"])
    }

    func testAlLiFeSampleIndicator() throws {
        guard let d = SharedData.dataset("al-li-fe") else { throw XCTSkip("../shared/datasets/al-li-fe not present") }
        let mask = try SampleMaskReader.readMask(
            path: d.appendingPathComponent("npy/sample_indicator.npy").path,
            sampleCount: 231, phaseCount: 159)
        XCTAssertEqual(mask.count, 231 * 159)
        XCTAssertTrue(mask.allSatisfy { $0 <= 1 })
        XCTAssertTrue(mask.contains(0) && mask.contains(1))
        let dof = try SampleMaskReader.readDegreesOfFreedom(
            path: d.appendingPathComponent("npy/degree_of_freedom.npy").path,
            sampleCount: 231)
        XCTAssertEqual(Set(dof), [1, 2, 3])
    }
}
