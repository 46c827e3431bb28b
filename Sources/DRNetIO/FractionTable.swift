import DRNetEngine
import Foundation

/// A table of phase fractions, one row per sample: the layout of `fractions.csv` (what the solver
/// writes), `truth-fractions.csv` and `drnets-reference-fractions.csv`.
///
/// CSV layout: header `sample,<phase name>…`, then one row per sample, `sample` = zero-based sample
/// index (strictly increasing down the file; gaps allowed), values = that sample's phase fractions
/// (non-negative, finite; rows usually sum to ≈1 but this is not enforced here; `drnet eval`
/// rejects tables in percent). Fields may be quoted RFC 4180 style (`"a,b"`, `""` for a quote;
/// nothing but spaces may follow a closing quote); blank lines are skipped; CRLF and CR-only
/// line ends and a UTF-8 byte-order mark are accepted.
public struct FractionTable: Sendable, Equatable {
    /// Phase names, in column order; unique, non-empty.
    public private(set) var phases: [String]
    /// Sample index of each row, strictly increasing, non-negative.
    public private(set) var samples: [Int]
    /// `fractions[row][column]`: fraction of `phases[column]` in sample `samples[row]`.
    public private(set) var fractions: [[Double]]

    /// Builds a table, validating it: unique non-empty phase names, one value per phase in every
    /// row, finite non-negative values, strictly increasing non-negative sample indices.
    /// - Throws: `ConfigurationError` naming the first problem.
    public init(phases: [String], samples: [Int], fractions: [[Double]]) throws {
        var seen = Set<String>()
        for name in phases {
            if name.isEmpty { throw ConfigurationError("FractionTable: empty phase name") }
            if name == "sample" { throw ConfigurationError("FractionTable: a phase may not be named `sample`") }
            if !seen.insert(name).inserted { throw ConfigurationError("FractionTable: duplicate phase name `\(name)`") }
        }
        guard samples.count == fractions.count else {
            throw ConfigurationError("FractionTable: \(samples.count) sample indices but \(fractions.count) rows")
        }
        for (r, row) in fractions.enumerated() {
            guard row.count == phases.count else {
                throw ConfigurationError("FractionTable: row \(r) has \(row.count) values for \(phases.count) phases")
            }
            for (c, v) in row.enumerated() where !v.isFinite || v < 0 {
                throw ConfigurationError("FractionTable: fraction of `\(phases[c])` in row \(r) is \(v), expected finite and ≥ 0")
            }
            if samples[r] < 0 { throw ConfigurationError("FractionTable: negative sample index \(samples[r])") }
            if r > 0 && samples[r] <= samples[r - 1] {
                throw ConfigurationError("FractionTable: sample indices not strictly increasing (\(samples[r - 1]) then \(samples[r]))")
            }
        }
        self.phases = phases
        self.samples = samples
        self.fractions = fractions
    }

    /// Builds a table whose rows are samples `0..<fractions.count`.
    public init(phases: [String], fractions: [[Double]]) throws {
        try self.init(phases: phases, samples: Array(0..<fractions.count), fractions: fractions)
    }

    /// Number of rows (samples).
    public var sampleCount: Int { samples.count }

    /// Column index of a phase by exact name, or nil.
    public func phaseIndex(of name: String) -> Int? { phases.firstIndex(of: name) }

    /// All fractions of one phase (one per row), or nil when the table lacks that phase.
    public func column(_ name: String) -> [Double]? {
        guard let c = phaseIndex(of: name) else { return nil }
        return fractions.map { $0[c] }
    }

    // MARK: Reading

