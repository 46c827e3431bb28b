import DRNetEngine
import Foundation

/// Reads per-sample side information: the allowed-phase mask and the degrees of freedom.
///
/// Either may be a NumPy `.npy` file (recognised by its magic bytes, any numeric or bool dtype
/// of `NPYDType`) or a CSV text file.
///
/// **Mask** (N×P, row = sample, column = candidate phase; 1 = phase allowed at the sample, 0 =
/// not): `.npy` of shape (N, P), or CSV with N rows of P values 0 or 1, optionally preceded by
/// one header row (e.g. phase names) that is skipped when any field is not numeric. Any other
/// value (2, −1, 0.5, NaN) is an error naming the row and column (and, for `.npy`, the flat
/// index). Result: N×P row-major `[UInt8]` of 0/1.
///
/// **Degrees of freedom** (d_i, the number of phases allowed to coexist at sample i): `.npy` of
/// shape (N) (also (N, 1) or (1, N)), or a CSV/text file with one integer per line (optional
/// non-numeric header line). Values must be integers (float files holding 3.0 are fine, as the
/// reference's `degree_of_freedom.npy` is float64). The range 1…M is checked by
/// `LibraryValidator`.
///
/// Errors (`InputError` naming the file): wrong shape (expected N×P vs found), non-numeric or
/// NaN entry (line and column), a mask value other than 0 or 1, non-integral degree of freedom;
/// in CSV files also malformed quoting and NUL bytes (`InputFile.csvRow`, `InputFile.rejectNUL`).
/// A UTF-8 byte-order mark and CR-only line ends are read as usual (`InputFile`).
public enum SampleMaskReader {
    /// Reads an N×P allowed-phase mask.
    public static func readMask(path: String, sampleCount: Int, phaseCount: Int) throws -> [UInt8] {
        let bytes = try InputFile.readBinary(path: path)
        if isNPY(bytes) {
            let a = try NPYReader.decode(bytes, file: path)
            guard a.shape == [sampleCount, phaseCount] else {
                throw InputError(
                    file: path, location: "shape",
                    expected: "an N×P mask of \(sampleCount)×\(phaseCount) (samples × candidate phases)",
                    found: "\(a.shape.map(String.init).joined(separator: "×"))")
            }
            var mask = [UInt8](repeating: 0, count: a.count)
            for (k, v) in a.values.enumerated() {
                guard v == 0 || v == 1 else {
                    throw InputError(
                        file: path, location: "index \(k) (row \(k / phaseCount), column \(k % phaseCount))",
                        expected: "0 or 1 (1 = phase allowed at the sample)", found: number(v))
                }
                mask[k] = v == 1 ? 1 : 0
            }
            return mask
        }
        let file = try textFile(path, bytes)
        let rows = try numericRows(file, what: "mask values (0/1)")
        guard rows.count == sampleCount else {
            throw InputError(
                file: path, location: "rows",
                expected: "an N×P mask of \(sampleCount)×\(phaseCount) (\(sampleCount) rows)",
                found: "\(rows.count) rows")
        }
        var mask = [UInt8]()
        mask.reserveCapacity(sampleCount * phaseCount)
        for (line, values) in rows {
            guard values.count == phaseCount else {
                throw InputError(
                    file: path, location: "line \(line)",
                    expected: "an N×P mask of \(sampleCount)×\(phaseCount) (\(phaseCount) values per row)",
                    found: "\(values.count) values")
            }
            for (c, v) in values.enumerated() {
                guard v == 0 || v == 1 else {
                    throw InputError(
                        file: path, location: "line \(line), column \(c + 1)",
                        expected: "0 or 1 (1 = phase allowed at the sample)", found: number(v))
                }
                mask.append(v == 1 ? 1 : 0)
            }
        }
        return mask
    }

    /// Reads N per-sample degrees of freedom.
    public static func readDegreesOfFreedom(path: String, sampleCount: Int) throws -> [Int] {
        let bytes = try InputFile.readBinary(path: path)
        var values: [Double]
        var place: (Int) -> String
        if isNPY(bytes) {
            let a = try NPYReader.decode(bytes, file: path)
            let ok = a.shape == [sampleCount] || a.shape == [sampleCount, 1] || a.shape == [1, sampleCount]
            guard ok else {
                throw InputError(
                    file: path, location: "shape",
                    expected: "one value per sample, shape (\(sampleCount),)",
                    found: "shape \(a.shapeDescription)")
            }
            values = a.values
            place = { "index \($0)" }
        } else {
            let file = try textFile(path, bytes)
            let rows = try numericRows(file, what: "one integer per line")
            for (line, v) in rows where v.count != 1 {
                throw InputError(
                    file: path, location: "line \(line)", expected: "one integer per line",
                    found: "\(v.count) values")
            }
            guard rows.count == sampleCount else {
                throw InputError(
                    file: path, location: "lines",
                    expected: "\(sampleCount) values, one per sample", found: "\(rows.count) values")
            }
            values = rows.map { $0.values[0] }
            let lines = rows.map(\.line)
            place = { "line \(lines[$0])" }
        }
        var dof = [Int]()
        dof.reserveCapacity(values.count)
        for (k, v) in values.enumerated() {
            guard v.isFinite, v == v.rounded(), abs(v) < 1e9 else {
                throw InputError(
                    file: path, location: place(k),
                    expected: "an integer degree of freedom (sample \(k))", found: "\(v)")
            }
            dof.append(Int(v))
        }
        return dof
    }

    static func isNPY(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 6 && bytes[0] == 0x93 && bytes[1] == 0x4E && bytes[2] == 0x55
            && bytes[3] == 0x4D && bytes[4] == 0x50 && bytes[5] == 0x59
    }

    /// The bytes of a CSV/text file as an `InputFile` (byte-order mark dropped), NUL bytes rejected.
    private static func textFile(_ path: String, _ bytes: [UInt8]) throws -> InputFile {
        let file = InputFile(path: path, contents: bytes)
        try file.rejectNUL()
        return file
    }

    /// `v` as written in a message: integers without a fractional part (`2`, `-1`), others as is.
    private static func number(_ v: Double) -> String {
        v.isFinite && v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : "\(v)"
    }

    /// Non-blank lines as numbers, skipping a non-numeric first line (header).
    private static func numericRows(_ file: InputFile, what: String) throws -> [(line: Int, values: [Double])] {
        var rows: [(line: Int, values: [Double])] = []
        for (n, line) in file.nonBlankLines().enumerated() {
            var fields = try file.csvRow(line)
            if fields.count > 1, let last = fields.last, last.end <= last.start { fields.removeLast() }
            var values: [Double] = []
            values.reserveCapacity(fields.count)
            for (c, f) in fields.enumerated() {
                guard let v = file.double(f) else {
                    if n == 0 { values = []; break }  // header row
                    throw InputError(
                        file: file.path, location: "line \(line.number), column \(c + 1)",
                        expected: what, found: "\"\(file.string(f))\" (not a number)")
                }
                values.append(v)
            }
            if n == 0 && values.count < fields.count { continue }
            rows.append((line.number, values))
        }
        return rows
    }
}
