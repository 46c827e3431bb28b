import DRNetEngine
import Foundation

/// Reads `phase-compositions.csv`: the cation fractions of every candidate phase.
///
/// Format: a header `phase,name,<element>,<element>…` then one row per candidate phase with its
/// zero-based index (as in the stick library), its name, and its fraction of each element.
/// Element columns are matched to the library's elements by symbol (exact, else
/// case-insensitive), so their order in the file does not matter; columns for elements outside
/// the library are ignored. The `name` column is optional; when present and `phaseNames` is
/// given, each row's name must equal the stick library's name of that phase.
///
/// Result: P×M row-major `[Double]`, row p = phase p, column m = `elements[m]`.
/// Errors (`InputError` naming the file and line/column): missing `phase` or element column,
/// bad number, phase index out of range or repeated, a phase without a row (count mismatch with
/// the stick library), a name that differs from the stick library, a name that is empty or holds
/// `//` or a control character (`StickLibraryReader.checkPhaseName`), malformed quoting and NUL
/// bytes (`InputFile.csvRow`, `InputFile.rejectNUL`). Value ranges and row sums are checked by
/// `LibraryValidator`.
public enum PhaseCompositionReader {
    /// Reads the file at `path` for a library with `elements` (M symbols) and `phaseCount`
    /// candidate phases whose names are `phaseNames` (nil: do not compare names).
    public static func read(
        path: String, elements: [String], phaseCount: Int,
        phaseNames: [String]? = nil
    ) throws -> [Double] {
        try parse(InputFile(path: path), elements: elements, phaseCount: phaseCount, phaseNames: phaseNames)
    }

    /// Parses CSV text held in memory; `file` names the source in errors.
    public static func parse(
        _ text: String, file: String, elements: [String], phaseCount: Int,
        phaseNames: [String]? = nil
    ) throws -> [Double] {
        try parse(
            InputFile(path: file, contents: Array(text.utf8)), elements: elements, phaseCount: phaseCount,
            phaseNames: phaseNames)
    }

    static func parse(_ file: InputFile, elements: [String], phaseCount: Int, phaseNames: [String]?) throws -> [Double] {
        let path = file.path
        try file.rejectNUL()
        let lines = file.nonBlankLines()
        guard let headerLine = lines.first else {
            throw InputError(
                file: path, expected: "a header phase,name,<elements…> and one row per phase",
                found: "an empty file")
        }
        let header = try file.csvRow(headerLine).map { file.string($0) }
        let lowered = header.map { $0.lowercased() }
        let headerText = file.string(headerLine)
        guard let cPhase = lowered.firstIndex(of: "phase") else {
            throw InputError(
                file: path, location: "line \(headerLine.number) (header), column phase",
                expected: "columns phase,name,\(elements.joined(separator: ","))",
                found: "no column phase in header \"\(headerText)\" (missing column)")
        }
        let cName = lowered.firstIndex(of: "name")
        var elementColumns: [Int] = []
        for el in elements {
            guard let c = header.firstIndex(of: el) ?? lowered.firstIndex(of: el.lowercased()) else {
                throw InputError(
                    file: path, location: "line \(headerLine.number) (header), column \(el)",
                    expected: "a column for each element \(elements.joined(separator: ","))",
                    found: "no column \(el) in header \"\(headerText)\" (missing element)")
            }
            elementColumns.append(c)
        }
        let m = elements.count
        let width = ([cPhase] + elementColumns + (cName.map { [$0] } ?? [])).max()! + 1
        var result = [Double](repeating: 0, count: phaseCount * m)
        var seenAt = [Int](repeating: 0, count: phaseCount)

        for line in lines.dropFirst() {
            let fields = try file.csvRow(line, columns: header)
            guard fields.count >= width else {
                throw InputError(
                    file: path, location: "line \(line.number)", expected: "\(header.count) fields",
                    found: "\(fields.count) fields")
            }
            guard let k = file.int(fields[cPhase]), k >= 0 else {
                throw InputError(
                    file: path, location: "line \(line.number), column phase",
                    expected: "a zero-based phase index", found: "\"\(file.string(fields[cPhase]))\"")
            }
            guard k < phaseCount else {
                throw InputError(
                    file: path, location: "line \(line.number), column phase",
                    expected: "a phase index below \(phaseCount) (the stick library has \(phaseCount) phases)",
                    found: "\(k)")
            }
            guard seenAt[k] == 0 else {
                throw InputError(
                    file: path, location: "line \(line.number), column phase",
                    expected: "one row per phase", found: "phase \(k) again (first at line \(seenAt[k]))")
            }
            seenAt[k] = line.number
            if let cName {
                try StickLibraryReader.checkPhaseName(
                    file.string(fields[cName]), file: path, location: "line \(line.number), column name")
            }
            if let cName, let names = phaseNames, k < names.count {
                let name = file.string(fields[cName])
                guard name == names[k] else {
                    throw InputError(
                        file: path, location: "line \(line.number), column name",
                        expected: "\"\(names[k])\", the stick library's name of phase \(k)",
                        found: "\"\(name)\" (names mismatch the stick library)")
                }
            }
            for (col, c) in elementColumns.enumerated() {
                guard let v = file.double(fields[c]) else {
                    throw InputError(
                        file: path, location: "line \(line.number), column \(elements[col])",
                        expected: "a number (bad number)", found: "\"\(file.string(fields[c]))\"")
                }
                result[k * m + col] = v
            }
        }
        if let missing = seenAt.firstIndex(of: 0) {
            let rows = seenAt.filter { $0 != 0 }.count
            throw InputError(
                file: path, location: "column phase",
                expected: "\(phaseCount) rows, one per phase of the stick library",
                found: "\(rows) rows; no row for phase \(missing) (phase count mismatch)")
        }
        return result
    }
}
