/// An error in user-supplied input: names the file, the place in it (line, key, column or array),
/// what was expected and what was found. Every reader throws this, never traps.
///
/// Invisible characters in `location` and `found` (which usually quote the file's own text) are
/// spelled out by `InputError.visible(_:)` — `\0`, `\t`, `\r`, `\n`, `U+FEFF` — so that a stray
/// byte-order mark, NUL or tab is seen in the one-line message rather than hidden in it.
public struct InputError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Path of the offending file (or a flag name such as `--sample-mask` when no file is involved).
    public var file: String
    /// Where in the file: `line 12`, `key Q`, `column intensity`, `row 3`; empty when the whole file.
    public var location: String
    /// What was expected, in words ("a strictly increasing Q grid").
    public var expected: String
    /// What was found ("Q[17] = 20.1 after Q[16] = 20.3"), invisible characters made visible.
    public var found: String

    public init(file: String, location: String = "", expected: String, found: String) {
        self.file = file
        self.location = InputError.visible(location)
        self.expected = expected
        self.found = InputError.visible(found)
    }

    public var description: String {
        let place = location.isEmpty ? file : "\(file), \(InputError.visible(location))"
        return "\(place): expected \(expected), found \(InputError.visible(found))"
    }

    /// `text` with every invisible character in a visible form: `\0` (NUL), `\t`, `\r`, `\n`, and
    /// `U+XXXX` for any other control or format character (the byte-order mark `U+FEFF`, the
    /// zero-width space `U+200B`), line or paragraph separator, and space other than U+0020 (the
    /// no-break space `U+00A0`). Visible text is returned unchanged (so applying it twice is the
    /// same as once).
    public static func visible(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isInvisible) else { return text }
        var out = String.UnicodeScalarView()
        for u in text.unicodeScalars {
            let spelled: String?
            switch u {
            case "\0": spelled = "\\0"
            case "\t": spelled = "\\t"
            case "\r": spelled = "\\r"
            case "\n": spelled = "\\n"
            default:
                if isInvisible(u) {
                    let hex = String(u.value, radix: 16, uppercase: true)
                    spelled = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                } else {
                    spelled = nil
                }
            }
            if let spelled { out.append(contentsOf: spelled.unicodeScalars) } else { out.append(u) }
        }
        return String(out)
    }

    /// Whether `u` prints as nothing or as blank space other than an ASCII space: control and
    /// format characters, line/paragraph separators, and non-ASCII spaces.
    public static func isInvisible(_ u: Unicode.Scalar) -> Bool {
        switch u.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: return true
        case .spaceSeparator: return u != " "
        default: return false
        }
    }
}

/// A problem with options or with how the pieces of a library fit together.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
