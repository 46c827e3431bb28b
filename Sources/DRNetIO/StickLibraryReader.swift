import DRNetEngine
import Foundation

/// Reads candidate phases (stick patterns) from the two stick-library formats.
///
/// **`sticks.csv`**: a header naming the columns `phase,name,q,intensity` (any order, extra
/// columns ignored, names case-insensitive), then one stick per row: zero-based phase index,
/// phase name (the same on every row of a phase), position q (nm⁻¹, > 0) and relative intensity
/// (≥ 0, any scale). Phase indices must cover 0…P-1 without gaps; rows are normally grouped by
/// phase, and sticks keep their file order within a phase. Fields may be double-quoted.
///
/// **IAFD `sticks.txt`**: key=value lines `Q<k>=q1,q2,…` (positions, nm⁻¹) and
/// `P<k>=I1,I2,…` (intensities) per phase k, k = 0…P-1 (1…P is accepted too); `//` comments
/// and blank lines ignored, other keys ignored. The format has no names: phase k is named
/// `phase<k>`.
///
/// Errors (`InputError`, naming the file and line/key/column): missing column, bad number,
/// non-positive or non-finite q, negative or NaN intensity, a phase with no sticks (gap in the
/// indices), a phase index not below the number of stick rows (checked before anything is
/// allocated for it), a phase whose intensities are all zero, Q/P lists of different lengths,
/// a phase name that changes within a phase, and a phase name that is empty, holds `//` (the
/// community solution format's comment marker, so the name would not survive `solution.txt`)
/// or a control character (`checkPhaseName`). Malformed quoting (an unterminated quote, text
/// after a closing quote) and NUL bytes are errors of their line (`InputFile.csvRow`,
/// `InputFile.rejectNUL`).
public enum StickLibraryReader {
    /// Reads `path` as CSV when it ends in `.csv`, else as the IAFD text format.
    public static func read(path: String) throws -> [CandidatePhase] {
        path.lowercased().hasSuffix(".csv") ? try readCSV(path: path) : try readIAFD(path: path)
    }

    /// Reads a `phase,name,q,intensity` CSV file.
    public static func readCSV(path: String) throws -> [CandidatePhase] {
        try parseCSV(InputFile(path: path))
    }

    /// Reads an IAFD `Q<k>=` / `P<k>=` text file; phases are named `phase<k>`.
    public static func readIAFD(path: String) throws -> [CandidatePhase] {
        try parseIAFD(InputFile(path: path))
    }

    /// Parses CSV text held in memory; `file` names the source in errors.
    public static func parseCSV(_ text: String, file: String) throws -> [CandidatePhase] {
        try parseCSV(InputFile(path: file, contents: Array(text.utf8)))
    }

    /// Parses IAFD text held in memory; `file` names the source in errors.
    public static func parseIAFD(_ text: String, file: String) throws -> [CandidatePhase] {
        try parseIAFD(InputFile(path: file, contents: Array(text.utf8)))
    }

    // MARK: CSV

    private struct Building {
        var name: String
        var firstLine: Int
        var q: [Float] = []
        var intensity: [Float] = []
    }

