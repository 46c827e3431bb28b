import DRNetEngine
import Foundation

/// Reads a powder scan from column text (`.xy`, `.xye`, `.dat`, `.csv`, `.txt`, and any other
/// extension) or from a FIT2D/pyFAI `.chi` file, without unit conversion or resampling.
///
/// **Column text.** One data row per line: x, intensity and, optionally, σ (two or three
/// columns, the same number on every row). Items are separated by spaces/tabs, by commas or by
/// semicolons: the first data row decides which (a `;` anywhere in it: semicolons; else a `,`:
/// commas; else whitespace); spaces around `,`/`;` are allowed, an empty item is not, so a
/// decimal comma is never misread as a separator. Blank lines are skipped; lines whose first
/// non-blank character is `#`, `!` or `'` are comments. The first non-comment line may be a
/// header of column names (no item of it a number, e.g. `2theta,intensity,sigma` or
/// `q intensity`; double quotes around a name are dropped); it must name as many columns as
/// the data rows have. A leading UTF-8 byte-order
/// mark and CRLF line ends are accepted.
///
/// **Axis.** Taken from what the file states, and nil when it states nothing:
/// - the header's first column name;
/// - a comment `Unit: …` (also `x unit`, `xunit`, `radial unit`; `:` or `=`), as pyFAI writes
///   (`# Unit: 2th_deg`); the value may also be a bare unit (`deg`, `nm^-1`, `A^-1`, `A`);
/// - the last comment line before the first data row when it holds exactly one name per column
///   and the first is a known axis (pyFAI's `#   2th_deg   I   sigma` line).
///
/// Axis names (case-insensitive; `θ`, `°`, `Å`, `⁻¹` accepted for `theta`, `deg`, `A`, `^-1`):
/// - 2θ in degrees: `2theta`, `2θ`, `tth`, `2th`, `twotheta`, `2-theta`, with no unit or with
///   `deg`/`degree(s)` as `2th_deg`, `2theta (deg)`, `2θ (°)`, `2theta[deg]`, `2-Theta Angle (Degrees)`;
/// - Q in nm⁻¹: `q_nm^-1`, `q(nm-1)`, `q (nm^-1)`, `q (1/nm)`, `q/nm^-1`, `Q (Inverse Nanometres)`;
/// - Q in Å⁻¹: `q_A^-1`, `q(A-1)`, `q (Å⁻¹)`, `q (1/A)`, `Q (Inverse Angstroms)`;
/// - d in Å: `d_A`, `d(A)`, `d (Å)`, `d-spacing (Angstrom)`.
/// `q` or `d` without a unit leaves the axis nil (the user must say which); a name that is no
/// axis at all (`x`, `angle`) leaves it nil too. A stated unit that is not in this list
/// (`2th_rad`, `r_mm`, `q (pm-1)`, `d_nm`) is an error naming it, and so are two statements that
/// disagree.
///
/// **Wavelength.** From a comment `Wavelength: v [unit]` or `wavelength = v [unit]` (also
/// `lambda`; a unit may also be given in the key as `Wavelength (A): v`): `m` (pyFAI's
/// `# Wavelength: 1.5406e-10 m`), `nm`, `pm`, `A`/`Å`/`Angstrom`; a value with no unit is
/// taken as metres only when it is below 10⁻⁶ (pyFAI writes metres), otherwise it is an error.
/// It is stored in Å (Kα1 only) with `origin` `file <name>: line <n>`, and must lie between
/// 0.001 and 100 Å.
///
/// **`.chi`** (FIT2D, and pyFAI's FIT2D-style output): four header lines (title; x-axis label
/// such as `2-Theta Angle (Degrees)`, `Q (nm^-1)` or `Q (A^-1)`; intensity label; point count),
/// then `x I` (or `x I σ`) rows. The axis comes from the x-axis label (an unrecognised
/// non-empty label is an error; `Q` alone or an empty label leaves it nil), and the count must
/// equal the number of rows. A `.chi` whose first non-blank line is a comment is read as column
/// text.
///
/// **Errors** (`InputError`, naming the file and the line, what was expected and what was found):
/// a missing or empty file; a file without at least two data rows; a row with a different
/// number of columns than the first data row (or a first row with other than 2 or 3); a
/// non-numeric or empty item (which column); NaN or ±Inf anywhere; a negative σ; a header whose
/// column count differs from the data's; an unknown or contradictory axis unit; a wavelength
/// comment that is not a number with a known unit, is out of range, or contradicts another;
/// for `.chi`, fewer than four header lines, a count line that is not an integer, and a count
/// that differs from the number of rows. Whether x increases is not checked here.
public enum TextScanReader {
    /// Reads the scan in the text file at `path` (`.chi` by its extension, column text otherwise).
    public static func read(path: String) throws -> MeasuredScan {
        let file = try InputFile(path: path)
        let lines = contentLines(file)
        let firstNonBlank = lines.first { line in
            let (s, e) = file.trimmed(line.start, line.end)
            return e > s
        }
        guard let first = firstNonBlank else {
            throw InputError(file: path, expected: "a scan (rows of x, intensity and optional σ)", found: "an empty file")
        }
        if URL(fileURLWithPath: path).pathExtension.lowercased() == "chi" && !isComment(file, first) {
            return try readChi(file, lines)
        }
        return try readColumns(file, lines)
    }

