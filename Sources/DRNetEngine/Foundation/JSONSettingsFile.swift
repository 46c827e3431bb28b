import Foundation

/// Reads a JSON file whose top level is one object of settings, with the project's error form:
/// a syntax error names the line and column (computed from the parser's character offset), a
/// key given twice is an error (JSON parsers keep one of them silently), and a top level that is
/// not an object says what it is. Used by `SolverOptions.load`.
public enum JSONSettingsFile {
    /// The top-level object of `data` (the bytes of `path`).
    public static func object(_ data: Data, path: String) throws -> [String: Any] {
        let bytes = [UInt8](data)
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            let debug = ((error as NSError).userInfo["NSDebugDescription"] as? String) ?? "\(error.localizedDescription)"
            var offset = bytes.count
            if let range = debug.range(of: #"character (\d+)"#, options: .regularExpression),
                let n = Int(debug[range].split(separator: " ").last ?? "")
            {
                offset = n
            }
            let (line, column) = lineAndColumn(bytes, offset: offset)
            throw InputError(
                file: path, location: "line \(line), column \(column)", expected: "valid JSON",
                found: debug.replacingOccurrences(of: #" around character \d+"#, with: "", options: .regularExpression)
                    .trimmingCharacters(in: CharacterSet(charactersIn: ".")))
        }
        guard let object = parsed as? [String: Any] else {
            throw InputError(file: path, expected: "a JSON object of settings ({ \"key\": value, … })", found: describe(parsed))
        }
        if let (key, line) = firstDuplicateKey(bytes) {
            throw InputError(
                file: path, location: "line \(line), key \(key)", expected: "each setting once",
                found: "\"\(key)\" given twice (JSON readers would silently keep only one)")
        }
        return object
    }

    /// A JSON value in words for an error message.
    public static func describe(_ value: Any) -> String {
        switch value {
        case is [Any]: return "a list"
        case is [String: Any]: return "an object"
        case let s as String: return "the string \"\(s)\""
        case is NSNull: return "null"
        case let n as NSNumber:
            if String(cString: n.objCType) == "c" { return n.boolValue ? "true" : "false" }  // a JSON true/false
            return "the number \(n)"
        default: return "\(value)"
        }
    }

    /// 1-based line and column of the byte at `offset` (column counted in bytes).
    static func lineAndColumn(_ bytes: [UInt8], offset: Int) -> (Int, Int) {
        var line = 1, column = 1
        for b in bytes.prefix(max(0, min(offset, bytes.count))) {
            if b == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }

    /// The first key repeated within one object (at any depth), with its line; nil when none.
    /// Called on text the JSON parser accepted, so the scan only tracks strings and nesting.
    static func firstDuplicateKey(_ bytes: [UInt8]) -> (String, Int)? {
        var stack: [(isObject: Bool, keys: Set<String>, expectingKey: Bool)] = []
        var i = 0, line = 1
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case UInt8(ascii: "\n"): line += 1
            case UInt8(ascii: "{"): stack.append((true, [], true))
            case UInt8(ascii: "["): stack.append((false, [], false))
            case UInt8(ascii: "}"), UInt8(ascii: "]"): _ = stack.popLast()
            case UInt8(ascii: ","): if let top = stack.last, top.isObject { stack[stack.count - 1].expectingKey = true }
            case UInt8(ascii: "\""):
                var j = i + 1, raw: [UInt8] = []
                while j < bytes.count && bytes[j] != UInt8(ascii: "\"") {
                    if bytes[j] == UInt8(ascii: "\\") {
                        raw.append(bytes[j])
                        j += 1
                    }
                    if j < bytes.count { raw.append(bytes[j]) }
                    j += 1
                }
                if let top = stack.last, top.isObject, top.expectingKey {
                    let key = String(decoding: raw, as: UTF8.self)
                    if top.keys.contains(key) { return (key, line) }
                    stack[stack.count - 1].keys.insert(key)
                    stack[stack.count - 1].expectingKey = false
                }
                i = j
            default: break
            }
            i += 1
        }
        return nil
    }
}
