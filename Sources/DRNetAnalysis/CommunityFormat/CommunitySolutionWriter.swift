import DRNetEngine
import DRNetIO
import Foundation

/// Writes a `CommunitySolution` as key=value text (see `CommunitySolution` for the keys), in the
/// order of the IAFD files: header, `K`, `BName<k>`, `Params`, `Q`, `B<k>`, `C<i>`, `R<i>_<k>`,
/// `S<i>`, `L`, `L_proportion`. Numbers are written in Swift's shortest round-trip form, so a
/// file reads back to the identical values. The file is written to `<path>.partial` in pieces
/// and renamed when complete: a reader never sees half a file.
public enum CommunitySolutionWriter {
    public static func write(_ s: CommunitySolution, to path: String) throws {
        let tmp = path + ".partial"
        guard FileManager.default.createFile(atPath: tmp, contents: nil),
            let handle = FileHandle(forWritingAtPath: tmp)
        else {
            throw ConfigurationError("cannot create \(tmp)")
        }
        var buffer = ""
        func flush(force: Bool = false) {
            if force || buffer.utf8.count > 1 << 20 {
                handle.write(Data(buffer.utf8))
                buffer = ""
            }
        }
        func line(_ text: String) { buffer += text; buffer += "\n"; flush() }
        func list<S: Sequence>(_ key: String, _ values: S) where S.Element: LosslessStringConvertible {
            buffer += key; buffer += "="
            var first = true
            for v in values {
                if !first { buffer += "," }
                buffer += v.description
                first = false
            }
            buffer += "\n"
            flush()
        }
        let n = s.sampleCount, k = s.phaseCount, t = s.gridCount
        line("Description=\(s.description.split(whereSeparator: \.isNewline).joined(separator: " "))")
        if !s.uuid.isEmpty { line("UUID=\(s.uuid)") }
        line("Format_Version=1.0")
        line("")
        line("// Number of phases")
        line("K=\(k)")
        if let names = s.phaseNames {
            line("// Phase names (the candidates' names in the stick library)")
            for (j, name) in names.enumerated() { line("BName\(j + 1)=\(name)") }
        }
        line("")
        line("// List of solution models")
        line("Params=\(s.params.isEmpty ? defaultParams(s) : s.params)")
        line("")
        if !s.q.isEmpty {
            line("// Q values (nm^-1)")
            list("Q", s.q)
        }
        if let b = s.bases {
            line("// Phase pattern (basis)")
            for j in 0..<k { list("B\(j + 1)", b[(j * t)..<((j + 1) * t)]) }
        }
        line("")
        line("// Phase concentrations at each sample")
        for i in 0..<n { list("C\(i + 1)", s.concentrations[(i * k)..<((i + 1) * k)]) }
        if let r = s.contributions {
            line("")
            line("// Per-phase model for each sample (instance intensity units)")
            for i in 0..<n {
                for j in 0..<k {
                    let base = (i * k + j) * t
                    list("R\(i + 1)_\(j + 1)", r[base..<(base + t)])
                }
            }
        }
        if let sh = s.shifts {
            line("")
            line("// Per-phase multiplicative shift for each sample")
            for i in 0..<n { list("S\(i + 1)", sh[(i * k)..<((i + 1) * k)]) }
        }
        if let l = s.loss {
            line("")
            line("// Per-sample reconstruction error: mean over Q of |I/max I - sum_k R/max I|, and its share of sum I/max I")
            list("L", l)
            if let p = s.lossProportion { list("L_proportion", p) }
        }
        flush(force: true)
        handle.closeFile()
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        try FileManager.default.moveItem(atPath: tmp, toPath: path)
    }

    static func defaultParams(_ s: CommunitySolution) -> String {
        var models: [String] = []
        if s.contributions != nil { models.append("[Q,R,C]") }
        if s.bases != nil { models.append(s.shifts != nil ? "[Q,B,C,S]" : "[Q,B,C]") }
        return models.isEmpty ? "[C]" : models.joined(separator: ",")
    }
}
