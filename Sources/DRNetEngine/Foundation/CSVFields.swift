import Foundation

/// Minimal CSV support for the project's tables (`sticks.csv`, `phase-compositions.csv`,
/// `edges.csv`, mask CSVs): comma-separated fields on one line each, optional double quotes
/// around a field (`""` inside quotes is a literal quote), spaces around fields ignored.
/// Quoted fields spanning lines are not supported (none of the formats needs them).
///
/// Malformed quoting is recorded on the field (`Field.problem`): a quote that is never closed on
/// its line, or text other than spaces between a closing quote and the next comma (`"18.05"9`).
/// `csvRow(_:columns:)` throws an `InputError` for either, naming the line and field; the
/// lenient `csvFields(_:)` keeps such fields, but `double(_:)` and `int(_:)` read them as no
/// number, so a malformed number is never taken for the part inside the quotes.
extension InputFile {
    /// One field: content byte range (inside the quotes when quoted).
    package struct Field {
        package var start: Int
        package var end: Int
        package var quoted: Bool
        /// What is wrong with the field's quoting, if anything.
        package var problem: Problem? = nil
        /// The field as written, quotes and anything after them included (for messages).
        package var rawStart: Int = 0
        package var rawEnd: Int = 0

        package init(start: Int, end: Int, quoted: Bool) {
            self.start = start
            self.end = end
            self.quoted = quoted
            rawStart = start
            rawEnd = end
        }
    }

    /// Malformed quoting in a field.
    package enum Problem: Sendable, Equatable {
        /// An opening quote without a closing one on the line (the field runs to the line's end).
        case unterminatedQuote
        /// Text other than spaces after the closing quote, before the next comma.
        case textAfterClosingQuote
    }

    /// Splits `line` into fields. An unterminated quote runs to the end of the line; text after
    /// a closing quote is skipped up to the next comma. Both are recorded in `Field.problem`.
    package func csvFields(_ line: Line) -> [Field] {
        var fields: [Field] = []
        var p = line.start
        let end = line.end
        while true {
            while p < end && (bytes[p] == 0x20 || bytes[p] == 0x09) { p += 1 }
            if p < end && bytes[p] == 0x22 {
                let open = p
                let s = p + 1
                var q = s
                while q < end {
                    if bytes[q] == 0x22 {
                        if q + 1 < end && bytes[q + 1] == 0x22 { q += 2; continue }
                        break
                    }
                    q += 1
                }
                var field = Field(start: s, end: min(q, end), quoted: true)
                field.rawStart = open
                if q >= end { field.problem = .unterminatedQuote }
                p = min(q + 1, end)
                // Only spaces may follow up to the next comma.
                let comma = firstIndex(of: 0x2C, p, end)
                let (ts, te) = trimmed(p, comma ?? end)
                if te > ts && field.problem == nil { field.problem = .textAfterClosingQuote }
                field.rawEnd = te > ts ? te : p
                fields.append(field)
                guard let c = comma, field.problem != .unterminatedQuote else { return fields }
                p = c + 1
            } else {
                let comma = firstIndex(of: 0x2C, p, end)
                let stop = comma ?? end
                let (s, e) = trimmed(p, stop)
                fields.append(Field(start: s, end: e, quoted: false))
                guard let c = comma else { return fields }
                p = c + 1
            }
        }
    }

    /// Splits `line` into fields like `csvFields(_:)`, but throws an `InputError` for malformed
    /// quoting: an "unterminated quote", or text after a closing quote (`"18.05"9`), naming the
    /// line and the field (by its name in `columns` when given, else by its 1-based position) and
    /// showing the field as written.
    package func csvRow(_ line: Line, columns: [String]? = nil) throws -> [Field] {
        let fields = csvFields(line)
        for (k, f) in fields.enumerated() {
            guard let problem = f.problem else { continue }
            let name = columns.flatMap { k < $0.count ? "column \($0[k])" : nil } ?? "field \(k + 1)"
            let raw = string(f.rawStart, min(f.rawEnd, f.rawStart + 60))
            switch problem {
            case .unterminatedQuote:
                throw InputError(
                    file: path, location: "line \(line.number), \(name)",
                    expected: "a closing double quote for the field's opening quote",
                    found: "an unterminated quote: \(raw)\(f.rawEnd > f.rawStart + 60 ? "…" : "")")
            case .textAfterClosingQuote:
                throw InputError(
                    file: path, location: "line \(line.number), \(name)",
                    expected: "a comma or the end of the line after the closing quote",
                    found: "\(raw) (text after the closing quote)")
            }
        }
        return fields
    }

    /// The text of a field (quotes removed, `""` unescaped).
    package func string(_ field: Field) -> String {
        let s = string(field.start, field.end)
        return field.quoted ? s.replacingOccurrences(of: "\"\"", with: "\"") : s
    }

    /// The field as written in the file (quotes and any text after them included).
    package func rawString(_ field: Field) -> String {
        string(field.rawStart, field.rawEnd)
    }

    /// The field as one number, or nil when it is empty, not a number, or malformed.
    package func double(_ field: Field) -> Double? {
        guard field.problem == nil else { return nil }
        return parseDouble(field.start, field.end)
    }

    /// The field as a decimal integer, or nil (also when malformed).
    package func int(_ field: Field) -> Int? {
        guard field.problem == nil else { return nil }
        return parseInt(field.start, field.end)
    }

    /// Lines that are neither empty nor only spaces (CSV tables skip blank lines).
    package func nonBlankLines() -> [Line] {
        lines().filter { line in
            let (s, e) = trimmed(line.start, line.end)
            return e > s
        }
    }
}
