/// An error in user-supplied input: names the file, the place in it (line, key, column or array),
/// what was expected and what was found. Every reader throws this, never traps.
public struct InputError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Path of the offending file (or a flag name such as `--sample-mask` when no file is involved).
    public var file: String
    /// Where in the file: `line 12`, `key Q`, `column intensity`, `row 3`; empty when the whole file.
    public var location: String
    /// What was expected, in words ("a strictly increasing Q grid").
    public var expected: String
    /// What was found ("Q[17] = 20.1 after Q[16] = 20.3").
    public var found: String

    public init(file: String, location: String = "", expected: String, found: String) {
        self.file = file
        self.location = location
        self.expected = expected
        self.found = found
    }

    public var description: String {
        let place = location.isEmpty ? file : "\(file), \(location)"
        return "\(place): expected \(expected), found \(found)"
    }
}

/// A problem with options or with how the pieces of a library fit together.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
