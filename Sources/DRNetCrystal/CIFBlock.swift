import DRNetEngine
import DRNetIO
import Foundation

/// One value of a CIF data item, with the line it starts on.
struct CIFValue: Sendable {
    var text: String
    var line: Int
    /// True for quoted strings and text fields (a quoted `?` is a value, not "unknown").
    var quoted: Bool

    /// `?` (unknown) or `.` (not applicable), unquoted.
    var isUnknown: Bool { !quoted && (text == "?" || text == ".") }

    /// The number, with a standard uncertainty in parentheses dropped: `4.2112(3)` → 4.2112.
    var number: Double? {
        var t = Substring(text)
        if let open = t.firstIndex(of: "("), t.last == ")" { t = t[..<open] }
        return Double(t)
    }
}

/// The data items of one CIF data block (CIF 1.1 syntax): tag → its values (one for a single
/// item, one per row for a looped item). Tags are compared case-insensitively.
///
/// Tokens: `#` comments, `'…'` / `"…"` strings (closed by the quote followed by white space),
/// `;` text fields (from a line starting with `;` to the next such line), `data_`, `loop_`,
/// tags `_…`, and bare values. `save_`, `global_` and `stop_` are not supported (errors).
struct CIFBlock {
    private var items: [String: [CIFValue]] = [:]

    /// The values of `tag` (lower-cased internally), or nil when absent.
    func values(of tag: String) -> [CIFValue]? { items[tag.lowercased()] }

    /// The value of a single (non-looped) item, or the first value of a looped one.
    func single(_ tag: String) -> CIFValue? { items[tag.lowercased()]?.first }

    private enum Token {
        case data(String)
        case loop
        case tag(String)
        case value(CIFValue)
    }

    /// Parses the text; throws `InputError` on syntax errors or a second data block.
    static func parse(_ text: String, file: String) throws -> CIFBlock {
        let tokens = try tokenize(text, file: file)
        var block = CIFBlock()
        var sawData = false
        var i = 0
        while i < tokens.count {
            let (token, lineNo) = tokens[i]
            switch token {
            case .data(let name):
                if sawData {
                    throw InputError(
                        file: file, location: "line \(lineNo)",
                        expected: "one data block per file", found: "a second block data_\(name)")
                }
                sawData = true
                i += 1
            case .loop:
                var tags: [String] = []
                i += 1
                while i < tokens.count, case .tag(let t) = tokens[i].0 { tags.append(t); i += 1 }
                guard !tags.isEmpty else {
                    throw InputError(file: file, location: "line \(lineNo)", expected: "tags after loop_", found: "none")
                }
                var values: [CIFValue] = []
                while i < tokens.count, case .value(let v) = tokens[i].0 { values.append(v); i += 1 }
                guard values.count % tags.count == 0 else {
                    throw InputError(
                        file: file, location: "line \(lineNo), loop_ of \(tags[0])",
                        expected: "a multiple of \(tags.count) values (\(tags.count) tags)",
                        found: "\(values.count) values")
                }
                for (c, tag) in tags.enumerated() {
                    try block.insert(
                        tag, stride(from: c, to: values.count, by: tags.count).map { values[$0] },
                        line: lineNo, file: file)
                }
            case .tag(let tag):
                guard i + 1 < tokens.count, case .value(let v) = tokens[i + 1].0 else {
                    throw InputError(
                        file: file, location: "line \(lineNo), tag \(tag)", expected: "a value after the tag",
                        found: "none")
                }
                try block.insert(tag, [v], line: lineNo, file: file)
                i += 2
            case .value(let v):
                throw InputError(
                    file: file, location: "line \(lineNo)", expected: "a tag, loop_ or data_",
                    found: "a value without a tag: \"\(v.text.prefix(40))\"")
            }
        }
        guard sawData else {
            throw InputError(file: file, expected: "a CIF data block (a data_ line)", found: "none")
        }
        return block
    }

    private mutating func insert(_ tag: String, _ values: [CIFValue], line: Int, file: String) throws {
        let key = tag.lowercased()
        if items[key] != nil {
            throw InputError(file: file, location: "line \(line), tag \(tag)", expected: "each tag once", found: "a duplicate")
        }
        items[key] = values
    }

    private static func tokenize(_ text: String, file: String) throws -> [(Token, Int)] {
        var tokens: [(Token, Int)] = []
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        var n = 0
        while n < lines.count {
            let line = Array(lines[n])
            let lineNo = n + 1
            n += 1
            if line.first == ";" {
                // Text field: up to a line that starts with ';'.
                var body = [String(line.dropFirst())]
                var closed = false
                while n < lines.count {
                    let l = lines[n]; n += 1
                    if l.first == ";" { closed = true; break }
                    body.append(String(l))
                }
                guard closed else {
                    throw InputError(
                        file: file, location: "line \(lineNo)", expected: "a text field closed by a line starting with ';'",
                        found: "the end of the file")
                }
                tokens.append((.value(CIFValue(text: body.joined(separator: "\n"), line: lineNo, quoted: true)), lineNo))
                continue
            }
            var i = 0
            while i < line.count {
                let ch = line[i]
                if ch == " " || ch == "\t" { i += 1; continue }
                if ch == "#" { break }
                if ch == "'" || ch == "\"" {
                    var j = i + 1
                    while j < line.count, !(line[j] == ch && (j + 1 == line.count || line[j + 1] == " " || line[j + 1] == "\t")) {
                        j += 1
                    }
                    guard j < line.count else {
                        throw InputError(
                            file: file, location: "line \(lineNo)", expected: "a closing \(ch) quote",
                            found: "the end of the line")
                    }
                    tokens.append((.value(CIFValue(text: String(line[(i + 1)..<j]), line: lineNo, quoted: true)), lineNo))
                    i = j + 1
                    continue
                }
                var j = i
                while j < line.count, line[j] != " ", line[j] != "\t" { j += 1 }
                let word = String(line[i..<j])
                i = j
                let lower = word.lowercased()
                if lower.hasPrefix("data_") {
                    tokens.append((.data(String(word.dropFirst(5))), lineNo))
                } else if lower == "loop_" {
                    tokens.append((.loop, lineNo))
                } else if lower.hasPrefix("save_") || lower.hasPrefix("global_") || lower == "stop_" {
                    throw InputError(
                        file: file, location: "line \(lineNo)",
                        expected: "CIF data items (save frames, global_ and stop_ are not supported)",
                        found: "\"\(word)\"")
                } else if word.hasPrefix("_") {
                    tokens.append((.tag(word), lineNo))
                } else {
                    tokens.append((.value(CIFValue(text: word, line: lineNo, quoted: false)), lineNo))
                }
            }
        }
        return tokens
    }
}
