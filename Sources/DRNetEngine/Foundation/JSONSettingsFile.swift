import Foundation

/// Reads a JSON file whose top level is one object of settings, with the project's error form:
/// a syntax error names the line and column (computed from the parser's character offset), a
/// key given twice is an error (JSON parsers keep one of them silently), and a top level that is
/// not an object says what it is. Used by `SolverOptions.load`.
public enum JSONSettingsFile {
    /// The top-level object of `data` (the bytes of `path`).
    public static func object(_ data: Data, path: String) throws -> [String: Any] {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            let syntax = syntaxError(data) ?? ("", "invalid JSON")
            throw InputError(file: path, location: syntax.location, expected: "valid JSON", found: syntax.message)
        }
        guard let object = parsed as? [String: Any] else {
            throw InputError(file: path, expected: "a JSON object of settings ({ \"key\": value, … })", found: describe(parsed))
        }
        if let (key, line) = firstDuplicateKey([UInt8](data)) {
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

    /// Where and why `data` is not JSON, from `JSONSerialization`'s error: the character index
    /// it reports (`NSJSONSerializationErrorIndex`, or "around character N" in its description)
    /// turned into a 1-based line and column (an empty file: line 1, column 1, its end); nil when
    /// `data` parses.
    public static func syntaxError(_ data: Data) -> (location: String, message: String)? {
        let nsError: NSError
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            return nil
        } catch {
            nsError = error as NSError
        }
        let detail = (nsError.userInfo[NSDebugDescriptionErrorKey] as? String) ?? nsError.localizedDescription
        var index = nsError.userInfo["NSJSONSerializationErrorIndex"] as? Int
        if index == nil, let r = detail.range(of: "around character ") {
            index = Int(detail[r.upperBound...].prefix { $0.isASCII && $0.isNumber })
        }
        if index == nil && detail.lowercased().contains("end of file") { index = data.count }  // a truncated file
        var message = detail
        while message.hasSuffix(".") { message.removeLast() }
        guard let index, index >= 0, index <= data.count else { return ("", message.isEmpty ? "invalid JSON" : message) }
        // Line and column of byte `index` (columns count characters, not bytes).
        let before = data.prefix(index)
        let line = before.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
        let lineStart = before.lastIndex(of: 0x0A).map { $0 + 1 } ?? before.startIndex
        let column = String(decoding: data[lineStart..<before.endIndex], as: UTF8.self).count + 1
        if let r = message.range(of: " around character ") { message = String(message[..<r.lowerBound]) }
        return ("line \(line), column \(column)", message.isEmpty ? "invalid JSON" : message)
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
