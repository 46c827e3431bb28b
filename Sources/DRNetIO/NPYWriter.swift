import DRNetEngine
import Foundation

/// Writes numeric NumPy `.npy` files (C order, little-endian), e.g. test fixtures or outputs that
/// Python should read with `np.load`.
///
/// The header is the dict literal `{'descr': '<f4', 'fortran_order': False, 'shape': (N, T), }`
/// padded with spaces and a final newline so the data starts at a multiple of 64 bytes, as NumPy
/// does. Format version 1.0 by default; 2.0 and 3.0 (4-byte header length) on request.
public enum NPYWriter {
    /// Encodes `values` (C order, `values.count == shape.reduce(1, *)`) as `.npy` bytes.
    /// Integer and boolean dtypes require integral values in range (booleans: nonzero → 1).
    /// Throws `ConfigurationError` for a shape/count mismatch, a non-integral value for an
    /// integer dtype, or an unknown version.
    public static func encode(
        _ values: [Double], shape: [Int], dtype: NPYDType,
        version: UInt8 = 1
    ) throws -> [UInt8] {
        let count = shape.reduce(1, *)
        guard shape.allSatisfy({ $0 >= 0 }), count == values.count else {
            throw ConfigurationError("NPYWriter: shape \(NPYFormat.shapeText(shape)) needs \(count) values, got \(values.count)")
        }
        guard (1...3).contains(version) else {
            throw ConfigurationError("NPYWriter: npy format version \(version) is not 1, 2 or 3")
        }
        var dict = "{'descr': '\(dtype.rawValue)', 'fortran_order': False, 'shape': \(NPYFormat.shapeText(shape)), }"
        let preamble = version == 1 ? 10 : 12
        let unpadded = preamble + dict.utf8.count + 1
        dict += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        let headerLength = dict.utf8.count

        var out: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, version, 0]
        if version == 1 {
            guard headerLength <= Int(UInt16.max) else {
                throw ConfigurationError("NPYWriter: header too long for format 1.0; use version 2")
            }
            out += [UInt8(headerLength & 0xFF), UInt8(headerLength >> 8)]
        } else {
            out += (0..<4).map { UInt8((headerLength >> (8 * $0)) & 0xFF) }
        }
        out += Array(dict.utf8)
        out.reserveCapacity(out.count + count * dtype.itemSize)

        func integral(_ v: Double, _ range: ClosedRange<Double>) throws -> Double {
            guard v.isFinite, v == v.rounded(), range.contains(v) else {
                throw ConfigurationError("NPYWriter: value \(v) cannot be stored as \(dtype.rawValue)")
            }
            return v
        }
        for v in values {
            switch dtype {
            case .float32: appendLE(Float(v).bitPattern, to: &out)
            case .float64: appendLE(v.bitPattern, to: &out)
            case .int64: appendLE(UInt64(bitPattern: Int64(try integral(v, -9.223372036854775e18...9.223372036854775e18))), to: &out)
            case .int32: appendLE(UInt32(bitPattern: Int32(try integral(v, -2147483648...2147483647))), to: &out)
            case .bool: out.append(v != 0 ? 1 : 0)
            case .uint8: out.append(UInt8(try integral(v, 0...255)))
            case .int8: out.append(UInt8(bitPattern: Int8(try integral(v, -128...127))))
            case .int16: appendLE(UInt16(bitPattern: Int16(try integral(v, -32768...32767))), to: &out)
            case .uint16: appendLE(UInt16(try integral(v, 0...65535)), to: &out)
            case .uint32: appendLE(UInt32(try integral(v, 0...4294967295)), to: &out)
            case .uint64: appendLE(UInt64(try integral(v, 0...1.8446744073709550e19)), to: &out)
            }
        }
        return out
    }

    /// Encodes and writes to `path` (overwriting). Throws `ConfigurationError` as `encode`, or
    /// `InputError` naming `path` when the file cannot be written.
    public static func write(
        _ values: [Double], shape: [Int], dtype: NPYDType, to path: String,
        version: UInt8 = 1
    ) throws {
        let bytes = try encode(values, shape: shape, dtype: dtype, version: version)
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw InputError(file: path, expected: "a writable location", found: "the file could not be created")
        }
    }

    private static func appendLE<T: FixedWidthInteger>(_ v: T, to out: inout [UInt8]) {
        var x = v.littleEndian
        withUnsafeBytes(of: &x) { out.append(contentsOf: $0) }
    }
}
