import Foundation

/// Minimal CSV support for the project's tables (`sticks.csv`, `phase-compositions.csv`,
/// `edges.csv`, mask CSVs): comma-separated fields on one line each, optional double quotes
/// around a field (`""` inside quotes is a literal quote), spaces around fields ignored.
/// Quoted fields spanning lines are not supported (none of the formats needs them).
extension InputFile {
    /// One field: content byte range (inside the quotes when quoted).
    package struct Field {
        package var start: Int
        package var end: Int
        package var quoted: Bool
    }

    /// Splits `line` into fields. An unterminated quote runs to the end of the line.
    package func csvFields(_ line: Line) -> [Field] {
        var fields: [Field] = []
        var p = line.start
        let end = line.end
        while true {
            while p < end && (bytes[p] == 0x20 || bytes[p] == 0x09) { p += 1 }
            if p < end && bytes[p] == 0x22 {
                let s = p + 1
                var q = s
                while q < end {
                    if bytes[q] == 0x22 {
                        if q + 1 < end && bytes[q + 1] == 0x22 { q += 2; continue }
                        break
                    }
                    q += 1
                }
                fields.append(Field(start: s, end: min(q, end), quoted: true))
                p = min(q + 1, end)
                // Skip anything up to the next comma (normally only spaces).
                let comma = firstIndex(of: 0x2C, p, end)
                guard let c = comma else { return fields }
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

    /// The text of a field (quotes removed, `""` unescaped).
    package func string(_ field: Field) -> String {
        let s = string(field.start, field.end)
        return field.quoted ? s.replacingOccurrences(of: "\"\"", with: "\"") : s
    }

    /// The field as one number, or nil when it is empty or not a number.
    package func double(_ field: Field) -> Double? {
        parseDouble(field.start, field.end)
    }

    /// The field as a decimal integer, or nil.
    package func int(_ field: Field) -> Int? {
        parseInt(field.start, field.end)
    }

    /// Lines that are neither empty nor only spaces (CSV tables skip blank lines).
    package func nonBlankLines() -> [Line] {
        lines().filter { line in
            let (s, e) = trimmed(line.start, line.end)
            return e > s
        }
    }
}
