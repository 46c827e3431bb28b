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

final class IONPYTests: XCTestCase {
    func testRoundTripEveryDTypeAndVersion() throws {
        let dir = IOTempDir()
        let samples: [NPYDType: [Double]] = [
            .float32: [0, 1.5, -2.25, 3.0e10, 1e-7, 7],
            .float64: [0, 1.0 / 3.0, -2.5, 1e300, -1e-300, .pi],
            .int64: [0, -1, 9_007_199_254_740_992, 42, -7, 3],
            .int32: [0, -1, 2_147_483_647, -2_147_483_648, 5, 6],
            .bool: [0, 1, 1, 0, 1, 0],
            .uint8: [0, 255, 1, 128, 7, 9],
            .int8: [0, -128, 127, -1, 5, 6],
            .int16: [0, -32768, 32767, -1, 5, 6],
            .uint16: [0, 65535, 1, 2, 3, 4],
            .uint32: [0, 4_294_967_295, 1, 2, 3, 4],
            .uint64: [0, 9_007_199_254_740_992, 1, 2, 3, 4]
        ]
        for version: UInt8 in [1, 2, 3] {
            for (dtype, values) in samples {
                let path = dir.file("a-\(dtype)-\(version).npy")
                try NPYWriter.write(values, shape: [2, 3], dtype: dtype, to: path, version: version)
                let a = try NPYReader.read(path: path)
                XCTAssertEqual(a.shape, [2, 3])
                XCTAssertEqual(a.dtype, dtype)
                let expected = dtype == .float32 ? values.map { Double(Float($0)) } : values
                XCTAssertEqual(a.values, expected, "\(dtype) v\(version)")
                // The data starts on a 64-byte boundary, as NumPy writes it.
                let bytes = try NPYWriter.encode(values, shape: [2, 3], dtype: dtype, version: version)
                XCTAssertEqual((bytes.count - values.count * dtype.itemSize) % 64, 0)
            }
        }
    }

    func testShapesOneDimensionalAndScalar() throws {
        let dir = IOTempDir()
        let p1 = dir.file("v.npy")
        try NPYWriter.write([1, 2, 3], shape: [3], dtype: .float32, to: p1)
        let v = try NPYReader.read(path: p1)
        XCTAssertEqual(v.shape, [3])
        XCTAssertEqual(v.floats, [1, 2, 3])
        XCTAssertEqual(v.shapeDescription, "(3,)")
        let p0 = dir.file("s.npy")
        try NPYWriter.write([4.5], shape: [], dtype: .float64, to: p0)
        let s = try NPYReader.read(path: p0)
        XCTAssertEqual(s.shape, [])
        XCTAssertEqual(s.values, [4.5])
    }

    /// Builds a version-1 npy file with an arbitrary header dict and payload.
    private func rawNPY(_ dict: String, payload: [UInt8] = []) -> Data {
        var h = dict
        let unpadded = 10 + h.utf8.count + 1
        h += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var out: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(h.utf8.count & 0xFF), UInt8(h.utf8.count >> 8)]
        out += Array(h.utf8) + payload
        return Data(out)
    }

    func testPickledObjectArrayIsRejected() {
        let dir = IOTempDir()
        let path = dir.write(
            "obj.npy",
            rawNPY(
                "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }",
                payload: [0x80, 0x02, 0x5D, 0x71]))
        assertInputError(
            try NPYReader.read(path: path),
            contains: [path, "pickled/object arrays are not supported; save a numeric array", "|O"])
    }

    func testBadMagic() {
        let dir = IOTempDir()
        let path = dir.write("x.npy", "hello, this is not numpy")
        assertInputError(try NPYReader.read(path: path), contains: [path, "not an npy file"])
    }

    func testBigEndianRejected() {
        let dir = IOTempDir()
        let path = dir.write(
            "be.npy",
            rawNPY(
                "{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }",
                payload: [0, 0, 0, 0, 0, 0, 0xF0, 0x3F]))
        assertInputError(try NPYReader.read(path: path), contains: [path, "big-endian", ">f8", "descr"])
    }

    func testFortranOrderRejected() {
        let dir = IOTempDir()
        let path = dir.write(
            "f.npy",
            rawNPY(
                "{'descr': '<f8', 'fortran_order': True, 'shape': (1, 1), }",
                payload: [0, 0, 0, 0, 0, 0, 0xF0, 0x3F]))
        assertInputError(try NPYReader.read(path: path), contains: [path, "fortran_order", "C-order"])
    }

    func testUnsupportedDTypes() {
        let dir = IOTempDir()
        let s = dir.write(
            "u.npy",
            rawNPY(
                "{'descr': '<U50', 'fortran_order': False, 'shape': (1,), }",
                payload: [UInt8](repeating: 0, count: 200)))
        assertInputError(try NPYReader.read(path: s), contains: [s, "string dtype <U50", "<f4"])
        let c = dir.write(
            "c.npy",
            rawNPY(
                "{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }",
                payload: [UInt8](repeating: 0, count: 16)))
        assertInputError(try NPYReader.read(path: c), contains: [c, "unsupported dtype <c16"])
        let r = dir.write(
            "r.npy",
            rawNPY(
                "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }",
                payload: [0, 0, 0, 0]))
        assertInputError(try NPYReader.read(path: r), contains: [r, "structured dtype"])
    }

    func testTruncatedData() throws {
        let dir = IOTempDir()
        var bytes = try NPYWriter.encode([1, 2, 3, 4], shape: [2, 2], dtype: .float64)
        bytes.removeLast(5)
        let path = dir.write("t.npy", Data(bytes))
        assertInputError(try NPYReader.read(path: path), contains: [path, "truncated", "32 data bytes", "(2, 2)"])
    }

    func testMissingFile() {
        assertInputError(try NPYReader.read(path: "/nonexistent/q.npy"), contains: ["/nonexistent/q.npy", "no such file"])
    }

    func testRealDatasetArrays() throws {
        guard let d = SharedData.dataset("al-li-fe") else { throw XCTSkip("../shared/datasets/al-li-fe not present") }
        let xrd = try NPYReader.read(path: d.appendingPathComponent("npy/XRD.npy").path)
        XCTAssertEqual(xrd.shape, [231, 650])
        XCTAssertEqual(xrd.dtype, .float32)
        let idx = try NPYReader.read(path: d.appendingPathComponent("npy/Q_idx_650.npy").path)
        XCTAssertEqual(idx.dtype, .int64)
        XCTAssertEqual(idx.shape, [650])
        let names = d.appendingPathComponent("npy/bases_name.npy").path
        assertInputError(try NPYReader.read(path: names), contains: [names, "<U50"])
    }
}
