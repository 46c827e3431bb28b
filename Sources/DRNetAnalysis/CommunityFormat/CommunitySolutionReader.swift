import DRNetEngine
import DRNetIO
import Foundation

/// Reads the community key=value solution format (see `CommunitySolution`).
///
/// Required: `K=` and `C1=`…`CN=` (consecutive, K values each). Optional, each complete when
/// present: `BName1…K`, `Q=` (T values, needed by `B` and `R`), `B1…BK` (T values), `S1…SN`
/// (K values), `R<i>_<k>` for every i ≤ N and k ≤ K (T values), `L=` and `L_proportion=` (N
/// values). `//` comments and blank lines are skipped; unknown keys (`Description`, `UUID`,
/// `Params`, IAFD's `H[*](k,n)`, …) are accepted. Errors name the file, the line and key, what
/// was expected and what was found.
public enum CommunitySolutionReader {
    public static func read(path: String) throws -> CommunitySolution {
        try parse(InputFile(path: path))
    }

    /// Parses text held in memory; `file` names the source in errors.
    public static func parse(_ text: String, file: String) throws -> CommunitySolution {
        try parse(InputFile(path: file, contents: Array(text.utf8)))
    }

    /// Where a key's numbers sit in the file.
    private struct Entry { var line: Int; var start: Int; var end: Int }

