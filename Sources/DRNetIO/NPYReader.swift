import DRNetEngine
import Foundation

/// Element types of `.npy` arrays this package reads and writes: the float, integer and bool
/// dtypes (float16 and complex excluded). All are little-endian (or byte-order free), the layout
/// NumPy writes on x86-64 and ARM64.
public enum NPYDType: String, Sendable, CaseIterable {
    /// IEEE single precision, `<f4`.
    case float32 = "<f4"
    /// IEEE double precision, `<f8`.
    case float64 = "<f8"
    /// Signed 64-bit integer, `<i8` (values beyond ±2⁵³ lose precision as `Double`).
    case int64 = "<i8"
    /// Signed 32-bit integer, `<i4`.
    case int32 = "<i4"
    /// Boolean, one byte each (0 or 1), `|b1`.
    case bool = "|b1"
    /// Unsigned 8-bit integer, `|u1`.
    case uint8 = "|u1"
    /// Signed 8-bit integer, `|i1`.
    case int8 = "|i1"
    /// Signed 16-bit integer, `<i2`.
    case int16 = "<i2"
    /// Unsigned 16-bit integer, `<u2`.
    case uint16 = "<u2"
    /// Unsigned 32-bit integer, `<u4`.
    case uint32 = "<u4"
    /// Unsigned 64-bit integer, `<u8` (values beyond 2⁵³ lose precision as `Double`).
    case uint64 = "<u8"

    /// Bytes per element.
    public var itemSize: Int {
        switch self {
        case .float64, .int64, .uint64: return 8
        case .float32, .int32, .uint32: return 4
        case .int16, .uint16: return 2
        case .bool, .uint8, .int8: return 1
        }
    }
}

/// A numeric NumPy array: `shape` (C order, row-major) and its elements converted to `Double`.
///
/// `values.count == shape.reduce(1, *)`; a 0-dimensional array has `shape == []` and one value.
/// Booleans read as 0/1.
public struct NPYArray: Sendable, Equatable {
    /// Dimensions, outermost first (C order): an N×P matrix has `shape == [N, P]` and element
    /// (i, j) at `values[i * P + j]`.
    public var shape: [Int]
    /// The element type stored in the file.
    public var dtype: NPYDType
    /// Elements in C order, converted to `Double`.
    public var values: [Double]

    public init(shape: [Int], dtype: NPYDType, values: [Double]) {
        self.shape = shape
        self.dtype = dtype
        self.values = values
    }

    /// Number of elements.
    public var count: Int { values.count }

    /// The elements as `Float` (rounded to single precision).
    public var floats: [Float] { values.map { Float($0) } }

    /// Shape as NumPy prints it: `(231, 650)`, `(231,)`, `()`.
    public var shapeDescription: String { NPYFormat.shapeText(shape) }
}