    static func parseCSV(_ file: InputFile) throws -> [CandidatePhase] {
        let path = file.path
        try file.rejectNUL()
        let lines = file.nonBlankLines()
        guard let headerLine = lines.first else {
            throw InputError(file: path, expected: "a header phase,name,q,intensity and stick rows", found: "an empty file")
        }
        let header = try file.csvRow(headerLine).map { file.string($0).lowercased() }
        var column: [String: Int] = [:]
        for required in ["phase", "name", "q", "intensity"] {
            guard let c = header.firstIndex(of: required) else {
                throw InputError(
                    file: path, location: "line \(headerLine.number) (header), column \(required)",
                    expected: "columns phase,name,q,intensity",
                    found: "no column \(required) in header \"\(file.string(headerLine))\" (missing column)")
            }
            column[required] = c
        }
        let cPhase = column["phase"]!, cName = column["name"]!, cQ = column["q"]!, cI = column["intensity"]!
        let width = max(cPhase, cName, cQ, cI) + 1

        var phases: [Int: Building] = [:]
        let rowCount = lines.count - 1
        for line in lines.dropFirst() {
            let fields = try file.csvRow(line, columns: header)
            guard fields.count >= width else {
                throw InputError(
                    file: path, location: "line \(line.number)", expected: "\(header.count) fields",
                    found: "\(fields.count) fields")
            }
            func bad(_ col: String, _ f: InputFile.Field, _ what: String) -> InputError {
                InputError(
                    file: path, location: "line \(line.number), column \(col)", expected: what,
                    found: "\"\(file.string(f))\"")
            }
            guard let k = file.int(fields[cPhase]), k >= 0 else {
                throw bad("phase", fields[cPhase], "a zero-based phase index")
            }
            // Every phase has a stick row, so an index is below the number of rows; checked
            // here, before the index sizes anything.
            guard k < rowCount else {
                throw InputError(
                    file: path, location: "line \(line.number), column phase",
                    expected: "a phase index below \(rowCount) (the file has \(rowCount) stick rows, "
                        + "and phases 0…P-1 each need one)",
                    found: "\(k)")
            }
            guard let q = file.double(fields[cQ]) else {
                throw bad("q", fields[cQ], "a number (bad number)")
            }
            guard q.isFinite, q > 0 else {
                throw bad("q", fields[cQ], "a positive finite q in nm⁻¹ (non-positive q)")
            }
            guard let intensity = file.double(fields[cI]) else {
                throw bad("intensity", fields[cI], "a number (bad number)")
            }
            guard intensity.isFinite, intensity >= 0 else {
                throw bad("intensity", fields[cI], "a finite non-negative intensity (negative/NaN intensity)")
            }
            let name = file.string(fields[cName])
            try checkPhaseName(name, file: path, location: "line \(line.number), column name")
            if let existing = phases[k], existing.name != name {
                throw InputError(
                    file: path, location: "line \(line.number), column name",
                    expected: "the name \"\(existing.name)\" of phase \(k) (line \(existing.firstLine))",
                    found: "\"\(name)\"")
            }
            phases[k, default: Building(name: name, firstLine: line.number)].q.append(Float(q))
            phases[k]!.intensity.append(Float(intensity))
        }
        guard !phases.isEmpty else {
            throw InputError(file: path, expected: "at least one stick row after the header", found: "no rows")
        }
        let count = phases.keys.max()! + 1
        var result: [CandidatePhase] = []
        result.reserveCapacity(count)
        for k in 0..<count {
            guard let b = phases[k] else {
                throw InputError(
                    file: path, location: "column phase",
                    expected: "phase indices 0…\(count - 1) without gaps",
                    found: "phase \(k) has no sticks (empty phase)")
            }
            guard b.intensity.contains(where: { $0 > 0 }) else {
                throw InputError(
                    file: path, location: "line \(b.firstLine), phase \(k) (\(b.name))",
                    expected: "at least one positive intensity", found: "all-zero intensities")
            }
            result.append(CandidatePhase(name: b.name, q: b.q, intensity: b.intensity))
        }
        return result
    }

    // MARK: IAFD text