    // MARK: - Column text

    private static func readColumns(_ file: InputFile, _ lines: [InputFile.Line]) throws -> MeasuredScan {
        let path = file.path
        var rows = Rows()
        var header: (line: Int, names: [String])? = nil
        var lastComment: (line: Int, text: String)? = nil
        var meta = Metadata(file: file)
        var fields: [(Int, Int)] = []
        fields.reserveCapacity(4)

        try file.bytes.withUnsafeBufferPointer { b in
            for line in lines {
                let (s, e) = file.trimmed(line.start, line.end)
                if e <= s { continue }
                if isCommentByte(b[s]) {
                    let text = file.string(s + 1, e).trimmingCharacters(in: .whitespaces)
                    try meta.comment(text, line: line.number)
                    if rows.count == 0 && header == nil { lastComment = (line.number, text) }
                    continue
                }
                if rows.count == 0 && header == nil {
                    let sep = Separator.detect(b, s, e)
                    split(b, s, e, sep, into: &fields)
                    // A header: every item a non-empty non-number; otherwise the line is data.
                    if fields.allSatisfy({ $0.1 > $0.0 && parseNumber(b, $0.0, $0.1) == nil }) {
                        header = (line.number, headerNames(file, fields, sep))
                        continue
                    }
                }
                try appendRow(file, b, line.number, s, e, &rows, &fields)
            }
        }

        try rows.requireTwo(file)
        if let h = header {
            guard h.names.count == rows.columns else {
                throw InputError(
                    file: path, location: "line \(h.line)",
                    expected: "a header naming the \(rows.columns) columns of the data (line \(rows.firstLine))",
                    found: "\(h.names.count) column names: \(h.names.joined(separator: ", "))")
            }
            try meta.axisLabel(h.names[0], line: h.line, strict: true)
        } else if let c = lastComment {
            let names = commentNames(c.text)
            if names.count == rows.columns && names.allSatisfy({ Double($0) == nil }) {
                try meta.axisLabel(names[0], line: c.line, strict: false)
            }
        }
        return rows.scan(path: path, axis: meta.axis?.axis, wavelength: meta.wavelength?.value)
    }

    /// The names of a header line, one per column. Whitespace-separated names followed by a
    /// bracketed unit (`2theta (deg) intensity`) keep the unit with the name.
    private static func headerNames(_ file: InputFile, _ fields: [(Int, Int)], _ sep: Separator) -> [String] {
        var names: [String] = []
        for (fs, fe) in fields {
            var name = file.string(fs, fe)
            if name.count >= 2 && name.hasPrefix("\"") && name.hasSuffix("\"") { name = String(name.dropFirst().dropLast()) }
            if sep == .whitespace, let last = names.last, name.hasPrefix("(") || name.hasPrefix("[") {
                names[names.count - 1] = last + " " + name
            } else {
                names.append(name)
            }
        }
        return names
    }

