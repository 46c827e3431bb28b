import DRNetEngine
import Foundation

/// The contents of a community key=value instance file (Le Bras et al., AAAI 2014), as used by
/// the `instance.txt` of every dataset folder.
public struct InstanceText: Sendable, Equatable {
    /// Cation element symbols from `Elements=`, length M.
    public var elements: [String]
    /// Q grid from `Q=`, nm⁻¹, length T (order as in the file; the validator checks it increases).
    public var q: [Float]
    /// Patterns `I1=`…`IN=`, N×T row-major: sample i (zero-based) is line `I<i+1>`.
    public var patterns: [Float]
    /// Cation fractions, N×M row-major: column m is the row named by the m-th entry of
    /// `Composition=` (e.g. `CAl`), which corresponds to `elements[m]`.
    public var compositions: [Double]
    /// N from `N=`.
    public var sampleCount: Int
    /// Every other key (e.g. `Description`, `UUID`, `Deposition`, `X`, `Y`) with its raw value.
    public var metadata: [String: String]

    public init(
        elements: [String], q: [Float], patterns: [Float], compositions: [Double], sampleCount: Int,
        metadata: [String: String] = [:]
    ) {
        self.elements = elements
        self.q = q
        self.patterns = patterns
        self.compositions = compositions
        self.sampleCount = sampleCount
        self.metadata = metadata
    }
}

/// Reads the instance key=value text format.
///
/// Format: one `KEY=v1,v2,...` per line; `//` starts a comment (whole line or trailing); blank
/// lines are ignored; spaces around keys and values are ignored; CRLF line ends are accepted; a
/// single trailing comma after a list is tolerated. Keys (case-sensitive):
/// - `M` number of elements; `Elements` their symbols (M of them); `N` number of samples;
/// - `Composition` names the per-element composition rows in element order (`CAl,CLi,CFe` or
///   `Ta,Rh,Pd`), each row a key with N fractions; when `Composition` is absent, rows named
///   exactly like the elements, or `C<element>`, are used;
/// - `Q` the grid (nm⁻¹, T values); `I1`…`IN` the patterns (1-based, T values each);
/// - any other key (`X`, `Y`, `Deposition`, `Description`, `UUID`, `sample_no`, …) is kept in
///   `metadata` and otherwise ignored.
/// Errors are `InputError`s naming the file, the line and the key: missing key, duplicate key,
/// line without `=`, N mismatch (missing or extra `I<k>` rows; N is checked against the `I<k>`
/// lines present before anything is sized by it), pattern length ≠ Q length, non-numeric value
/// (which item), composition row length ≠ N, M ≠ number of elements, a NUL byte
/// (`InputFile.rejectNUL`). A UTF-8 byte-order mark and CR-only line ends are read as usual
/// (`InputFile`).
public enum InstanceTextReader {
    /// Reads and parses the instance file at `path`.
    public static func read(path: String) throws -> InstanceText {
        try parse(InputFile(path: path))
    }

    /// Parses instance text held in memory; `file` names the source in errors.
    public static func parse(_ text: String, file: String) throws -> InstanceText {
        try parse(InputFile(path: file, contents: Array(text.utf8)))
    }

    /// One `KEY=value` line: its number and the value's byte range (comment and spaces removed).
    private struct Entry {
        var line: Int
        var start: Int
        var end: Int
    }