    static func parse(_ f: InputFile) throws -> CommunitySolution {
        var k: Int?
        var description = "", uuid = "", params = ""
        var names: [Int: String] = [:]
        var qEntry: Entry?, lEntry: Entry?, lpEntry: Entry?
        var b: [Int: Entry] = [:], c: [Int: Entry] = [:], s: [Int: Entry] = [:], r: [Int: [Int: Entry]] = [:]
        var bg: [Int: Entry] = [:]
        var seen: [String: Int] = [:]

        func index(_ text: Substring) -> Int? { Int(text).flatMap { $0 >= 1 ? $0 : nil } }
        for kv in try f.keyValueLines() {
            let key = kv.key
            let entry = Entry(line: kv.number, start: kv.valueStart, end: kv.valueEnd)
            if key.hasPrefix("H[") { continue }
            if let first = seen[key] {
                throw InputError(
                    file: f.path, location: "line \(kv.number) (key \(key))",
                    expected: "each key once", found: "a second \(key)= (first on line \(first))")
            }
            seen[key] = kv.number
            switch key {
            case "K":
                guard let v = f.parseInt(kv.valueStart, kv.valueEnd), v >= 1 else {
                    throw InputError(
                        file: f.path, location: "line \(kv.number) (key K)", expected: "a positive integer number of phases",
                        found: "\"\(f.string(kv.valueStart, min(kv.valueEnd, kv.valueStart + 40)))\"")
                }
                k = v
            case "Description": description = f.string(kv.valueStart, kv.valueEnd)
            case "UUID": uuid = f.string(kv.valueStart, kv.valueEnd)
            case "Params": params = f.string(kv.valueStart, kv.valueEnd)
            case "Q": qEntry = entry
            case "L": lEntry = entry
            case "L_proportion": lpEntry = entry
            default:
                if key.hasPrefix("BName"), let j = index(key.dropFirst(5)) {
                    names[j] = f.string(kv.valueStart, kv.valueEnd)
                } else if key.hasPrefix("BG"), let i = index(key.dropFirst(2)) {
                    bg[i] = entry
                } else if key.hasPrefix("B"), let j = index(key.dropFirst()) {
                    b[j] = entry
                } else if key.hasPrefix("C"), let i = index(key.dropFirst()) {
                    c[i] = entry
                } else if key.hasPrefix("S"), let i = index(key.dropFirst()) {
                    s[i] = entry
                } else if key.hasPrefix("R"), let us = key.firstIndex(of: "_"),
                    let i = index(key[key.index(after: key.startIndex)..<us]), let j = index(key[key.index(after: us)...])
                {
                    r[i, default: [:]][j] = entry
                }
            // Other keys (Format_Version, …) are accepted and ignored.
            }
        }

        guard let k else {
            throw InputError(file: f.path, location: "key K", expected: "K=<number of phases>", found: "no K= line")
        }
        guard !c.isEmpty else {
            throw InputError(file: f.path, location: "key C1", expected: "phase concentrations C1=…CN=", found: "no C<i>= line")
        }
        let n = c.keys.max()!
        try requireConsecutive(c, upTo: n, prefix: "C", file: f.path)

        func numbers(_ key: String, _ e: Entry, count: Int, what: String) throws -> [Double] {
            var out: [Double] = []
            out.reserveCapacity(count)
            if let bad = f.parseDoubles(e.start, e.end, into: &out) {
                throw InputError(
                    file: f.path, location: "line \(e.line) (key \(key))", expected: "comma-separated numbers",
                    found: "item \(bad.position) \"\(bad.text)\"")
            }
            guard out.count == count else {
                throw InputError(
                    file: f.path, location: "line \(e.line) (key \(key))", expected: "\(count) values (\(what))",
                    found: "\(out.count)")
            }
            if let bad = out.firstIndex(where: { !$0.isFinite }) {
                throw InputError(
                    file: f.path, location: "line \(e.line) (key \(key))", expected: "finite numbers",
                    found: "\(out[bad]) at item \(bad + 1)")
            }
            return out
        }
        func floats(_ key: String, _ e: Entry, count: Int, what: String, into out: inout [Float]) throws {
            let before = out.count
            if let bad = f.parseFloats(e.start, e.end, into: &out) {
                throw InputError(
                    file: f.path, location: "line \(e.line) (key \(key))", expected: "comma-separated numbers",
                    found: "item \(bad.position) \"\(bad.text)\"")
            }
            guard out.count - before == count else {
                throw InputError(
                    file: f.path, location: "line \(e.line) (key \(key))", expected: "\(count) values (\(what))",
                    found: "\(out.count - before)")
            }
            if let bad = out[before...].firstIndex(where: { !$0.isFinite }) {
                throw InputError(
                    file: f.path, location: "line \(e.line) (key \(key))", expected: "finite numbers",
                    found: "\(out[bad]) at item \(bad - before + 1)")
            }
        }

        var concentrations: [Double] = []
        concentrations.reserveCapacity(n * k)
        for i in 1...n {
            let row = try numbers("C\(i)", c[i]!, count: k, what: "K = \(k) concentrations")
            if let neg = row.firstIndex(where: { $0 < 0 }) {
                throw InputError(
                    file: f.path, location: "line \(c[i]!.line) (key C\(i))", expected: "non-negative concentrations",
                    found: "\(row[neg]) for phase \(neg + 1)")
            }
            concentrations += row
        }

        var q: [Float] = []
        if let e = qEntry {
            if let bad = f.parseFloats(e.start, e.end, into: &q) {
                throw InputError(
                    file: f.path, location: "line \(e.line) (key Q)", expected: "comma-separated numbers",
                    found: "item \(bad.position) \"\(bad.text)\"")
            }
            guard !q.isEmpty else {
                throw InputError(file: f.path, location: "line \(e.line) (key Q)", expected: "at least one Q value", found: "none")
            }
        }
        let t = q.count
        func needQ(_ key: String, _ line: Int) throws {
            if t == 0 {
                throw InputError(
                    file: f.path, location: "line \(line) (key \(key))", expected: "a Q= line giving the grid of \(key)",
                    found: "no Q= line")
            }
        }

        var phaseNames: [String]?
        if !names.isEmpty {
            try requireKeys(names.keys, count: k, prefix: "BName", file: f.path, lines: seen)
            phaseNames = (1...k).map { names[$0]! }
        }
        var bases: [Float]?
        if !b.isEmpty {
            try requireKeys(b.keys, count: k, prefix: "B", file: f.path, lines: seen)
            var out: [Float] = []
            out.reserveCapacity(k * t)
            for j in 1...k {
                try needQ("B\(j)", b[j]!.line)
                try floats("B\(j)", b[j]!, count: t, what: "the length of Q", into: &out)
            }
            bases = out
        }
        var shifts: [Double]?
        if !s.isEmpty {
            try requireKeys(s.keys, count: n, prefix: "S", file: f.path, lines: seen)
            var out: [Double] = []
            for i in 1...n { out += try numbers("S\(i)", s[i]!, count: k, what: "K = \(k) shifts") }
            shifts = out
        }
        var contributions: [Float]?
        if !r.isEmpty {
            var out: [Float] = []
            out.reserveCapacity(n * k * t)
            for i in 1...n {
                for j in 1...k {
                    guard let e = r[i]?[j] else {
                        throw InputError(
                            file: f.path, location: "key R\(i)_\(j)",
                            expected: "R<i>_<k> for every sample i ≤ \(n) and phase k ≤ \(k)", found: "no R\(i)_\(j)= line")
                    }
                    try needQ("R\(i)_\(j)", e.line)
                    try floats("R\(i)_\(j)", e, count: t, what: "the length of Q", into: &out)
                }
            }
            if let extra = r.keys.first(where: { $0 > n }) ?? r.values.flatMap(\.keys).first(where: { $0 > k }) {
                throw InputError(file: f.path, location: "key R…", expected: "sample ≤ \(n) and phase ≤ \(k)", found: "index \(extra)")
            }
            contributions = out
        }
        var background: [Float]?
        if !bg.isEmpty {
            try requireKeys(bg.keys, count: n, prefix: "BG", file: f.path, lines: seen)
            var out: [Float] = []
            out.reserveCapacity(n * t)
            for i in 1...n {
                try needQ("BG\(i)", bg[i]!.line)
                try floats("BG\(i)", bg[i]!, count: t, what: "the length of Q", into: &out)
            }
            background = out
        }
        let loss = try lEntry.map { try numbers("L", $0, count: n, what: "one per sample") }
        let lossProportion = try lpEntry.map { try numbers("L_proportion", $0, count: n, what: "one per sample") }
        return CommunitySolution(
            description: description, uuid: uuid, sampleCount: n, phaseCount: k, phaseNames: phaseNames,
            q: q, bases: bases, concentrations: concentrations, shifts: shifts, contributions: contributions,
            loss: loss, lossProportion: lossProportion, params: params, background: background)
    }

    private static func requireConsecutive(_ d: [Int: Entry], upTo n: Int, prefix: String, file: String) throws {
        if let missing = (1...n).first(where: { d[$0] == nil }) {
            throw InputError(
                file: file, location: "key \(prefix)\(missing)", expected: "\(prefix)1…\(prefix)\(n) without gaps",
                found: "no \(prefix)\(missing)= line")
        }
    }

    private static func requireKeys<C: Collection>(_ keys: C, count: Int, prefix: String, file: String, lines: [String: Int]) throws
    where C.Element == Int {
        let have = Set(keys)
        if let missing = (1...count).first(where: { !have.contains($0) }) {
            throw InputError(
                file: file, location: "key \(prefix)\(missing)", expected: "\(prefix)1…\(prefix)\(count)",
                found: "no \(prefix)\(missing)= line")
        }
        if let extra = have.first(where: { $0 > count }) {
            let key = "\(prefix)\(extra)"
            throw InputError(
                file: file, location: "line \(lines[key] ?? 0) (key \(key))", expected: "at most \(count) entries",
                found: "\(key)")
        }
    }
}