    static func parseIAFD(_ file: InputFile) throws -> [CandidatePhase] {
        let path = file.path
        try file.rejectNUL()
        struct Row { var line: Int; var values: [Float] }
        var qs: [Int: Row] = [:]
        var ps: [Int: Row] = [:]
        for line in try file.keyValueLines() {
            let key = line.key
            guard let (letter, k) = splitKey(key) else { continue }
            var values: [Float] = []
            let (vs, ve) = (line.valueStart, line.valueEnd)
            if ve > vs, let bad = file.parseFloats(vs, ve, into: &values) {
                throw InputError(
                    file: path, location: "line \(line.number), key \(key)",
                    expected: "comma-separated numbers (bad number)",
                    found: bad.text.isEmpty
                        ? "an empty item \(bad.position)"
                        : "non-numeric item \(bad.position): \"\(bad.text)\"")
            }
            for (i, v) in values.enumerated() {
                if letter == "Q" && !(v.isFinite && v > 0) {
                    throw InputError(
                        file: path, location: "line \(line.number), key \(key)",
                        expected: "positive finite q in nm⁻¹ (non-positive q)",
                        found: "item \(i + 1) = \(v)")
                }
                if letter == "P" && !(v.isFinite && v >= 0) {
                    throw InputError(
                        file: path, location: "line \(line.number), key \(key)",
                        expected: "finite non-negative intensities (negative/NaN intensity)",
                        found: "item \(i + 1) = \(v)")
                }
            }
            let row = Row(line: line.number, values: values)
            let previous = letter == "Q" ? qs.updateValue(row, forKey: k) : ps.updateValue(row, forKey: k)
            if let p = previous {
                throw InputError(
                    file: path, location: "line \(line.number), key \(key)", expected: "each key once",
                    found: "a duplicate of line \(p.line)")
            }
        }
        let indices = Set(qs.keys).union(ps.keys)
        guard let lo = indices.min(), let hi = indices.max() else {
            throw InputError(file: path, expected: "Q<k>= and P<k>= lines (IAFD sticks format)", found: "none")
        }
        guard lo <= 1 else {
            throw InputError(
                file: path, location: "key Q\(lo)", expected: "phases numbered from 0",
                found: "first phase Q\(lo)/P\(lo)")
        }
        var result: [CandidatePhase] = []
        for k in lo...hi {
            guard let q = qs[k] else {
                let other = ps[k].map { "P\(k) at line \($0.line) but no Q\(k)" } ?? "no Q\(k) or P\(k) (empty phase)"
                throw InputError(file: path, location: "key Q\(k)", expected: "phases \(lo)…\(hi) without gaps", found: other)
            }
            guard let p = ps[k] else {
                throw InputError(
                    file: path, location: "line \(q.line), key P\(k)",
                    expected: "a P\(k)= intensity line for Q\(k)", found: "no P\(k) (missing key)")
            }
            guard q.values.count == p.values.count else {
                throw InputError(
                    file: path, location: "line \(p.line), key P\(k)",
                    expected: "\(q.values.count) intensities (as many as Q\(k), line \(q.line))",
                    found: "\(p.values.count)")
            }
            guard !q.values.isEmpty else {
                throw InputError(
                    file: path, location: "line \(q.line), key Q\(k)", expected: "at least one stick",
                    found: "no sticks (empty phase)")
            }
            guard p.values.contains(where: { $0 > 0 }) else {
                throw InputError(
                    file: path, location: "line \(p.line), key P\(k)",
                    expected: "at least one positive intensity", found: "all-zero intensities")
            }
            result.append(CandidatePhase(name: "phase\(k)", q: q.values, intensity: p.values))
        }
        return result
    }

    /// Throws an `InputError` at `location` of `file` when `name` cannot be a phase name: empty
    /// (or only spaces), containing `//` (a comment in the community solution format: the name
    /// would be cut short in `solution.txt`), or containing a control or other invisible format
    /// character (a newline, tab, NUL, byte-order mark…; shown visibly in the message).
    package static func checkPhaseName(_ name: String, file: String, location: String) throws {
        if name.allSatisfy({ $0 == " " }) {
            throw InputError(file: file, location: location, expected: "a phase name", found: "an empty phase name")
        }
        if name.contains("//") {
            throw InputError(
                file: file, location: location,
                expected: "a phase name without \"//\" (it starts a comment in the community solution format, "
                    + "so the name would not survive solution.txt)",
                found: "\"\(name)\"")
        }
        let invisible = name.unicodeScalars.contains { u in
            switch u.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator: return true
            default: return false
            }
        }
        if invisible {
            throw InputError(
                file: file, location: location, expected: "a phase name without control characters",
                found: "\"\(name)\" (a control character)")
        }
    }

    /// `("Q", k)` / `("P", k)` for keys `Q<k>` / `P<k>`, else nil.
    private static func splitKey(_ key: String) -> (Character, Int)? {
        guard let first = key.first, first == "Q" || first == "P" else { return nil }
        let digits = key.dropFirst()
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let k = Int(digits) else { return nil }
        return (first, k)
    }
}