    static func parse(_ file: InputFile) throws -> InstanceText {
        let path = file.path
        var entries: [String: Entry] = [:]
        var patternKeys: [(index: Int, key: String)] = []

        try file.rejectNUL()
        for line in try file.keyValueLines() {
            let key = line.key
            guard !key.isEmpty else {
                throw InputError(
                    file: path, location: "line \(line.number)", expected: "a key before '='",
                    found: "an empty key")
            }
            if let first = entries[key] {
                throw InputError(
                    file: path, location: "line \(line.number), key \(key)",
                    expected: "each key once", found: "a duplicate of line \(first.line)")
            }
            entries[key] = Entry(line: line.number, start: line.valueStart, end: line.valueEnd)
            if let k = patternIndex(key) { patternKeys.append((k, key)) }
        }

        func require(_ key: String) throws -> Entry {
            guard let entry = entries[key] else {
                throw InputError(
                    file: path, location: "key \(key)", expected: "a \(key)= line",
                    found: "no \(key)= line (missing key)")
            }
            return entry
        }
        func names(_ entry: Entry) -> [String] {
            var list = file.string(entry.start, entry.end).split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            if list.count > 1 && list.last == "" { list.removeLast() }  // one trailing comma
            return list
        }
        func integer(_ key: String, minimum: Int = 1) throws -> (Int, Entry) {
            let entry = try require(key)
            guard let v = file.parseInt(entry.start, entry.end), v >= minimum else {
                throw InputError(
                    file: path, location: "line \(entry.line), key \(key)",
                    expected: minimum == 0 ? "a non-negative integer" : "a positive integer",
                    found: "\"\(file.string(entry.start, min(entry.end, entry.start + 40)))\"")
            }
            return (v, entry)
        }
        func numbers<T>(_ key: String, _ entry: Entry, _ parse: (Int, Int, inout [T]) -> InputFile.BadItem?) throws -> [T] {
            var out: [T] = []
            if let bad = parse(entry.start, entry.end, &out) {
                throw InputError(
                    file: path, location: "line \(entry.line), key \(key)",
                    expected: "comma-separated numbers",
                    found: bad.text.isEmpty
                        ? "an empty item \(bad.position)"
                        : "non-numeric item \(bad.position): \"\(bad.text)\"")
            }
            return out
        }

        // Metadata.
        // M = 0 (an empty Elements=) is a library without compositions (e.g. imported scans).
        let (m, mEntry) = try integer("M", minimum: 0)
        let elementsEntry = try require("Elements")
        let listed = names(elementsEntry)
        let elements = listed == [""] ? [] : listed
        if let i = elements.firstIndex(of: "") {
            throw InputError(
                file: path, location: "line \(elementsEntry.line), key Elements",
                expected: "element symbols", found: "an empty symbol at position \(i + 1)")
        }
        if Set(elements).count != elements.count {
            throw InputError(
                file: path, location: "line \(elementsEntry.line), key Elements",
                expected: "distinct element symbols", found: elements.joined(separator: ","))
        }
        guard elements.count == m else {
            throw InputError(
                file: path, location: "line \(mEntry.line), key M",
                expected: "M equal to the number of Elements (\(elements.count) at line \(elementsEntry.line))",
                found: "M=\(m)")
        }
        let (n, nEntry) = try integer("N")
        // N must be the number of pattern lines; checked before N sizes any array (an absurd N
        // is an error here, not a failed allocation). Too many pattern lines are named by the
        // pattern loop below.
        if n > patternKeys.count {
            let present = Set(patternKeys.map(\.index))
            let missing = (1...patternKeys.count + 1).first { !present.contains($0) }!
            if missing <= patternKeys.count {
                throw InputError(
                    file: path, location: "key I\(missing)",
                    expected: "patterns I1…I\(n) (N=\(n), line \(nEntry.line))",
                    found: "no I\(missing)= line: fewer pattern rows (\(patternKeys.count)) than N (N mismatch)")
            }
            throw InputError(
                file: path, location: "line \(nEntry.line), key N",
                expected: "N equal to the number of pattern lines ("
                    + (patternKeys.isEmpty ? "none" : "\(patternKeys.count): I1…I\(patternKeys.count)") + ")",
                found: "N=\(n), but \(patternKeys.count) pattern lines (N mismatch)")
        }

        // Composition rows, in element order.
        var rowKeys: [String]
        if let compEntry = entries["Composition"] {
            rowKeys = names(compEntry) == [""] ? [] : names(compEntry)
            guard rowKeys.count == m else {
                throw InputError(
                    file: path, location: "line \(compEntry.line), key Composition",
                    expected: "\(m) row names (M=\(m), line \(mEntry.line))",
                    found: "\(rowKeys.count): \(rowKeys.joined(separator: ","))")
            }
        } else if elements.allSatisfy({ entries[$0] != nil }) {
            rowKeys = elements
        } else if elements.allSatisfy({ entries["C" + $0] != nil }) {
            rowKeys = elements.map { "C" + $0 }
        } else {
            throw InputError(
                file: path, location: "key Composition",
                expected: "a Composition= line naming the per-element rows",
                found: "no Composition= line and no rows named after the elements (missing key)")
        }
        var compositions = [Double](repeating: 0, count: n * m)
        for (col, key) in rowKeys.enumerated() {
            guard let entry = entries[key] else {
                let origin = entries["Composition"].map { " (named by Composition at line \($0.line))" } ?? ""
                throw InputError(
                    file: path, location: "key \(key)", expected: "a \(key)= composition row\(origin)",
                    found: "no \(key)= line (missing key)")
            }
            let row: [Double] = try numbers(key, entry) { file.parseDoubles($0, $1, into: &$2) }
            guard row.count == n else {
                throw InputError(
                    file: path, location: "line \(entry.line), key \(key)",
                    expected: "\(n) values (N=\(n), line \(nEntry.line))", found: "\(row.count) values")
            }
            for i in 0..<n { compositions[i * m + col] = row[i] }
        }

        // Q grid and patterns.
        let qEntry = try require("Q")
        let q: [Float] = try numbers("Q", qEntry) { file.parseFloats($0, $1, into: &$2) }
        let t = q.count
        for (k, key) in patternKeys where k < 1 || k > n {
            let entry = entries[key]!
            throw InputError(
                file: path, location: "line \(entry.line), key \(key)",
                expected: "patterns I1…I\(n) only (N=\(n), line \(nEntry.line))",
                found: "\(key): more pattern rows than N (N mismatch)")
        }
        var patterns = [Float]()
        patterns.reserveCapacity(n * t)
        for k in 1...n {
            let key = "I\(k)"
            guard let entry = entries[key] else {
                throw InputError(
                    file: path, location: "key \(key)",
                    expected: "patterns I1…I\(n) (N=\(n), line \(nEntry.line))",
                    found: "no \(key)= line: fewer pattern rows (\(patternKeys.count)) than N (N mismatch)")
            }
            let before = patterns.count
            if let bad = file.parseFloats(entry.start, entry.end, into: &patterns) {
                throw InputError(
                    file: path, location: "line \(entry.line), key \(key)",
                    expected: "comma-separated numbers",
                    found: bad.text.isEmpty
                        ? "an empty item \(bad.position)"
                        : "non-numeric item \(bad.position): \"\(bad.text)\"")
            }
            let length = patterns.count - before
            guard length == t else {
                throw InputError(
                    file: path, location: "line \(entry.line), key \(key)",
                    expected: "\(t) values (the length of Q, line \(qEntry.line))",
                    found: "\(length) values")
            }
        }

        var metadata: [String: String] = [:]
        let known: Set<String> = Set(["M", "N", "Elements", "Composition", "Q"] + rowKeys)
        for (key, entry) in entries where !known.contains(key) && patternIndex(key) == nil {
            metadata[key] = file.string(entry.start, entry.end)
        }
        return InstanceText(
            elements: elements, q: q, patterns: patterns, compositions: compositions,
            sampleCount: n, metadata: metadata)
    }

    /// `k` for a key `I<k>` (decimal digits only), else nil.
    static func patternIndex(_ key: String) -> Int? {
        let u = key.utf8
        guard u.count >= 2, u.first == UInt8(ascii: "I") else { return nil }
        var k = 0
        for b in u.dropFirst() {
            guard b >= 0x30 && b <= 0x39 else { return nil }
            k = k &* 10 &+ Int(b - 0x30)
            if k > 1_000_000_000 { return nil }
        }
        return k
    }
}