    /// Reads a fraction table from a CSV file.
    /// - Throws: `InputError` naming the file, line and column of the first problem.
    public static func read(contentsOfFile path: String) throws -> FractionTable {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            var isDir: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDir)
            let why = OutputError.systemCause(of: error) ?? "not UTF-8 text"
            throw InputError(
                file: path, expected: "a readable UTF-8 fraction CSV file",
                found: !exists ? "no such file" : isDir.boolValue ? "a folder, not a file" : "an unreadable file (\(why))")
        }
        return try parse(text, file: path)
    }

    /// Parses fraction-table CSV text; `file` is used in error messages only.
    /// - Throws: `InputError` naming `file`, line and column of the first problem.
    public static func parse(_ text: String, file: String) throws -> FractionTable {
        var body = Substring(text)
        if body.hasPrefix("\u{FEFF}") { body = body.dropFirst() }
        // "\r\n" is a single Character in Swift, so split on it explicitly (the datasets use CRLF).
        let rawLines = body.split(
            omittingEmptySubsequences: false,
            whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })

        var header: [String]? = nil
        var headerLine = 0
        var phases: [String] = []
        var samples: [Int] = []
        var rows: [[Double]] = []
        var seenSamples = Set<Int>()

        for (i, raw) in rawLines.enumerated() {
            let lineNo = i + 1
            let line = raw
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            let fields: [String]
            switch splitCSVLine(line) {
            case .success(let f): fields = f
            case .failure(.unterminatedQuote):
                throw InputError(
                    file: file, location: "line \(lineNo)", expected: "balanced CSV quotes",
                    found: "an unterminated quoted field")
            case .failure(.textAfterClosingQuote(let column, let text)):
                throw InputError(
                    file: file, location: "line \(lineNo), column \(column)",
                    expected: "a comma or the end of the line after the closing quote",
                    found: "`\(text)` (text after the closing quote)")
            }
            if header == nil {
                header = fields
                headerLine = lineNo
                phases = try validateHeader(fields, file: file, line: lineNo)
                continue
            }
            let names = header!
            guard fields.count == names.count else {
                throw InputError(
                    file: file, location: "line \(lineNo)",
                    expected: "\(names.count) fields (sample + \(phases.count) phases, as in the header on line \(headerLine))",
                    found: "\(fields.count) fields")
            }
            let sField = fields[0]
            guard let s = Int(sField) else {
                throw InputError(
                    file: file, location: "line \(lineNo), column 1 (sample)",
                    expected: "an integer sample index", found: "`\(sField)`")
            }
            guard s >= 0 else {
                throw InputError(
                    file: file, location: "line \(lineNo), column 1 (sample)",
                    expected: "a non-negative (zero-based) sample index", found: "\(s)")
            }
            if let prev = samples.last, s <= prev {
                if seenSamples.contains(s) {
                    throw InputError(
                        file: file, location: "line \(lineNo), column 1 (sample)",
                        expected: "each sample index once", found: "sample \(s) again")
                }
                throw InputError(
                    file: file, location: "line \(lineNo), column 1 (sample)",
                    expected: "sample indices in increasing order",
                    found: "sample \(s) after sample \(prev)")
            }
            var row = [Double]()
            row.reserveCapacity(phases.count)
            for c in 1..<fields.count {
                let f = fields[c]
                let where_ = "line \(lineNo), column \(c + 1) (\(names[c]))"
                guard let v = Double(f), !f.isEmpty, isPlainNumber(f) else {
                    throw InputError(
                        file: file, location: where_, expected: "a number (phase fraction)",
                        found: f.isEmpty ? "an empty field" : "`\(f)`")
                }
                if v.isNaN {
                    throw InputError(file: file, location: where_, expected: "a number (phase fraction)", found: "NaN")
                }
                if v.isInfinite {
                    throw InputError(file: file, location: where_, expected: "a finite phase fraction", found: "`\(f)`")
                }
                if v < 0 {
                    throw InputError(file: file, location: where_, expected: "a non-negative phase fraction", found: "`\(f)`")
                }
                row.append(v)
            }
            samples.append(s)
            seenSamples.insert(s)
            rows.append(row)
        }
        guard header != nil else {
            throw InputError(file: file, expected: "a header line `sample,<phase name>…`", found: "an empty file")
        }
        // Already validated; the throwing init cannot fail here.
        return try FractionTable(phases: phases, samples: samples, fractions: rows)
    }

    /// Checks the header fields; returns the phase names.
    private static func validateHeader(_ fields: [String], file: String, line: Int) throws -> [String] {
        guard let first = fields.first, first == "sample" else {
            let shown = fields.prefix(4).joined(separator: ",") + (fields.count > 4 ? ",…" : "")
            throw InputError(
                file: file, location: "line \(line), column 1",
                expected: "a `sample` column first (header `sample,<phase name>…`)",
                found: fields.contains("sample")
                    ? "`sample` in column \(fields.firstIndex(of: "sample")! + 1) (header `\(shown)`)"
                    : "no `sample` column (header `\(shown)`)")
        }
        var firstColumn = [String: Int]()
        firstColumn["sample"] = 1
        for c in 1..<fields.count {
            let name = fields[c]
            if name.isEmpty {
                throw InputError(
                    file: file, location: "line \(line), column \(c + 1)",
                    expected: "a phase name", found: "an empty header field")
            }
            if let prev = firstColumn[name] {
                throw InputError(
                    file: file, location: "line \(line), column \(c + 1)",
                    expected: "unique phase names",
                    found: "`\(name)` again (first in column \(prev))")
            }
            firstColumn[name] = c + 1
        }
        return Array(fields.dropFirst())
    }

    /// Accepts decimal notation only (`Double(_:)` also takes `nan`, `inf`, hex floats): digits,
    /// sign, point, exponent, plus the words `nan`/`inf`/`infinity` so they get their own message.
    private static func isPlainNumber(_ s: String) -> Bool {
        let lower = s.lowercased()
        let body = lower.hasPrefix("-") || lower.hasPrefix("+") ? String(lower.dropFirst()) : lower
        if body == "nan" || body == "inf" || body == "infinity" { return true }
        return body.allSatisfy { "0123456789.e+-".contains($0) }
    }

    /// What `splitCSVLine` rejects.
    enum CSVLineProblem: Error, Equatable {
        /// A quote opened and never closed on the line.
        case unterminatedQuote
        /// Text other than spaces between a closing quote and the next comma (`"0.5"9`): the
        /// 1-based column and the field as written.
        case textAfterClosingQuote(column: Int, text: String)
    }

    /// Splits one CSV line into trimmed fields (RFC 4180 quotes); fails on an unterminated quote
    /// or on text after a closing quote (which would otherwise be glued onto the field, reading
    /// `"0.5"9` as 0.59).
    static func splitCSVLine(_ line: Substring) -> Result<[String], CSVLineProblem> {
        var fields: [String] = []
        var current = ""
        var inQuotes = false
        var wasQuoted = false
        var closed = false  // after the closing quote of a quoted field
        var fieldStart = line.startIndex
        var i = line.startIndex
        while i < line.endIndex {
            let ch = line[i]
            if inQuotes {
                if ch == "\"" {
                    let n = line.index(after: i)
                    if n < line.endIndex && line[n] == "\"" {
                        current.append("\"")
                        i = line.index(after: n)
                        continue
                    }
                    inQuotes = false
                    closed = true
                } else {
                    current.append(ch)
                }
            } else if ch == "," {
                fields.append(wasQuoted ? current : trim(current))
                current = ""
                wasQuoted = false
                closed = false
                fieldStart = line.index(after: i)
            } else if closed {
                if ch != " " && ch != "\t" {
                    let stop = line[i...].firstIndex(of: ",") ?? line.endIndex
                    let text = String(line[fieldStart..<stop]).trimmingCharacters(in: CharacterSet(charactersIn: " \t"))
                    return .failure(.textAfterClosingQuote(column: fields.count + 1, text: text))
                }
            } else if ch == "\"" && current.allSatisfy({ $0 == " " || $0 == "\t" }) && !wasQuoted {
                current = ""
                inQuotes = true
                wasQuoted = true
            } else {
                current.append(ch)
            }
            i = line.index(after: i)
        }
        if inQuotes { return .failure(.unterminatedQuote) }
        fields.append(wasQuoted ? current : trim(current))
        return .success(fields)
    }

    private static func trim(_ s: String) -> String {
        s.trimmingCharacters(in: CharacterSet(charactersIn: " \t"))
    }

    // MARK: Writing

    /// The table as CSV text (header `sample,<phase names>`, `\n` line ends, final newline).
    /// - Parameter decimals: digits after the point (fixed notation, as in the datasets' files);
    ///   nil writes Swift's shortest round-trip representation.
    public func csvString(decimals: Int? = 6) -> String {
        var out = "sample"
        for name in phases { out += "," + FractionTable.quoteIfNeeded(name) }
        out += "\n"
        for (r, row) in fractions.enumerated() {
            out += String(samples[r])
            for v in row {
                out += ","
                if let d = decimals {
                    out += String(format: "%.\(max(0, d))f", v)
                } else {
                    out += "\(v)"
                }
            }
            out += "\n"
        }
        return out
    }

    /// Writes `csvString(decimals:)` to a file (atomically, UTF-8).
    public func write(toFile path: String, decimals: Int? = 6) throws {
        try csvString(decimals: decimals).write(toFile: path, atomically: true, encoding: .utf8)
    }

    package static func quoteIfNeeded(_ s: String) -> String {
        guard
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                || s.first == " " || s.last == " "
        else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