/// Reads NumPy `.npy` files (format versions 1.0, 2.0 and 3.0).
///
/// Layout: magic `\x93NUMPY`, major and minor version bytes, header length (little-endian
/// `UInt16` in 1.0, `UInt32` in 2.0/3.0), a Python dict literal header
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (231, 650), }`, then the raw elements.
/// Supported: the dtypes of `NPYDType` (`<f4 <f8 <i8 <i4 <i2 |i1 <u8 <u4 <u2 |u1 |b1`), C order only. Rejected with `InputError`: a file that is
/// not `.npy` (bad magic), object/pickled arrays (`|O`), big-endian data (`>`), Fortran order,
/// strings, structured and other dtypes, and data shorter or longer than the shape requires
/// (bytes after the array data mean a damaged file or a wrong header; the message gives both
/// byte counts).
public enum NPYReader {
    /// Reads and decodes the `.npy` file at `path`.
    public static func read(path: String) throws -> NPYArray {
        try decode(InputFile.readBinary(path: path), file: path)
    }

    /// Decodes `.npy` bytes; `file` names the source in errors.
    public static func decode(_ bytes: [UInt8], file: String) throws -> NPYArray {
        let header = try parseHeader(bytes, file: file)
        let dtype = header.dtype
        var count = 1
        for d in header.shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow else {
                throw InputError(
                    file: file, location: "header", expected: "a shape of addressable size",
                    found: "shape \(NPYFormat.shapeText(header.shape))")
            }
            count = product
        }
        let needed = count.multipliedReportingOverflow(by: dtype.itemSize)
        let available = bytes.count - header.dataOffset
        guard !needed.overflow, available >= needed.partialValue else {
            throw InputError(
                file: file, location: "data",
                expected: "\(needed.partialValue) data bytes for shape "
                    + "\(NPYFormat.shapeText(header.shape)) of \(dtype.rawValue)",
                found: "\(max(available, 0)) bytes (the file is truncated)")
        }
        guard available == needed.partialValue else {
            throw InputError(
                file: file, location: "data",
                expected: "\(needed.partialValue) data bytes for shape "
                    + "\(NPYFormat.shapeText(header.shape)) of \(dtype.rawValue)",
                found: "\(available) bytes (\(available - needed.partialValue) bytes after the array data)")
        }
        let values = bytes.withUnsafeBytes { raw -> [Double] in
            let base = raw.baseAddress! + header.dataOffset
            var out = [Double](repeating: 0, count: count)
            switch dtype {
            case .float32:
                for k in 0..<count {
                    out[k] = Double(Float(bitPattern: base.loadUnaligned(fromByteOffset: 4 * k, as: UInt32.self).littleEndian))
                }
            case .float64:
                for k in 0..<count {
                    out[k] = Double(bitPattern: base.loadUnaligned(fromByteOffset: 8 * k, as: UInt64.self).littleEndian)
                }
            case .int64:
                for k in 0..<count {
                    out[k] = Double(Int64(littleEndian: base.loadUnaligned(fromByteOffset: 8 * k, as: Int64.self)))
                }
            case .int32:
                for k in 0..<count {
                    out[k] = Double(Int32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * k, as: Int32.self)))
                }
            case .bool:
                for k in 0..<count { out[k] = base.load(fromByteOffset: k, as: UInt8.self) != 0 ? 1 : 0 }
            case .uint8:
                for k in 0..<count { out[k] = Double(base.load(fromByteOffset: k, as: UInt8.self)) }
            case .int8:
                for k in 0..<count { out[k] = Double(base.load(fromByteOffset: k, as: Int8.self)) }
            case .int16:
                for k in 0..<count {
                    out[k] = Double(Int16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * k, as: Int16.self)))
                }
            case .uint16:
                for k in 0..<count {
                    out[k] = Double(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * k, as: UInt16.self)))
                }
            case .uint32:
                for k in 0..<count {
                    out[k] = Double(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * k, as: UInt32.self)))
                }
            case .uint64:
                for k in 0..<count {
                    out[k] = Double(UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 8 * k, as: UInt64.self)))
                }
            }
            return out
        }
        return NPYArray(shape: header.shape, dtype: dtype, values: values)
    }

    /// The parsed header: dtype, shape, and where the elements start.
    struct Header {
        var dtype: NPYDType
        var shape: [Int]
        var dataOffset: Int
    }

    static func parseHeader(_ bytes: [UInt8], file: String) throws -> Header {
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
            throw InputError(
                file: file, expected: "a NumPy .npy file (starting with \\x93NUMPY)",
                found: bytes.count < 6 ? "a file of \(bytes.count) bytes" : "other content (not an npy file)")
        }
        let major = bytes[6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else {
                throw InputError(
                    file: file, location: "header", expected: "a complete npy header",
                    found: "a truncated file of \(bytes.count) bytes")
            }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw InputError(
                file: file, location: "header", expected: "npy format version 1.0, 2.0 or 3.0",
                found: "version \(major).\(bytes[7])")
        }
        guard headerStart + headerLength <= bytes.count else {
            throw InputError(
                file: file, location: "header", expected: "a header of \(headerLength) bytes",
                found: "a truncated file of \(bytes.count) bytes")
        }
        let text = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        let descr = try headerValue("descr", in: text, file: file)
        let fortran = try headerValue("fortran_order", in: text, file: file)
        let shapeText = try headerValue("shape", in: text, file: file)

        let dtype = try parseDescr(descr, file: file)
        guard fortran == "False" else {
            throw InputError(
                file: file, location: "header fortran_order",
                expected: "a C-order array (fortran_order False); save with np.ascontiguousarray",
                found: "fortran_order \(fortran)")
        }
        let shape = try parseShape(shapeText, file: file)
        return Header(dtype: dtype, shape: shape, dataOffset: headerStart + headerLength)
    }

    /// The raw text of the value of `key` in the header dict (quotes kept for strings).
    private static func headerValue(_ key: String, in text: String, file: String) throws -> String {
        guard let r = text.range(of: "'\(key)'") ?? text.range(of: "\"\(key)\"") else {
            throw InputError(
                file: file, location: "header", expected: "the key '\(key)' in the npy header",
                found: "header \(text.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        let chars = Array(text[r.upperBound...].unicodeScalars)
        var p = 0
        while p < chars.count && (chars[p] == " " || chars[p] == ":") { p += 1 }
        guard p < chars.count else {
            throw InputError(file: file, location: "header", expected: "a value for '\(key)'", found: "end of header")
        }
        var depth = 0
        var quote: Unicode.Scalar? = nil
        var q = p
        while q < chars.count {
            let c = chars[q]
            if let qc = quote {
                if c == qc { quote = nil }
            } else if c == "'" || c == "\"" {
                quote = c
            } else if c == "(" || c == "[" || c == "{" {
                depth += 1
            } else if c == ")" || c == "]" || c == "}" {
                if depth == 0 { break }
                depth -= 1
            } else if c == "," && depth == 0 {
                break
            }
            q += 1
        }
        var s = String(String.UnicodeScalarView(chars[p..<q]))
        s = s.trimmingCharacters(in: .whitespaces)
        return s
    }

    private static func parseDescr(_ raw: String, file: String) throws -> NPYDType {
        guard let first = raw.first, first == "'" || first == "\"" else {
            throw InputError(
                file: file, location: "header descr",
                expected: "a plain numeric dtype (\(supportedList))",
                found: "structured dtype \(raw)")
        }
        let descr = String(raw.dropFirst().dropLast())
        var order: Character = "="
        var code = Substring(descr)
        if let c = code.first, "<>|=".contains(c) {
            order = c
            code = code.dropFirst()
        }
        if code.hasPrefix("O") {
            throw InputError(
                file: file, location: "header descr",
                expected: "a numeric array (pickled/object arrays are not supported; save a numeric array)",
                found: "dtype \(descr)")
        }
        let itemSize = Int(code.dropFirst()) ?? 0
        if order == ">" && itemSize > 1 {
            throw InputError(
                file: file, location: "header descr",
                expected: "little-endian data (save with arr.astype('<f8') or similar)",
                found: "big-endian dtype \(descr)")
        }
        let normalised: String
        switch code {
        case "f4", "f8", "i8", "i4", "i2", "u2", "u4", "u8": normalised = "<" + code
        case "b1", "u1", "i1": normalised = "|" + code
        case "?": normalised = "|b1"
        default: normalised = ""
        }
        guard let dtype = NPYDType(rawValue: normalised) else {
            let kind: String
            switch code.first {
            case "U", "S", "a": kind = "string dtype"
            case "V": kind = "void/structured dtype"
            default: kind = "unsupported dtype"
            }
            throw InputError(
                file: file, location: "header descr",
                expected: "a supported numeric dtype (\(supportedList))",
                found: "\(kind) \(descr)")
        }
        return dtype
    }

    private static var supportedList: String {
        NPYDType.allCases.map(\.rawValue).joined(separator: ", ")
    }

    private static func parseShape(_ raw: String, file: String) throws -> [Int] {
        guard raw.hasPrefix("("), raw.hasSuffix(")") else {
            throw InputError(
                file: file, location: "header shape", expected: "a shape tuple such as (231, 650)",
                found: raw)
        }
        let inner = raw.dropFirst().dropLast()
        var shape: [Int] = []
        for part in inner.split(separator: ",") {
            var t = part.trimmingCharacters(in: .whitespaces)
            if t.hasSuffix("L") { t.removeLast() }  // Python 2 long literals
            if t.isEmpty { continue }
            guard let d = Int(t), d >= 0 else {
                throw InputError(
                    file: file, location: "header shape", expected: "non-negative integer dimensions",
                    found: raw)
            }
            shape.append(d)
        }
        return shape
    }
}

/// Helpers shared by the npy reader and writer.
enum NPYFormat {
    /// `(231, 650)`, `(231,)`, `()` — NumPy's tuple spelling.
    static func shapeText(_ shape: [Int]) -> String {
        switch shape.count {
        case 0: return "()"
        case 1: return "(\(shape[0]),)"
        default: return "(" + shape.map(String.init).joined(separator: ", ") + ")"
        }
    }
}
