import DRNetEngine
import Foundation

/// Reads a composition graph (undirected edges between samples, zero-based indices).
///
/// **`edges.csv`**: an optional header (`i,j`; skipped when its first field is not an integer)
/// then one edge per row `i,j`; each pair once in either direction (duplicates and reversed
/// duplicates are merged). **`neighbors.txt`**: one line per sample, `i,j,k,…` = the sample
/// index then the indices of its neighbours; every (sample, neighbour) pair becomes an edge.
/// `//` comments and blank lines are ignored in both.
///
/// Result: `[Edge]` sorted ascending, each with `i < j`, no duplicates.
/// Errors (`InputError` naming the file and line): a non-integer field, an index outside
/// 0…N-1, a self-loop (i = j), a row with other than two fields (`edges.csv`), a sample listed
/// on two lines (`neighbors.txt`), malformed quoting and NUL bytes (`InputFile.csvRow`,
/// `InputFile.rejectNUL`), and an `edges.csv` without any edge (header only, or empty): a graph
/// in which every sample stands alone (a set of separate mixtures) is declared by a
/// `neighbors.txt` listing each sample on its own line, which is valid. A graph in several
/// connected components is accepted here (`LibraryLoader` adds a warning).
public enum GraphFileReader {
    /// Reads `path` as `neighbors.txt` when its name contains `neighbor`/`neighbour`, else as an
    /// edge list.
    public static func read(path: String, sampleCount: Int) throws -> [Edge] {
        let name = (path as NSString).lastPathComponent.lowercased()
        if name.contains("neighbor") || name.contains("neighbour") {
            return try readNeighbors(path: path, sampleCount: sampleCount)
        }
        return try readEdges(path: path, sampleCount: sampleCount)
    }

    /// Reads an `i,j` edge list for a library of `sampleCount` samples.
    public static func readEdges(path: String, sampleCount: Int) throws -> [Edge] {
        try parseEdges(InputFile(path: path), sampleCount: sampleCount)
    }

    /// Reads a neighbour list (`sample,neighbour,neighbour,…` per line).
    public static func readNeighbors(path: String, sampleCount: Int) throws -> [Edge] {
        try parseNeighbors(InputFile(path: path), sampleCount: sampleCount)
    }

    /// Parses edge-list text held in memory; `file` names the source in errors.
    public static func parseEdges(_ text: String, file: String, sampleCount: Int) throws -> [Edge] {
        try parseEdges(InputFile(path: file, contents: Array(text.utf8)), sampleCount: sampleCount)
    }

    /// Parses neighbour-list text held in memory; `file` names the source in errors.
    public static func parseNeighbors(_ text: String, file: String, sampleCount: Int) throws -> [Edge] {
        try parseNeighbors(InputFile(path: file, contents: Array(text.utf8)), sampleCount: sampleCount)
    }

    /// Content lines: comments removed, blank lines dropped.
    private static func contentLines(_ file: InputFile) -> [InputFile.Line] {
        file.lines().compactMap { line in
            var l = line
            if let c = file.commentStart(l.start, l.end) { l.end = c }
            let (s, e) = file.trimmed(l.start, l.end)
            return e > s ? InputFile.Line(number: l.number, start: s, end: e) : nil
        }
    }

    private static func index(
        _ file: InputFile, _ f: InputFile.Field, line: Int, position: Int,
        sampleCount: Int
    ) throws -> Int {
        guard let v = file.int(f) else {
            throw InputError(
                file: file.path, location: "line \(line)",
                expected: "integer sample indices", found: "item \(position) = \"\(file.string(f))\"")
        }
        guard v >= 0 && v < sampleCount else {
            throw InputError(
                file: file.path, location: "line \(line)",
                expected: "sample indices 0…\(sampleCount - 1) (zero-based, N=\(sampleCount))",
                found: "item \(position) = \(v)")
        }
        return v
    }

    static func parseEdges(_ file: InputFile, sampleCount: Int) throws -> [Edge] {
        try file.rejectNUL()
        var edges = Set<Edge>()
        let lines = contentLines(file)
        for (n, line) in lines.enumerated() {
            let fields = try file.csvRow(line)
            if n == 0, let first = fields.first, file.int(first) == nil { continue }  // header
            guard fields.count == 2 else {
                throw InputError(
                    file: file.path, location: "line \(line.number)", expected: "two fields i,j",
                    found: "\(fields.count) fields")
            }
            let i = try index(file, fields[0], line: line.number, position: 1, sampleCount: sampleCount)
            let j = try index(file, fields[1], line: line.number, position: 2, sampleCount: sampleCount)
            guard i != j else {
                throw InputError(
                    file: file.path, location: "line \(line.number)", expected: "an edge between two samples (i ≠ j)",
                    found: "a self-loop \(i),\(j)")
            }
            edges.insert(Edge(i, j))
        }
        guard !edges.isEmpty else {
            throw InputError(
                file: file.path,
                expected: "at least one edge i,j (to declare every sample alone, list each sample on its own line "
                    + "in a neighbors.txt instead of an edges.csv)",
                found: lines.isEmpty ? "an empty file (no edge)" : "only a header (no edge)")
        }
        return edges.sorted()
    }

    static func parseNeighbors(_ file: InputFile, sampleCount: Int) throws -> [Edge] {
        try file.rejectNUL()
        var edges = Set<Edge>()
        var lineOf: [Int: Int] = [:]
        for line in contentLines(file) {
            var fields = try file.csvRow(line)
            if fields.count > 1, let last = fields.last, last.end <= last.start { fields.removeLast() }  // trailing comma
            let i = try index(file, fields[0], line: line.number, position: 1, sampleCount: sampleCount)
            if let previous = lineOf.updateValue(line.number, forKey: i) {
                throw InputError(
                    file: file.path, location: "line \(line.number)",
                    expected: "one line per sample", found: "sample \(i) again (first at line \(previous))")
            }
            for (p, f) in fields.enumerated().dropFirst() {
                let j = try index(file, f, line: line.number, position: p + 1, sampleCount: sampleCount)
                guard j != i else {
                    throw InputError(
                        file: file.path, location: "line \(line.number)",
                        expected: "neighbours other than the sample itself",
                        found: "item \(p + 1) = \(j), the sample of this line (self-loop)")
                }
                edges.insert(Edge(i, j))
            }
        }
        return edges.sorted()
    }
}
