import DRNetEngine
import Foundation

/// Reads back a solution written by `SolutionWriter` (its `solution.json`).
///
/// Every failure is an `InputError` naming the file: a JSON syntax error gives the line and
/// column where the parser stopped (from the character index Foundation reports); a missing
/// key, a `null`, a value of the wrong type or an invalid value gives the JSON path of the key
/// (`settings.steps`, `lossHistory.3.total`); arrays of the wrong length give their counts.
public enum SolutionFile {
    /// The `solution.json` of a solution folder.
    public static func read(directory: String) throws -> PhaseMapSolution {
        try read(path: directory + "/solution.json")
    }

    /// A `solution.json` file.
    public static func read(path: String) throws -> PhaseMapSolution {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(file: path, expected: "a solution written by drnet solve (solution.json)", found: "no readable file")
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            let s = try decoder.decode(PhaseMapSolution.self, from: data)
            let np = s.sampleCount * s.phaseCount
            guard s.fractions.count == np, s.shifts.count == np, s.phaseNames.count == s.phaseCount else {
                throw InputError(
                    file: path, location: "fractions/shifts", expected: "N×P = \(np) values",
                    found: "\(s.fractions.count) fractions, \(s.shifts.count) shifts, \(s.phaseNames.count) names")
            }
            return s
        } catch let e as InputError {
            throw e
        } catch let error as DecodingError {
            throw inputError(error, data: data, path: path)
        } catch {
            throw InputError(file: path, expected: "valid solution JSON", found: "\(error)")
        }
    }

    /// A `DecodingError` as an `InputError`: the key path (coding path joined with dots), or for
    /// a syntax error the line and column.
    static func inputError(_ error: DecodingError, data: Data, path: String) -> InputError {
        func keyPath(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        func place(_ codingPath: [any CodingKey]) -> String {
            codingPath.isEmpty ? "top level" : "key \(keyPath(codingPath))"
        }
        switch error {
        case .keyNotFound(let key, let ctx):
            return InputError(
                file: path, location: "key " + keyPath(ctx.codingPath + [key]), expected: "key present", found: "missing")
        case .typeMismatch(let type, let ctx):
            return InputError(
                file: path, location: place(ctx.codingPath), expected: words(type), found: foundWords(ctx, data: data))
        case .valueNotFound(let type, let ctx):
            return InputError(file: path, location: place(ctx.codingPath), expected: words(type), found: "null")
        case .dataCorrupted(let ctx):
            if ctx.codingPath.isEmpty, let syntax = syntaxError(data) {
                return InputError(
                    file: path, location: syntax.location, expected: "valid JSON (a solution.json written by drnet solve)",
                    found: syntax.message)
            }
            return InputError(
                file: path, location: place(ctx.codingPath), expected: "a valid value", found: ctx.debugDescription)
        @unknown default:
            return InputError(file: path, expected: "valid solution JSON", found: "\(error)")
        }
    }

    /// A Swift type as a JSON value in words ("a string", "a JSON object", …).
    static func words(_ type: Any.Type) -> String {
        let name = String(describing: type)
        if name.hasPrefix("Dictionary") { return "a JSON object" }
        if name.hasPrefix("Array") { return "a list" }
        switch name {
        case "String": return "a string"
        case "Bool": return "true or false"
        case "Int", "Int32", "Int64", "UInt8", "UInt64": return "a whole number"
        case "Double", "Float": return "a number"
        default: return "a \(name) value"
        }
    }

    /// What the decoder found, in words: the JSON value at the key (or the kind the decoder names).
    static func foundWords(_ ctx: DecodingError.Context, data: Data) -> String {
        var value: Any? = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        for key in ctx.codingPath {
            if let i = key.intValue, let list = value as? [Any] {
                value = i < list.count ? list[i] : nil
            } else {
                value = (value as? [String: Any])?[key.stringValue]
            }
        }
        if let value { return JSONSettingsFile.describe(value) }
        let d = ctx.debugDescription
        if let r = d.range(of: "but found "), let end = d.range(of: " instead", range: r.upperBound..<d.endIndex) {
            return String(d[r.upperBound..<end.lowerBound])
        }
        return "a value of another kind"
    }

    /// Where and why `data` is not JSON (`JSONSettingsFile.syntaxError`); an empty file is named as such.
    static func syntaxError(_ data: Data) -> (location: String, message: String)? {
        if data.isEmpty { return ("", "an empty file") }
        return JSONSettingsFile.syntaxError(data)
    }
}
