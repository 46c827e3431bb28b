import DRNetEngine
import DRNetIO
import Foundation

/// Writes a `CommunitySolution` as key=value text (see `CommunitySolution` for the keys), in the
/// order of the IAFD files: header, `K`, `BName<k>`, `Params`, `Q`, `B<k>`, `C<i>`, `R<i>_<k>`,
/// `S<i>`, `L`, `L_proportion`. Numbers are written in Swift's shortest round-trip form, so a
/// file reads back to the identical values. The file is written in pieces through
/// `AtomicFile.Writer` (to `<path>.partial`, flushed, renamed over `path` when complete): a reader
/// never sees half a file, and a write error (a full disk) throws `OutputError` naming the file
/// and leaves the previous `path` untouched. A phase name holding `//` (the format's comment
/// marker) or a line break cannot be written: `ConfigurationError`.
public enum CommunitySolutionWriter {
    public static func write(_ s: CommunitySolution, to path: String) throws {
        for name in s.phaseNames ?? [] where name.contains("//") || name.contains(where: \.isNewline) || name.isEmpty {
            throw ConfigurationError(
                "\(path): phase name \"\(name)\" cannot be written to the community format "
                    + "(it must be non-empty, without \"//\", which starts a comment there, and without line breaks)")
        }
        let writer = try AtomicFile.Writer(path: path)
        var buffer = ""
        func flush(force: Bool = false) throws {
            if force || buffer.utf8.count > 1 << 20 {
                try writer.append(Data(buffer.utf8))
                buffer = ""
            }
        }
        func line(_ text: String) throws { buffer += text; buffer += "\n"; try flush() }
        func list<S: Sequence>(_ key: String, _ values: S) throws where S.Element: LosslessStringConvertible {
            buffer += key; buffer += "="
            var first = true
            for v in values {
                if !first { buffer += "," }
                buffer += v.description
                first = false
            }
            buffer += "\n"
            try flush()
        }
        let n = s.sampleCount, k = s.phaseCount, t = s.gridCount
        try line("Description=\(s.description.split(whereSeparator: \.isNewline).joined(separator: " "))")
        if !s.uuid.isEmpty { try line("UUID=\(s.uuid)") }
        try line("Format_Version=1.0")
        try line("")
        try line("// Number of phases")
        try line("K=\(k)")
        if let names = s.phaseNames {
            try line("// Phase names (the candidates' names in the stick library)")
            for (j, name) in names.enumerated() { try line("BName\(j + 1)=\(name)") }
        }
        try line("")
        try line("// List of solution models")
        try line("Params=\(s.params.isEmpty ? defaultParams(s) : s.params)")
        try line("")
        if !s.q.isEmpty {
            try line("// Q values (nm^-1)")
            try list("Q", s.q)
        }
        if let b = s.bases {
            try line("// Phase pattern (basis)")
            for j in 0..<k { try list("B\(j + 1)", b[(j * t)..<((j + 1) * t)]) }
        }
        try line("")
        try line("// Phase concentrations at each sample")
        for i in 0..<n { try list("C\(i + 1)", s.concentrations[(i * k)..<((i + 1) * k)]) }
        if let r = s.contributions {
            try line("")
            try line("// Per-phase model for each sample (instance intensity units)")
            for i in 0..<n {
                for j in 0..<k {
                    let base = (i * k + j) * t
                    try list("R\(i + 1)_\(j + 1)", r[base..<(base + t)])
                }
            }
        }
        if let bg = s.background, bg.count == n * t {
            try line("")
            try line("// Fitted background at each sample (instance intensity units; drnet's extension of the format)")
            for i in 0..<n { try list("BG\(i + 1)", bg[(i * t)..<((i + 1) * t)]) }
        }
        if let sh = s.shifts {
            try line("")
            try line("// Per-phase multiplicative shift for each sample")
            for i in 0..<n { try list("S\(i + 1)", sh[(i * k)..<((i + 1) * k)]) }
        }
        if let l = s.loss {
            try line("")
            try line(
                s.background != nil
                    ? "// Per-sample reconstruction error: mean over Q of |I/max I - (sum_k R + BG)/max I|, and its share of sum I/max I"
                    : "// Per-sample reconstruction error: mean over Q of |I/max I - sum_k R/max I|, and its share of sum I/max I")
            try list("L", l)
            if let p = s.lossProportion { try list("L_proportion", p) }
        }
        try flush(force: true)
        try writer.commit()
    }

    static func defaultParams(_ s: CommunitySolution) -> String {
        var models: [String] = []
        if s.contributions != nil { models.append("[Q,R,C]") }
        if s.bases != nil { models.append(s.shifts != nil ? "[Q,B,C,S]" : "[Q,B,C]") }
        return models.isEmpty ? "[C]" : models.joined(separator: ",")
    }
}