    /// Splits a comment into column names the way a header is split (see `headerNames`).
    private static func commentNames(_ text: String) -> [String] {
        let sep: Character? = text.contains(";") ? ";" : text.contains(",") ? "," : nil
        let raw: [String]
        if let sep {
            raw = text.split(separator: sep, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        } else {
            raw = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        }
        var names: [String] = []
        for name in raw {
            if sep == nil, let last = names.last, name.hasPrefix("(") || name.hasPrefix("[") {
                names[names.count - 1] = last + " " + name
            } else {
                names.append(name)
            }
        }
        return names
    }

    // MARK: - .chi

    private static func readChi(_ file: InputFile, _ lines: [InputFile.Line]) throws -> MeasuredScan {
        let path = file.path
        guard lines.count >= 4 else {
            throw InputError(
                file: path, location: "line \(lines.count + 1)",
                expected: "a .chi file: 4 header lines (title, x-axis label, y-axis label, point count) then x I rows",
                found: "only \(lines.count) line\(lines.count == 1 ? "" : "s")")
        }
        let label = file.string(lines[1]).trimmingCharacters(in: .whitespaces)
        let (cs, ce) = file.trimmed(lines[3].start, lines[3].end)
        guard let count = file.parseInt(cs, ce), count >= 0 else {
            throw InputError(
                file: path, location: "line 4", expected: "the point count of the .chi header (a non-negative integer)",
                found: "\"\(clip(file.string(cs, ce)))\"")
        }
        var meta = Metadata(file: file)
        try meta.chiLabel(label, line: 2)
        var rows = Rows()
        var fields: [(Int, Int)] = []
        try file.bytes.withUnsafeBufferPointer { b in
            for line in lines.dropFirst(4) {
                let (s, e) = file.trimmed(line.start, line.end)
                if e <= s { continue }
                try appendRow(file, b, line.number, s, e, &rows, &fields)
            }
        }
        guard rows.count == count else {
            throw InputError(
                file: path, location: "line 4",
                expected: "\(count) data rows (the point count on line 4)",
                found: "\(rows.count) data row\(rows.count == 1 ? "" : "s") after the header")
        }
        try rows.requireTwo(file)
        return rows.scan(path: path, axis: meta.axis?.axis, wavelength: nil)
    }

    // MARK: - Rows

    /// The data rows read so far, column-major.
    private struct Rows {
        var x: [Double] = []
        var y: [Double] = []
        var sigma: [Double] = []
        var columns = 0
        var separator = Separator.whitespace
        var firstLine = 0
        var count: Int { x.count }

        func requireTwo(_ file: InputFile) throws {
            guard count >= 2 else {
                throw InputError(
                    file: file.path, location: count == 1 ? "line \(firstLine)" : "",
                    expected: "a scan of at least two data rows (x, intensity and optional σ)",
                    found: count == 1 ? "one data row" : "no data rows")
            }
        }

        func scan(path: String, axis: ScanAxis?, wavelength: ScanWavelength?) -> MeasuredScan {
            MeasuredScan(
                source: path, axis: axis, x: x, intensity: y, sigma: columns == 3 ? sigma : nil, wavelength: wavelength)
        }
    }

    private static let columnNames = ["x", "intensity", "σ"]

    /// Parses the data row `s..<e` (trimmed, not blank, not a comment) of line `line` into `rows`.
    private static func appendRow(
        _ file: InputFile, _ b: UnsafeBufferPointer<UInt8>, _ line: Int, _ s: Int, _ e: Int, _ rows: inout Rows,
        _ fields: inout [(Int, Int)]
    ) throws {
        let path = file.path
        if rows.count == 0 {
            rows.separator = Separator.detect(b, s, e)
            rows.firstLine = line
        }
        split(b, s, e, rows.separator, into: &fields)
        if rows.count == 0 {
            guard fields.count == 2 || fields.count == 3 else {
                throw InputError(
                    file: path, location: "line \(line)",
                    expected: "2 or 3 columns (x, intensity, optional σ)",
                    found: "\(fields.count) \(rows.separator.name)-separated column\(fields.count == 1 ? "" : "s")")
            }
            rows.columns = fields.count
            let reserve = max(16, file.count / max(1, e - s + 1))
            rows.x.reserveCapacity(reserve)
            rows.y.reserveCapacity(reserve)
            if rows.columns == 3 { rows.sigma.reserveCapacity(reserve) }
        } else if fields.count != rows.columns {
            throw InputError(
                file: path, location: "line \(line)",
                expected: "\(rows.columns) columns, as on line \(rows.firstLine)",
                found: "\(fields.count) \(rows.separator.name)-separated column\(fields.count == 1 ? "" : "s")")
        }
        for (k, (fs, fe)) in fields.enumerated() {
            guard fe > fs else {
                throw InputError(
                    file: path, location: "line \(line), column \(k + 1) (\(columnNames[k]))",
                    expected: "a number", found: "an empty item (\(rows.separator.name)-separated)")
            }
            guard let v = parseNumber(b, fs, fe) else {
                throw InputError(
                    file: path, location: "line \(line), column \(k + 1) (\(columnNames[k]))",
                    expected: "a number", found: "non-numeric item \"\(clip(file.string(fs, fe)))\"")
            }
            guard v.isFinite else {
                throw InputError(
                    file: path, location: "line \(line), column \(k + 1) (\(columnNames[k]))",
                    expected: "a finite number", found: "\(file.string(fs, fe))")
            }
            switch k {
            case 0: rows.x.append(v)
            case 1: rows.y.append(v)
            default:
                guard v >= 0 else {
                    throw InputError(
                        file: path, location: "line \(line), column 3 (σ)", expected: "σ ≥ 0", found: "\(file.string(fs, fe))")
                }
                rows.sigma.append(v)
            }
        }
    }

    // MARK: - Bytes

    /// How the items of a row are separated.
    private enum Separator: Equatable {
        case whitespace
        case comma
        case semicolon

        var name: String {
            switch self {
            case .whitespace: "whitespace"
            case .comma: "comma"
            case .semicolon: "semicolon"
            }
        }

        var byte: UInt8 {
            switch self {
            case .whitespace: 0x20
            case .comma: 0x2C
            case .semicolon: 0x3B
            }
        }

        /// A `;` in the row: semicolons; else a `,`: commas; else whitespace.
        static func detect(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Separator {
            var comma = false
            for i in s..<e {
                if b[i] == 0x3B { return .semicolon }
                if b[i] == 0x2C { comma = true }
            }
            return comma ? .comma : .whitespace
        }
    }

    /// Splits `s..<e` into trimmed item ranges; with `,`/`;` an empty item stays (as an empty range).
    private static func split(
        _ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, _ sep: Separator, into out: inout [(Int, Int)]
    ) {
        out.removeAll(keepingCapacity: true)
        var p = s
        if sep == .whitespace {
            while p < e {
                while p < e && InputFile.isBlank(b[p]) { p += 1 }
                if p >= e { break }
                let start = p
                while p < e && !InputFile.isBlank(b[p]) { p += 1 }
                out.append((start, p))
            }
            return
        }
        let byte = sep.byte
        while true {
            var stop = p
            while stop < e && b[stop] != byte { stop += 1 }
            var fs = p
            var fe = stop
            while fs < fe && InputFile.isBlank(b[fs]) { fs += 1 }
            while fe > fs && InputFile.isBlank(b[fe - 1]) { fe -= 1 }
            out.append((fs, fe))
            if stop >= e { return }
            p = stop + 1
        }
    }

    /// The number that occupies all of `s..<e`, or nil. `nan`/`inf` parse (and are rejected by
    /// the caller as non-finite).
    static func parseNumber(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Double? {
        guard e > s, let base = b.baseAddress else { return nil }
        let c = b[s]
        // strtod also takes leading spaces and hexadecimal; items are trimmed, and a hex float
        // is not a number any scan writer produces.
        guard (c >= 0x30 && c <= 0x39) || c == 0x2B || c == 0x2D || c == 0x2E || c | 0x20 == 0x6E || c | 0x20 == 0x69 else {
            return nil
        }
        if e - s > 1 && b[s + 1] | 0x20 == 0x78 { return nil }
        let start = UnsafeRawPointer(base + s).assumingMemoryBound(to: CChar.self)
        var end: UnsafeMutablePointer<CChar>? = nil
        let v = strtod(start, &end)
        guard let end, UnsafeRawPointer(end) - UnsafeRawPointer(start) == e - s else { return nil }
        return v
    }

    /// The file's lines, the first without a UTF-8 byte-order mark.
    private static func contentLines(_ file: InputFile) -> [InputFile.Line] {
        var lines = file.lines()
        if file.count >= 3 && file.bytes[0] == 0xEF && file.bytes[1] == 0xBB && file.bytes[2] == 0xBF, !lines.isEmpty {
            lines[0].start = min(3, lines[0].end)
        }
        return lines
    }

    private static func isCommentByte(_ c: UInt8) -> Bool { c == 0x23 || c == 0x21 || c == 0x27 }

    private static func isComment(_ file: InputFile, _ line: InputFile.Line) -> Bool {
        let (s, e) = file.trimmed(line.start, line.end)
        return e > s && isCommentByte(file.bytes[s])
    }

    static func clip(_ s: String) -> String { s.count > 40 ? String(s.prefix(40)) + "…" : s }

    // MARK: - Metadata: axis and wavelength

    /// What the comments, header or `.chi` label say about the axis and the wavelength.
    private struct Metadata {
        let file: InputFile
        var axis: (axis: ScanAxis, line: Int, text: String)? = nil
        var wavelength: (value: ScanWavelength, line: Int)? = nil

        init(file: InputFile) { self.file = file }

        /// Interprets a comment (without its marker): `Unit: …` and `Wavelength: …` lines.
        mutating func comment(_ text: String, line: Int) throws {
            guard let sepIndex = text.firstIndex(where: { $0 == ":" || $0 == "=" }) else { return }
            let rawKey = text[..<sepIndex].trimmingCharacters(in: .whitespaces).lowercased()
            let value = text[text.index(after: sepIndex)...].trimmingCharacters(in: .whitespaces)
            var key = rawKey
            var keyUnit: String? = nil
            if let open = rawKey.firstIndex(where: { $0 == "(" || $0 == "[" }) {
                key = rawKey[..<open].trimmingCharacters(in: .whitespaces)
                keyUnit = rawKey[rawKey.index(after: open)...].trimmingCharacters(in: CharacterSet(charactersIn: " )]"))
            }
            if TextScanReader.unitKeys.contains(key) && keyUnit == nil {
                try unitStatement(value, line: line)
            } else if TextScanReader.wavelengthKeys.contains(key) {
                try wavelengthStatement(value, keyUnit: keyUnit, line: line)
            }
        }

        /// `Unit: <unit>`: must be an axis name or a bare unit this reader knows.
        mutating func unitStatement(_ value: String, line: Int) throws {
            if case .axis(let a) = TextScanReader.classify(value) {
                try state(a, line: line, text: value)
            } else if let a = TextScanReader.bareUnit(value) {
                try state(a, line: line, text: value)
            } else {
                throw InputError(
                    file: file.path, location: "line \(line)", expected: TextScanReader.knownUnits,
                    found: "unit \"\(TextScanReader.clip(value))\"")
            }
        }

        /// A column name for x (header, or a comment holding column names). `strict`: the name is
        /// surely the x column's, so a stated but unknown unit is an error even for an unknown
        /// quantity; otherwise only a known quantity with an unknown unit is.
        mutating func axisLabel(_ name: String, line: Int, strict: Bool) throws {
            switch TextScanReader.classify(name) {
            case .axis(let a): try state(a, line: line, text: name)
            case .noUnit, .notAnAxis: break
            case .unknownUnit(let knownQuantity):
                if strict || knownQuantity {
                    throw InputError(
                        file: file.path, location: "line \(line)",
                        expected: "an x column name with a known unit: " + TextScanReader.knownUnits,
                        found: "\"\(TextScanReader.clip(name))\"")
                }
            }
        }

        /// The x-axis label of a `.chi` file: empty or `Q`/`d` alone → nil; unknown → error.
        mutating func chiLabel(_ label: String, line: Int) throws {
            switch TextScanReader.classify(label) {
            case .axis(let a): try state(a, line: line, text: label)
            case .noUnit: break
            case .notAnAxis where label.isEmpty: break
            case .notAnAxis, .unknownUnit:
                throw InputError(
                    file: file.path, location: "line \(line)",
                    expected: "a .chi x-axis label such as 2-Theta Angle (Degrees), Q (nm^-1) or Q (A^-1)",
                    found: "\"\(TextScanReader.clip(label))\"")
            }
        }

        mutating func state(_ a: ScanAxis, line: Int, text: String) throws {
            if let old = axis, old.axis != a {
                throw InputError(
                    file: file.path, location: "line \(line)",
                    expected: "one x axis (line \(old.line) says \"\(old.text)\")", found: "\"\(TextScanReader.clip(text))\"")
            }
            if axis == nil { axis = (a, line, text) }
        }

        mutating func wavelengthStatement(_ value: String, keyUnit: String?, line: Int) throws {
            let path = file.path
            var number = 0.0
            var consumed = 0
            value.withCString { p in
                var end: UnsafeMutablePointer<CChar>? = nil
                number = strtod(p, &end)
                consumed = end.map { $0 - UnsafeMutablePointer(mutating: p) } ?? 0
            }
            guard consumed > 0, number.isFinite, !value.lowercased().hasPrefix("0x") else {
                throw InputError(
                    file: path, location: "line \(line)", expected: "a wavelength: a number with a unit (m, nm, pm or Å)",
                    found: "\"\(TextScanReader.clip(value))\"")
            }
            let valueUnit = String(decoding: value.utf8.dropFirst(consumed), as: UTF8.self).trimmingCharacters(in: .whitespaces)
            if let keyUnit, !valueUnit.isEmpty {
                throw InputError(
                    file: path, location: "line \(line)", expected: "one wavelength unit",
                    found: "\"\(keyUnit)\" in the key and \"\(TextScanReader.clip(valueUnit))\" after the value")
            }
            let unit = keyUnit ?? valueUnit
            let factor: Double
            if unit.isEmpty {
                guard abs(number) < 1e-6 else {
                    throw InputError(
                        file: path, location: "line \(line)", expected: "a wavelength with its unit (m, nm, pm or Å)",
                        found: "\(value) without a unit")
                }
                factor = 1e10  // pyFAI: metres
            } else if let f = TextScanReader.wavelengthUnits[TextScanReader.normalised(unit)] {
                factor = f
            } else {
                throw InputError(
                    file: path, location: "line \(line)", expected: "a wavelength unit m, nm, pm or Å",
                    found: "\"\(TextScanReader.clip(unit))\"")
            }
            let angstrom = number * factor
            guard angstrom >= 0.001 && angstrom <= 100 else {
                throw InputError(
                    file: path, location: "line \(line)", expected: "a wavelength between 0.001 and 100 Å",
                    found: "\(value) (\(angstrom) Å)")
            }
            if let old = wavelength {
                guard abs(old.value.alpha1 - angstrom) <= 1e-9 * angstrom else {
                    throw InputError(
                        file: path, location: "line \(line)",
                        expected: "one wavelength (line \(old.line) says \(old.value.alpha1) Å)", found: "\(angstrom) Å")
                }
                return
            }
            let name = URL(fileURLWithPath: path).lastPathComponent
            wavelength = (ScanWavelength(alpha1: angstrom, origin: "file \(name): line \(line)"), line)
        }
    }

    // MARK: - Axis names

    private static let unitKeys: Set<String> = ["unit", "x unit", "xunit", "x-unit", "x_unit", "radial unit", "radial_unit"]
    private static let wavelengthKeys: Set<String> = ["wavelength", "wave length", "lambda", "λ"]
    private static let wavelengthUnits: [String: Double] = [
        "m": 1e10, "nm": 10, "pm": 0.01, "a": 1, "angstrom": 1, "angstroms": 1, "ang": 1
    ]
    private static let knownUnits =
        "an axis unit: 2θ in degrees (2theta, 2θ, tth, 2th_deg), Q in nm⁻¹ (q_nm^-1, q(nm-1)), Q in Å⁻¹ (q_A^-1, q(A-1)) or d in Å (d_A)"

    private enum Quantity {
        case twoTheta
        case q
        case d
    }

    /// What an axis name says.
    private enum Classification: Equatable {
        /// A known quantity with a known (or, for 2θ, implied degree) unit.
        case axis(ScanAxis)
        /// `q` or `d` with no unit.
        case noUnit
        /// No unit and no known quantity (`x`, `angle`, empty).
        case notAnAxis
        /// A unit is stated but not one of the known ones.
        case unknownUnit(knownQuantity: Bool)
    }

    /// Lower case with the Unicode spellings replaced: `θ`→`theta`, `°`→`deg`, `å`→`a`, `⁻¹`→`^-1`.
    private static func normalised(_ raw: String) -> String {
        var s = raw.lowercased().trimmingCharacters(in: .whitespaces)
        for (a, b) in [
            ("θ", "theta"), ("°", "deg"), ("å", "a"), ("ö", "o"), ("⁻¹", "^-1"), ("−", "-"), ("^{-1}", "^-1"),
            ("^(-1)", "^-1")
        ] where s.contains(a) {
            s = s.replacingOccurrences(of: a, with: b)
        }
        return s
    }

    private static func classify(_ raw: String) -> Classification {
        var s = normalised(raw)
        for (a, b) in [
            ("two theta", "twotheta"), ("two_theta", "twotheta"), ("2 theta", "2theta"), ("2_theta", "2theta"),
            ("d spacing", "dspacing"), ("d_spacing", "dspacing"), ("angle", " ")
        ] where s.contains(a) {
            s = s.replacingOccurrences(of: a, with: b)
        }
        s = s.trimmingCharacters(in: .whitespaces)
        let cut = s.firstIndex { "([_/ ".contains($0) }
        let quantityText = String(s[..<(cut ?? s.endIndex)]).replacingOccurrences(of: "-", with: "")
        var unit = cut.map { String(s[s.index(after: $0)...]) } ?? ""
        unit.removeAll { " ()[]".contains($0) }
        let quantity: Quantity?
        switch quantityText {
        case "2theta", "tth", "2th", "twotheta": quantity = .twoTheta
        case "q": quantity = .q
        case "d", "dspacing", "dspace": quantity = .d
        default: quantity = nil
        }
        guard let quantity else { return unit.isEmpty ? .notAnAxis : .unknownUnit(knownQuantity: false) }
        switch quantity {
        case .twoTheta:
            return ["", "deg", "degs", "degree", "degrees"].contains(unit) ? .axis(.twoTheta) : .unknownUnit(knownQuantity: true)
        case .q:
            if unit.isEmpty { return .noUnit }
            if inverseNanometre.contains(unit) { return .axis(.qInverseNanometres) }
            if inverseAngstrom.contains(unit) { return .axis(.qInverseAngstroms) }
            return .unknownUnit(knownQuantity: true)
        case .d:
            if unit.isEmpty { return .noUnit }
            return angstrom.contains(unit) ? .axis(.dAngstroms) : .unknownUnit(knownQuantity: true)
        }
    }

    /// A bare unit in a `Unit:` statement: degrees → 2θ, nm⁻¹ or Å⁻¹ → Q, Å → d.
    private static func bareUnit(_ raw: String) -> ScanAxis? {
        var u = normalised(raw)
        u.removeAll { " ()[]".contains($0) }
        if ["deg", "degs", "degree", "degrees"].contains(u) { return .twoTheta }
        if inverseNanometre.contains(u) { return .qInverseNanometres }
        if inverseAngstrom.contains(u) { return .qInverseAngstroms }
        if angstrom.contains(u) { return .dAngstroms }
        return nil
    }

    private static let inverseNanometre: Set<String> = [
        "nm^-1", "nm-1", "1/nm", "inversenanometres", "inversenanometers", "inversenanometre", "inversenanometer"
    ]
    private static let inverseAngstrom: Set<String> = [
        "a^-1", "a-1", "1/a", "angstrom^-1", "angstrom-1", "1/angstrom", "ang^-1", "1/ang", "inverseangstroms",
        "inverseangstrom"
    ]
    private static let angstrom: Set<String> = ["a", "angstrom", "angstroms", "ang"]
}
