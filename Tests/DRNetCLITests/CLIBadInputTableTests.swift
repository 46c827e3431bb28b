import Foundation
import XCTest

/// One bad input (or fault) given to the built `drnet`, and what the command must do with it.
///
/// `setup` makes the files the case needs in its own temporary folder and returns the `drnet`
/// arguments. Every case then checks: the exit status; each fragment in stderr (for a success:
/// in stdout or stderr) after the placeholders are filled in (`{dir}`: the case's folder,
/// `{lib}`: the fixture library, `{line:KEY}`: the line of `KEY=` in the fixture's instance.txt);
/// for a failure, one `error: …` line (warnings may precede it; a usage error, 64, is followed by
/// the usage text), nothing on stdout, no raw Foundation/Swift error text, and the case's folder
/// exactly as it was before (README: "nothing is created or written before the input is checked";
/// the previous solution and checkpoint are left untouched); `outMustNotExist` (relative to the
/// case's folder, or absolute) absent afterwards; and no `*.partial` file, `.drnet-staging` or
/// `*.importing-*` folder anywhere under the case's folder.
struct BadInputCase {
    var name: String
    var setup: (CaseContext) throws -> [String]
    var status: Int32
    var fragments: [String]
    var outMustNotExist: String?
    /// Extra environment variables of the run (the caller's DRNET_* variables are removed).
    var environment: [String: String] = [:]
    /// `ulimit -f` for the run (in the shell's blocks): no file may grow past it (EFBIG, like a full disk).
    var fileSizeLimit: Int?
    /// Why the case cannot run here (it is then reported on stdout and not run).
    var skipReason: String?

    init(
        _ name: String, status: Int32, _ fragments: [String], outMustNotExist: String? = nil, environment: [String: String] = [:],
        fileSizeLimit: Int? = nil, skipReason: String? = nil, setup: @escaping (CaseContext) throws -> [String]
    ) {
        self.name = name
        self.setup = setup
        self.status = status
        self.fragments = fragments
        self.outMustNotExist = outMustNotExist
        self.environment = environment
        self.fileSizeLimit = fileSizeLimit
        self.skipReason = skipReason
    }

    /// A `drnet solve … --out {dir}/out` case: a failure must leave no `out` folder behind.
    static func solve(
        _ name: String, status: Int32, _ fragments: [String], environment: [String: String] = [:], skipReason: String? = nil,
        setup: @escaping (CaseContext) throws -> [String]
    ) -> BadInputCase {
        BadInputCase(
            name, status: status, fragments, outMustNotExist: status == 0 ? nil : "out", environment: environment, skipReason: skipReason,
            setup: setup)
    }
}

/// Edits a text file line by line (the lines of `text.components(separatedBy: "\n")`).
typealias LineEdit = ([String]) -> [String]

/// What a case's `setup` works with: its own folder, the class's library and the shared runs.
struct CaseContext {
    let folder: TemporaryFolder
    let fixture: CLILibrary
    let finishedRun: () throws -> String
    let interruptedRun: () throws -> String

    /// The case's folder (also the working directory of the run).
    var dir: String { folder.url.path }
    /// `{dir}/out`: the output folder of the solve cases.
    var out: String { folder.path("out") }

    func path(_ name: String) -> String { folder.path(name) }

    /// Writes `text` to `{dir}/name` and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try write(name, bytes: Data(text.utf8))
    }

    /// Writes `bytes` to `{dir}/name` (making its folder) and returns its path.
    @discardableResult
    func write(_ name: String, bytes: Data) throws -> String {
        let url = folder.url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try bytes.write(to: url)
        return url.path
    }

    /// Makes the folder `{dir}/name` and returns its path.
    @discardableResult
    func makeFolder(_ name: String) throws -> String {
        try FileManager.default.createDirectory(atPath: path(name), withIntermediateDirectories: true)
        return path(name)
    }

    /// A copy of the fixture library in `{dir}/name` with its files edited: `edits` by file name
    /// (line by line), `instanceBytes` on the bytes of instance.txt, `files` added or replaced,
    /// `removing` deleted. Returns its path.
    func library(
        _ edits: [String: LineEdit] = [:], name: String = "lib", instanceBytes: ((Data) -> Data)? = nil, files: [String: String] = [:],
        removing: [String] = []
    ) throws -> String {
        let copy = path(name)
        try FileManager.default.copyItem(atPath: fixture.library, toPath: copy)
        for (file, edit) in edits {
            let url = URL(fileURLWithPath: copy).appendingPathComponent(file)
            let lines = try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n")
            try Data(edit(lines).joined(separator: "\n").utf8).write(to: url)
        }
        if let instanceBytes {
            let url = URL(fileURLWithPath: copy).appendingPathComponent("instance.txt")
            try instanceBytes(try Data(contentsOf: url)).write(to: url)
        }
        for name in removing { try FileManager.default.removeItem(atPath: copy + "/" + name) }
        for (file, text) in files { try Data(text.utf8).write(to: URL(fileURLWithPath: copy + "/" + file)) }
        return copy
    }

    /// `drnet solve <library> --config <short> --out {dir}/out --quiet --no-plots --device cpu` plus `extra`.
    func solve(_ library: String? = nil, config: String? = nil, out: String? = nil, device: String? = "cpu", _ extra: [String] = [])
        -> [String]
    {
        ["solve", library ?? fixture.library, "--config", config ?? fixture.shortConfig, "--out", out ?? self.out, "--quiet", "--no-plots"]
            + (device.map { ["--device", $0] } ?? []) + extra
    }

    /// A copy of the shared finished run (a solution, no checkpoint) in `{dir}/name`.
    @discardableResult
    func copyOfFinishedRun(_ name: String = "out") throws -> String {
        try FileManager.default.copyItem(atPath: try finishedRun(), toPath: path(name))
        return path(name)
    }

    /// A copy of the shared interrupted run (a checkpoint and an unfinished solution) in `{dir}/name`.
    @discardableResult
    func copyOfInterruptedRun(_ name: String = "out") throws -> String {
        try FileManager.default.copyItem(atPath: try interruptedRun(), toPath: path(name))
        return path(name)
    }

    /// `{dir}/scans` holding s1.xy, s2.xy, s3.xy (2θ scans with a peak at 30, 31, 32°), each
    /// replaced by the entry of `files` with the same name before the extension.
    func scans(_ files: [String: String] = [:]) throws -> String {
        var all = [
            "s1.xy": BadInputTables.scan(centre: 30), "s2.xy": BadInputTables.scan(centre: 31), "s3.xy": BadInputTables.scan(centre: 32)
        ]
        func stem(_ name: String) -> String { String(name.split(separator: ".").first ?? "") }
        for (name, text) in files {
            all = all.filter { stem($0.key) != stem(name) }
            all[name] = text
        }
        let dir = try makeFolder("scans")
        for (name, text) in all { try write("scans/" + name, text) }
        return dir
    }

    /// `drnet import <scans> [--compositions {dir}/comp.csv] --out {dir}/lib` plus `extra`.
    func importScans(_ scans: String, compositions: String? = BadInputTables.compositions, _ extra: [String] = []) throws -> [String] {
        var arguments = ["import", scans, "--out", path("lib")]
        if let compositions { arguments += ["--compositions", try write("comp.csv", compositions)] }
        return arguments + extra
    }
}

/// Line edits of the library files.
enum Edit {
    /// Replaces every line starting with `prefix`.
    static func line(_ prefix: String, _ change: @escaping (String) -> String) -> LineEdit {
        { lines in lines.map { $0.hasPrefix(prefix) ? change($0) : $0 } }
    }

    /// Removes every line starting with `prefix`.
    static func drop(_ prefix: String) -> LineEdit {
        { lines in lines.filter { !$0.hasPrefix(prefix) } }
    }

    /// Changes the comma-separated values of the `key=` line.
    static func values(_ key: String, _ change: @escaping ([String]) -> [String]) -> LineEdit {
        line(key + "=") { line in
            key + "="
                + change(line.dropFirst(key.count + 1).split(separator: ",", omittingEmptySubsequences: false).map(String.init))
                .joined(separator: ",")
        }
    }

    /// Sets value `index` of the `key=` line.
    static func value(_ key: String, _ index: Int, _ new: String) -> LineEdit {
        values(key) { v in v.enumerated().map { $0.offset == index ? new : $0.element } }
    }

    /// Swaps values `i` and `j` of the `key=` line.
    static func swapping(_ key: String, _ i: Int, _ j: Int) -> LineEdit {
        values(key) { v in v.enumerated().map { $0.offset == i ? v[j] : $0.offset == j ? v[i] : $0.element } }
    }

    /// Sets field `column` (named by the header line) of data row `row` (1 = the first after the header).
    static func csvField(row: Int, _ column: String, _ value: String) -> LineEdit {
        { lines in
            var lines = lines
            let header = lines[0].split(separator: ",").map(String.init)
            guard let c = header.firstIndex(of: column) else { return lines }
            var fields = lines[row].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            fields[c] = value
            lines[row] = fields.joined(separator: ",")
            return lines
        }
    }

    /// Changes the fields of every data row (rows after the header that are not empty).
    static func csvRows(_ change: @escaping ([String]) -> [String]) -> LineEdit {
        { lines in
            [lines[0]]
                + lines.dropFirst().map { line in
                    line.isEmpty
                        ? line
                        : change(line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)).joined(separator: ",")
                }
        }
    }

    /// Removes the column named `column` (by the header line) from every line.
    static func dropColumn(_ column: String) -> LineEdit {
        { lines in
            guard let c = lines[0].split(separator: ",").firstIndex(where: { $0 == column }) else { return lines }
            return lines.map { line in
                var fields = line.split(separator: ",", omittingEmptySubsequences: false)
                if c < fields.count { fields.remove(at: c) }
                return fields.joined(separator: ",")
            }
        }
    }

    /// Replaces text in every line.
    static func replacing(_ text: String, with replacement: String) -> LineEdit {
        { lines in lines.map { $0.replacingOccurrences(of: text, with: replacement) } }
    }
}

/// The table: every bad input and fault, by class.
enum BadInputTables {
    static let isRoot = getuid() == 0
    static let rootSkip: String? =
        isRoot ? "running as root, which ignores file permissions (the /proc cases stand in for it)" : nil
    static let procSkip: String? =
        !isRoot
        ? "needs root: /proc is a folder root can pass access(W_OK) on but create nothing in"
        : !FileManager.default.fileExists(
            atPath: "/proc/self") ? "no /proc here" : nil

    /// The compositions CSV of the import cases.
    static let compositions = "file,Al,Fe\ns1,1,0\ns2,0,1\ns3,1,1\n"
    static let scanHeader = "# Unit: 2th_deg\n# Wavelength: 1.5406e-10\n"
    static let grid = (0...400).map { 20 + 0.1 * Double($0) }

    /// A two-column 2θ scan with a Gaussian peak at `centre`; `intensity` may replace the
    /// intensity text of point k.
    static func scan(centre: Double, header: String = scanHeader, x: [Double] = grid, intensity: ((Int) -> String?)? = nil) -> String {
        var text = header
        for (k, x) in x.enumerated() {
            let y = intensity?(k) ?? String(format: "%.4f", 5 + 100 * exp(-(x - centre) * (x - centre) / 0.1))
            text += String(format: "%.2f ", x) + y + "\n"
        }
        return text
    }

    /// A NumPy .npy file (format 1.0) of Float64 values.
    static func npy(shape: [Int], values: [Double], descr: String = "<f8", fortranOrder: Bool = false) -> Data {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': \(shapeText), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        for v in values {
            let bits = descr.hasPrefix(">") ? v.bitPattern.bigEndian : v.bitPattern.littleEndian
            withUnsafeBytes(of: bits) { data.append(contentsOf: $0) }
        }
        return data
    }

    static let samples = CLILibrary.sampleCount  // 28
    static let phases = 7

    /// An N×P mask CSV of ones, with `change` applied to the rows.
    static func mask(rows: Int = samples, columns: Int = phases, _ change: (inout [[String]]) -> Void = { _ in }) -> String {
        var m = [[String]](repeating: [String](repeating: "1", count: columns), count: rows)
        change(&m)
        return m.map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    /// One degree of freedom per line: `first`, then 2 for the other samples (`count` lines in all).
    static func degrees(_ first: String, count: Int = samples) -> String {
        ([first] + [String](repeating: "2", count: count - 1)).joined(separator: "\n") + "\n"
    }

    /// Body-centred cubic Fe: (h k l) with h+k+l odd is absent; (100) lies at Q = 21.92 nm⁻¹, (110) at 31.00.
    static let bccIron = """
        data_bccFe
        _cell_length_a 2.8665
        _cell_length_b 2.8665
        _cell_length_c 2.8665
        _cell_angle_alpha 90
        _cell_angle_beta 90
        _cell_angle_gamma 90
        _chemical_formula_sum 'Fe'
        loop_
        _space_group_symop_operation_xyz
        'x, y, z'
        'x+1/2, y+1/2, z+1/2'
        loop_
        _atom_site_label
        _atom_site_type_symbol
        _atom_site_fract_x
        _atom_site_fract_y
        _atom_site_fract_z
        Fe1 Fe 0 0 0

        """

    /// bccIron without its symmetry loop, optionally with a space-group name instead.
    static func bccIronWithoutOperations(spaceGroup: String? = nil) -> String {
        let withoutLoop = bccIron.replacingOccurrences(
            of: "loop_\n_space_group_symop_operation_xyz\n'x, y, z'\n'x+1/2, y+1/2, z+1/2'\n", with: "")
        guard let spaceGroup else { return withoutLoop }
        return withoutLoop.replacingOccurrences(
            of: "_chemical_formula_sum 'Fe'\n", with: "_chemical_formula_sum 'Fe'\n_symmetry_space_group_name_H-M '\(spaceGroup)'\n")
    }

    /// The bytes of `data` with `text` replaced (first occurrence).
    static func replacingFirst(_ text: String, with replacement: [UInt8], in data: Data) -> Data {
        var bytes = [UInt8](data)
        let needle = Array(text.utf8)
        guard let at = (0...(bytes.count - needle.count)).first(where: { Array(bytes[$0..<($0 + needle.count)]) == needle }) else {
            return data
        }
        bytes.replaceSubrange(at..<(at + needle.count), with: replacement)
        return Data(bytes)
    }

    // MARK: instance.txt

    static var instanceTextCases: [BadInputCase] {
        let file = "error: {dir}/lib/instance.txt"
        return [
            .solve("instance: missing Q", status: 2, ["\(file), key Q: expected a Q= line, found no Q= line (missing key)"]) { c in
                c.solve(try c.library(["instance.txt": Edit.drop("Q=")]))
            },
            .solve(
                "instance: Q not increasing", status: 2,
                ["\(file), key Q: expected a strictly increasing Q grid, found Q[6] = 15.5 after Q[5] = 15.6"]
            ) { c in
                c.solve(try c.library(["instance.txt": Edit.swapping("Q", 5, 6)]))
            },
            .solve("instance: Q with NaN", status: 2, ["\(file), key Q: expected finite Q values, found Q[1] = nan"]) { c in
                c.solve(try c.library(["instance.txt": Edit.value("Q", 1, "nan")]))
            },
            .solve("instance: Q with an infinite value", status: 2, ["\(file), key Q: expected finite Q values, found Q[500] = inf"]) { c in
                c.solve(try c.library(["instance.txt": Edit.value("Q", 500, "1e999")]))
            },
            .solve(
                "instance: pattern with too few values", status: 2,
                ["\(file), line {line:I3}, key I3: expected 501 values (the length of Q, line {line:Q}), found 500 values"]
            ) { c in
                c.solve(try c.library(["instance.txt": Edit.values("I3") { Array($0.dropLast()) }]))
            },
            .solve(
                "instance: pattern with too many values", status: 2,
                ["\(file), line {line:I3}, key I3: expected 501 values (the length of Q, line {line:Q}), found 502 values"]
            ) { c in
                c.solve(try c.library(["instance.txt": Edit.values("I3") { $0 + ["0.5"] }]))
            },
            .solve(
                "instance: non-numeric item", status: 2,
                ["\(file), line {line:I3}, key I3: expected comma-separated numbers, found non-numeric item 2: \"oops\""]
            ) { c in
                c.solve(try c.library(["instance.txt": Edit.value("I3", 1, "oops")]))
            },
            .solve(
                "instance: negative intensity", status: 2,
                ["\(file), key I3 (sample 2): expected non-negative intensities, found -0.5 at Q index 0"]
            ) { c in
                c.solve(try c.library(["instance.txt": Edit.value("I3", 0, "-0.5")]))
            },
            .solve(
                "instance: infinite intensity", status: 2,
                ["\(file), key I3 (sample 2): expected finite intensities, found inf at Q index 0"]
            ) { c in
                c.solve(try c.library(["instance.txt": Edit.value("I3", 0, "1e999")]))
            },
            .solve(
                "instance: all-zero pattern", status: 2,
                ["\(file), key I3 (sample 2): expected a pattern with a positive maximum, found an all-zero pattern"]
            ) { c in
                c.solve(try c.library(["instance.txt": Edit.values("I3") { $0.map { _ in "0" } }]))
            },
            .solve(
                "instance: subnormal pattern (×1e-42)", status: 2,
                ["\(file), key I3 (sample 2): expected a pattern whose maximum is a normal positive Float", "a subnormal number"]
            ) { c in
                c.solve(try c.library(["instance.txt": Edit.values("I3") { $0.map { String(Double($0)! * 1e-42) } }]))
            },
            .solve("instance: N=abc", status: 2, ["\(file), line {line:N}, key N: expected a positive integer, found \"abc\""]) { c in
                c.solve(try c.library(["instance.txt": Edit.line("N=") { _ in "N=abc" }]))
            },
            .solve(
                "instance: N=99999999999999", status: 2,
                ["\(file), line {line:N}, key N: expected N equal to the number of pattern lines (28: I1…I28), found N=99999999999999"]
            ) { c in
                c.solve(try c.library(["instance.txt": Edit.line("N=") { _ in "N=99999999999999" }]))
            },
            .solve(
                "instance: N larger than the I-lines present", status: 2,
                [
                    "\(file), line {line:N}, key N: expected N equal to the number of pattern lines (28: I1…I28)",
                    "found N=30, but 28 pattern lines"
                ]
            ) { c in
                c.solve(try c.library(["instance.txt": Edit.line("N=") { _ in "N=30" }]))
            },
            .solve("instance: missing I3", status: 2, ["\(file), key I3: expected patterns I1…I28", "found no I3= line"]) { c in
                c.solve(try c.library(["instance.txt": Edit.drop("I3=")]))
            },
            .solve("instance: duplicate key", status: 2, ["key I3: expected each key once, found a duplicate of line {line:I3}"]) { c in
                c.solve(
                    try c.library([
                        "instance.txt": { lines in
                            let i = lines.firstIndex { $0.hasPrefix("I3=") }!
                            var lines = lines
                            lines.insert(lines[i], at: i + 1)
                            return lines
                        }
                    ]))
            },
            .solve(
                "instance: composition not summing to 1", status: 2,
                ["\(file), sample 0: expected cation fractions summing to 1 (±0.001), found sum 1.5"]
            ) { c in
                c.solve(try c.library(["instance.txt": Edit.value("CMg", 0, "0.5")]))
            },
            .solve(
                "instance: composition row too short", status: 2,
                ["\(file), line {line:CAl}, key CAl: expected 28 values (N=28, line {line:N}), found 27 values"]
            ) { c in
                c.solve(try c.library(["instance.txt": Edit.values("CAl") { Array($0.dropLast()) }]))
            },
            .solve(
                "instance: M not the number of elements", status: 2,
                ["\(file), line {line:M}, key M: expected M equal to the number of Elements (3 at line {line:Elements}), found M=4"]
            ) { c in
                c.solve(try c.library(["instance.txt": Edit.line("M=") { _ in "M=4" }]))
            },
            .solve(
                "instance: a line without '='", status: 2,
                ["\(file), line 4: expected KEY=value, found \"garbage line\" (no '=')"]
            ) { c in
                c.solve(try c.library(["instance.txt": { lines in Array(lines[..<3]) + ["garbage line"] + lines[3...] }]))
            },
            .solve("instance: UTF-8 byte-order mark (works)", status: 0, ["solution written to {dir}/out/"]) { c in
                c.solve(try c.library(instanceBytes: { Data([0xEF, 0xBB, 0xBF]) + $0 }))
            },
            .solve("instance: CR-only line ends (works)", status: 0, ["solution written to {dir}/out/"]) { c in
                c.solve(try c.library(instanceBytes: { Data($0.map { $0 == 0x0A ? 0x0D : $0 }) }))
            },
            .solve(
                "instance: NUL byte inside a number", status: 2,
                ["\(file), line {line:I3}, column ", "expected text without NUL bytes, found a NUL byte (\\0) in \"I3="]
            ) { c in
                c.solve(try c.library(instanceBytes: { replacingFirst("\nI3=0,", with: Array("\nI3=0\0,".utf8), in: $0) }))
            },
            .solve("instance: empty file", status: 2, ["\(file), key M: ", "(missing key)"]) { c in
                c.solve(try c.library(instanceBytes: { _ in Data() }))
            },
            .solve("instance: a folder", status: 2, ["\(file): expected a file, found a directory"]) { c in
                let lib = try c.library(removing: ["instance.txt"])
                try FileManager.default.createDirectory(atPath: lib + "/instance.txt", withIntermediateDirectories: false)
                return c.solve(lib)
            }
        ]
    }

    // MARK: sticks.csv

    static var sticksCases: [BadInputCase] {
        let file = "error: {dir}/lib/sticks.csv"
        return [
            .solve(
                "sticks: missing column q", status: 2,
                ["\(file), line 1 (header), column q: expected columns phase,name,q,intensity, found no column q"]
            ) { c in
                c.solve(try c.library(["sticks.csv": Edit.dropColumn("q")]))
            },
            .solve(
                "sticks: empty phase name", status: 2, ["\(file), line 2, column name: expected a phase name, found an empty phase name"]
            ) { c in
                c.solve(try c.library(["sticks.csv": Edit.csvField(row: 1, "name", "")]))
            },
            .solve(
                "sticks: phase name with //", status: 2,
                ["\(file), line 2, column name: expected a phase name without \"//\"", "found \"MgO//periclase\""]
            ) { c in
                c.solve(
                    try c.library([
                        "sticks.csv": Edit.replacing("MgO-periclase", with: "MgO//periclase"),
                        "phase-compositions.csv": Edit.replacing("MgO-periclase", with: "MgO//periclase")
                    ]))
            },
            .solve(
                "sticks: phase index 99999999999999", status: 2,
                ["\(file), line 2, column phase: expected a phase index below ", "found 99999999999999"]
            ) { c in
                c.solve(try c.library(["sticks.csv": Edit.csvField(row: 1, "phase", "99999999999999")]))
            },
            .solve(
                "sticks: negative q", status: 2,
                ["\(file), line 2, column q: expected a positive finite q in nm⁻¹", "found \"-25.8\""]
            ) { c in
                c.solve(try c.library(["sticks.csv": Edit.csvField(row: 1, "q", "-25.8")]))
            },
            .solve(
                "sticks: NaN intensity", status: 2,
                ["\(file), line 2, column intensity: expected a finite non-negative intensity", "found \"nan\""]
            ) { c in
                c.solve(try c.library(["sticks.csv": Edit.csvField(row: 1, "intensity", "nan")]))
            },
            .solve(
                "sticks: all-zero intensities for a phase", status: 2,
                ["\(file), line 2, phase 0 (MgO-periclase): expected at least one positive intensity, found all-zero intensities"]
            ) { c in
                c.solve(try c.library(["sticks.csv": Edit.csvRows { $0[0] == "0" ? Array($0[..<3]) + ["0"] + $0[4...] : $0 }]))
            },
            .solve(
                "sticks: unterminated quote", status: 2,
                ["\(file), line 2, column name: expected a closing double quote for the field's opening quote, found an unterminated quote"]
            ) { c in
                c.solve(try c.library(["sticks.csv": Edit.csvField(row: 1, "name", "\"MgO-periclase")]))
            },
            .solve(
                "sticks: text after a closing quote (\"18.05\"9)", status: 2,
                ["\(file), line 2, column q: expected a comma or the end of the line after the closing quote, found \"18.05\"9"]
            ) { c in
                c.solve(try c.library(["sticks.csv": Edit.csvField(row: 1, "q", "\"18.05\"9")]))
            },
            .solve(
                "sticks: all sticks outside the Q grid (q/10)", status: 2,
                ["error: no candidate phase has a stick inside the Q grid (15…65 nm⁻¹)", "1 Å⁻¹ = 10 nm⁻¹"]
            ) { c in
                c.solve(try c.library(["sticks.csv": Edit.csvRows { Array($0[..<2]) + [String(Double($0[2])! / 10)] + $0[3...] }]))
            },
            .solve("sticks: row with too few fields", status: 2, ["\(file), line 2: expected 9 fields, found 3 fields"]) { c in
                c.solve(try c.library(["sticks.csv": { lines in [lines[0], "0,MgO-periclase,25.84251"] + lines[2...] }]))
            },
            .solve("sticks: UTF-16 text", status: 2, ["\(file), line 1", "this file looks like UTF-16: save it as UTF-8"]) { c in
                let lib = try c.library()
                let text = try String(contentsOfFile: lib + "/sticks.csv", encoding: .utf8)
                try text.data(using: .utf16)!.write(to: URL(fileURLWithPath: lib + "/sticks.csv"))
                return c.solve(lib)
            },
            .solve(
                "sticks: no stick file", status: 2,
                ["error: {dir}/lib: expected a stick library sticks.csv or sticks.txt, found neither file in the folder"]
            ) { c in
                c.solve(try c.library(removing: ["sticks.csv"]))
            }
        ]
    }

    // MARK: phase-compositions.csv

    static var phaseCompositionCases: [BadInputCase] {
        let file = "error: {dir}/lib/phase-compositions.csv"
        return [
            .solve(
                "phase compositions: unknown phase name", status: 2,
                ["\(file), line 2, column name: expected \"MgO-periclase\", the stick library's name of phase 0, found \"MgO-nope\""]
            ) { c in
                c.solve(try c.library(["phase-compositions.csv": Edit.csvField(row: 1, "name", "MgO-nope")]))
            },
            .solve("phase compositions: wrong column count", status: 2, ["\(file), line 2: expected 5 fields, found 4 fields"]) { c in
                c.solve(
                    try c.library(["phase-compositions.csv": { lines in [lines[0], "0,MgO-periclase,1.000000,0.000000"] + lines[2...] }]))
            },
            .solve(
                "phase compositions: fraction > 1", status: 2,
                ["\(file), phase 0, column Mg: expected a cation fraction in [0, 1], found 1.5"]
            ) { c in
                c.solve(try c.library(["phase-compositions.csv": Edit.csvField(row: 1, "Mg", "1.5")]))
            }
        ]
    }

    // MARK: --sample-mask (CSV)

    static var maskCases: [BadInputCase] {
        let file = "error: {dir}/mask.csv"
        func masked(_ c: CaseContext, _ text: String) throws -> [String] {
            c.solve(nil, ["--sample-mask", try c.write("mask.csv", text)])
        }
        return [
            .solve(
                "mask: value 2", status: 2,
                ["\(file), line 4, column 3: expected 0 or 1 (1 = phase allowed at the sample), found 2"]
            ) { c in
                try masked(c, mask { $0[3][2] = "2" })
            },
            .solve(
                "mask: value -1", status: 2,
                ["\(file), line 4, column 3: expected 0 or 1 (1 = phase allowed at the sample), found -1"]
            ) { c in
                try masked(c, mask { $0[3][2] = "-1" })
            },
            .solve(
                "mask: value 0.5", status: 2, ["\(file), line 4, column 3: expected 0 or 1 (1 = phase allowed at the sample), found 0.5"]
            ) { c in
                try masked(c, mask { $0[3][2] = "0.5" })
            },
            .solve(
                "mask: wrong number of columns", status: 2,
                ["\(file), line 1: expected an N×P mask of 28×7 (7 values per row), found 6 values"]
            ) { c in
                try masked(c, mask(columns: 6))
            },
            .solve("mask: wrong number of rows", status: 2, ["\(file), rows: expected an N×P mask of 28×7 (28 rows), found 27 rows"]) { c in
                try masked(c, mask(rows: 27))
            },
            .solve(
                "mask: all-zero row (no allowed candidate)", status: 2, ["error: sample 5 has no allowed candidate phase", "{dir}/mask.csv"]
            ) { c in
                try masked(c, mask { $0[5] = $0[5].map { _ in "0" } })
            },
            .solve("mask: empty file", status: 2, ["\(file), rows: expected an N×P mask of 28×7 (28 rows), found 0 rows"]) { c in
                try masked(c, "")
            },
            .solve("mask: missing file", status: 2, ["\(file): expected an existing file, found no such file"]) { c in
                c.solve(nil, ["--sample-mask", c.path("mask.csv")])
            },
            .solve("mask: a folder", status: 2, ["\(file): expected a file, found a directory"]) { c in
                c.solve(nil, ["--sample-mask", try c.makeFolder("mask.csv")])
            }
        ]
    }

    // MARK: .npy masks and degrees of freedom

    static var npyCases: [BadInputCase] {
        let file = "error: {dir}/mask.npy"
        let ones = [Double](repeating: 1, count: samples * phases)
        func masked(_ c: CaseContext, _ data: Data) throws -> [String] {
            c.solve(nil, ["--sample-mask", try c.write("mask.npy", bytes: data)])
        }
        return [
            .solve("npy: a C-order <f8 mask (works)", status: 0, ["solution written to {dir}/out/"]) { c in
                try masked(c, npy(shape: [samples, phases], values: ones))
            },
            .solve(
                "npy: trailing bytes", status: 2,
                ["\(file), data: expected 1568 data bytes for shape (28, 7) of <f8, found 1576 bytes (8 bytes after the array data)"]
            ) { c in
                try masked(c, npy(shape: [samples, phases], values: ones) + Data(count: 8))
            },
            .solve(
                "npy: truncated", status: 2,
                ["\(file), data: expected 1568 data bytes for shape (28, 7) of <f8, found 1560 bytes (the file is truncated)"]
            ) { c in
                try masked(c, npy(shape: [samples, phases], values: ones).dropLast(8))
            },
            .solve(
                "npy: big-endian", status: 2,
                ["\(file), header descr: expected little-endian data", "found big-endian dtype >f8"]
            ) { c in
                try masked(c, npy(shape: [samples, phases], values: ones, descr: ">f8"))
            },
            .solve(
                "npy: Fortran order", status: 2,
                ["\(file), header fortran_order: expected a C-order array", "found fortran_order True"]
            ) { c in
                try masked(c, npy(shape: [samples, phases], values: ones, fortranOrder: true))
            },
            .solve(
                "npy: wrong shape", status: 2,
                ["\(file), shape: expected an N×P mask of 28×7 (samples × candidate phases), found 28×6"]
            ) { c in
                try masked(c, npy(shape: [samples, 6], values: [Double](repeating: 1, count: samples * 6)))
            },
            .solve(
                "npy: mask value 2", status: 2,
                ["\(file), index 0 (row 0, column 0): expected 0 or 1 (1 = phase allowed at the sample), found 2"]
            ) { c in
                try masked(c, npy(shape: [samples, phases], values: [2] + ones.dropFirst()))
            },
            .solve(
                "npy: non-integer degree of freedom", status: 2,
                ["error: {dir}/dof.npy, index 0: expected an integer degree of freedom (sample 0), found 2.5"]
            ) { c in
                let dof = [2.5] + [Double](repeating: 2, count: samples - 1)
                return c.solve(nil, ["--degrees-of-freedom", try c.write("dof.npy", bytes: npy(shape: [samples], values: dof))])
            }
        ]
    }

    // MARK: --degrees-of-freedom

    static var degreesOfFreedomCases: [BadInputCase] {
        let file = "error: {dir}/dof.txt"
        func dof(_ c: CaseContext, _ text: String) throws -> [String] {
            c.solve(nil, ["--degrees-of-freedom", try c.write("dof.txt", text)])
        }
        return [
            .solve("dof: 0", status: 2, ["\(file), sample 0: expected a degree of freedom in 1…M = 1…3, found 0"]) { c in
                try dof(c, degrees("0"))
            },
            .solve("dof: negative", status: 2, ["\(file), sample 0: expected a degree of freedom in 1…M = 1…3, found -1"]) { c in
                try dof(c, degrees("-1"))
            },
            .solve("dof: larger than M", status: 2, ["\(file), sample 0: expected a degree of freedom in 1…M = 1…3, found 7"]) { c in
                try dof(c, degrees("7"))
            },
            .solve("dof: wrong count", status: 2, ["\(file), lines: expected 28 values, one per sample, found 27 values"]) { c in
                try dof(c, degrees("2", count: 27))
            },
            .solve("dof: non-integer", status: 2, ["\(file), line 1: expected an integer degree of freedom (sample 0), found 2.5"]) { c in
                try dof(c, degrees("2.5"))
            },
            .solve("dof: missing file", status: 2, ["\(file): expected an existing file, found no such file"]) { c in
                c.solve(nil, ["--degrees-of-freedom", c.path("dof.txt")])
            }
        ]
    }

    // MARK: edges.csv, neighbors.txt

    static var graphCases: [BadInputCase] {
        let edges = "error: {dir}/lib/edges.csv"
        func graph(_ c: CaseContext, _ name: String, _ text: String) throws -> [String] {
            c.solve(try c.library(files: [name: text]))
        }
        return [
            .solve("edges: header only", status: 2, ["\(edges): expected at least one edge i,j", "found only a header (no edge)"]) { c in
                try graph(c, "edges.csv", "i,j\n")
            },
            .solve("edges: empty file", status: 2, ["\(edges): expected at least one edge i,j", "found an empty file (no edge)"]) { c in
                try graph(c, "edges.csv", "")
            },
            .solve(
                "edges: index out of range", status: 2,
                ["\(edges), line 3: expected sample indices 0…27 (zero-based, N=28), found item 2 = 28"]
            ) { c in
                try graph(c, "edges.csv", "i,j\n0,1\n1,28\n")
            },
            .solve(
                "edges: negative index", status: 2, ["\(edges), line 2: expected sample indices 0…27 (zero-based, N=28), found item 2 = -1"]
            ) { c in
                try graph(c, "edges.csv", "i,j\n0,-1\n")
            },
            .solve(
                "edges: self-loop", status: 2,
                ["\(edges), line 3: expected an edge between two samples (i ≠ j), found a self-loop 2,2"]
            ) { c in
                try graph(c, "edges.csv", "i,j\n0,1\n2,2\n")
            },
            .solve("edges: non-integer", status: 2, ["\(edges), line 3: expected integer sample indices, found item 2 = \"x\""]) { c in
                try graph(c, "edges.csv", "i,j\n0,1\n1,x\n")
            },
            .solve("edges: three fields", status: 2, ["\(edges), line 2: expected two fields i,j, found 3 fields"]) { c in
                try graph(c, "edges.csv", "i,j\n0,1,2\n")
            },
            .solve("edges: a folder", status: 2, ["\(edges): expected a file, found a directory"]) { c in
                let lib = try c.library()
                try FileManager.default.createDirectory(atPath: lib + "/edges.csv", withIntermediateDirectories: false)
                return c.solve(lib)
            },
            .solve(
                "neighbors: a sample on two lines", status: 2,
                ["error: {dir}/lib/neighbors.txt, line 2: expected one line per sample, found sample 0 again (first at line 1)"]
            ) { c in
                try graph(c, "neighbors.txt", "0,1\n0,2\n")
            },
            .solve("neighbors: each sample alone (works)", status: 0, ["solution written to {dir}/out/"]) { c in
                try graph(c, "neighbors.txt", (0..<samples).map { "\($0)\n" }.joined())
            }
        ]
    }

    // MARK: --config

    static var configCases: [BadInputCase] {
        let file = "error: {dir}/settings.json"
        func configured(_ c: CaseContext, _ text: String) throws -> [String] {
            c.solve(nil, config: try c.write("settings.json", text))
        }
        func invalid(_ name: String, _ json: String, _ message: String) -> BadInputCase {
            .solve("config: " + name, status: 2, ["\(file): expected valid settings, found invalid option: " + message]) { c in
                try configured(c, json)
            }
        }
        return [
            .solve("config: syntax error (line and column)", status: 2, ["\(file), line 3, column 3: expected valid JSON"]) { c in
                try configured(c, "{\n  \"maxSteps\": 60\n  \"pretrainSteps\": 20\n}\n")
            },
            .solve("config: truncated", status: 2, ["\(file), line 1, column 17: expected valid JSON, found Unexpected end of file"]) { c in
                try configured(c, #"{"maxSteps": 60,"#)
            },
            .solve(
                "config: duplicate key", status: 2,
                ["\(file), line 1, key maxSteps: expected each setting once, found \"maxSteps\" given twice"]
            ) { c in
                try configured(c, #"{"maxSteps": 60, "maxSteps": 70}"#)
            },
            .solve(
                "config: unknown key", status: 2,
                ["\(file), key maxStep: expected one of: ", "maxSteps", "found an unknown setting"]
            ) { c in
                try configured(c, #"{"maxStep": 60}"#)
            },
            .solve("config: maxSteps 50.5", status: 2, ["\(file), key maxSteps: expected a whole number, found the number 50.5"]) { c in
                try configured(c, #"{"maxSteps": 50.5}"#)
            },
            .solve("config: elementRule 1", status: 2, ["\(file), key elementRule: expected true or false, found the number 1"]) { c in
                try configured(c, #"{"elementRule": 1}"#)
            },
            .solve(
                "config: hiddenLayers \"x\"", status: 2,
                ["\(file), key hiddenLayers: expected a list of whole numbers, e.g. [1024, 1024, 512], found the string \"x\""]
            ) { c in
                try configured(c, #"{"hiddenLayers": "x"}"#)
            },
            invalid("klEpsilon 1e-300", #"{"klEpsilon": 1e-300}"#, "klEpsilon and epsilon must be in [1e-20, 0.1], got 1e-300"),
            invalid("gibbsWeight 1e308", #"{"gibbsWeight": 1e308}"#, "gibbsWeight must be a weight in [0, 1000000.0], got 1e+308"),
            invalid("maxShift 0.7", #"{"maxShift": 0.7}"#, "maxShift must be in [0, 0.5), got 0.7"),
            invalid(
                "hiddenLayers [100000, 100000]", #"{"hiddenLayers": [100000, 100000]}"#,
                "hiddenLayers must be at most 16 layers of at most 65536 units, got [100000, 100000]"),
            invalid("learningRate 2", #"{"learningRate": 2}"#, "learningRate must be in (0, 1), got 2.0"),
            invalid("maxSteps -5", #"{"maxSteps": -5}"#, "maxSteps must be ≥ 1"),
            .solve(
                "config: hiddenLayers [60000, 60000] (beyond the machine)", status: 2,
                ["error: the run needs about ", "GiB of memory (encoder [60000, 60000]", "more than this machine's"]
            ) { c in
                try configured(c, #"{"hiddenLayers": [60000, 60000]}"#)
            },
            .solve(
                "config: a top-level list", status: 2, ["\(file): expected a JSON object of settings ({ \"key\": value, … }), found a list"]
            ) { c in
                try configured(c, "[1, 2]")
            },
            .solve(
                "config: a top-level string", status: 2,
                ["\(file): expected a JSON object of settings", "found the string \"hello\""]
            ) { c in
                try configured(c, #""hello""#)
            },
            .solve("config: empty file", status: 2, ["\(file), line 1, column 1: expected valid JSON", "Unexpected end of file"]) { c in
                try configured(c, "")
            },
            .solve("config: a folder", status: 2, ["\(file): expected a readable JSON config file, found a folder"]) { c in
                c.solve(nil, config: try c.makeFolder("settings.json"))
            },
            .solve("config: missing file", status: 2, ["\(file): expected a readable JSON config file, found no such file"]) { c in
                c.solve(nil, config: c.path("settings.json"))
            }
        ]
    }

    // MARK: the command line

    static var commandLineCases: [BadInputCase] {
        [
            .solve("command line: --max-steps -5", status: 64, ["error: --max-steps must be ≥ 1", "Usage: drnet solve"]) { c in
                c.solve(nil, ["--max-steps", "-5"])
            },
            .solve("command line: --max-steps 0", status: 64, ["error: --max-steps must be ≥ 1", "Usage: drnet solve"]) { c in
                c.solve(nil, ["--max-steps", "0"])
            },
            .solve("command line: --max-steps x", status: 64, ["error: The value 'x' is invalid for '--max-steps <max-steps>'"]) { c in
                c.solve(nil, ["--max-steps", "x"])
            },
            .solve("command line: --seed -1", status: 64, ["error: The value '-1' is invalid for '--seed <seed>'"]) { c in
                c.solve(nil, ["--seed", "-1"])
            },
            .solve("command line: --checkpoint-every -1", status: 64, ["error: --checkpoint-every must be ≥ 0 minutes"]) { c in
                c.solve(nil, ["--checkpoint-every", "-1"])
            },
            .solve("command line: --checkpoint-every nan", status: 64, ["error: --checkpoint-every must be ≥ 0 minutes"]) { c in
                c.solve(nil, ["--checkpoint-every", "nan"])
            },
            .solve("command line: unknown option", status: 64, ["error: Unknown option '--frobnicate'", "Usage: drnet solve"]) { c in
                c.solve(nil, ["--frobnicate"])
            },
            .solve(
                "command line: --resume with --config", status: 64,
                ["error: --resume takes the settings and seed from the checkpoint: no --config or --max-steps"]
            ) { c in
                ["solve", "--resume", c.out, "--config", c.fixture.shortConfig, "--quiet", "--device", "cpu"]
            },
            BadInputCase(
                "command line: --resume with --max-steps (the checkpoint untouched)", status: 64,
                ["error: --resume takes the settings and seed from the checkpoint: no --config or --max-steps"]
            ) { c in
                ["solve", "--resume", try c.copyOfInterruptedRun(), "--max-steps", "1", "--quiet", "--device", "cpu"]
            },
            .solve("command line: no library and no --resume", status: 64, ["error: give a library folder, or --resume DIR"]) { c in
                ["solve", "--out", c.out, "--quiet", "--device", "cpu"]
            },
            .solve(
                "command line: missing library folder", status: 2,
                ["error: {dir}/no-such-library: expected a library folder (instance.txt, sticks.csv, …), found no such folder"]
            ) { c in
                c.solve(c.path("no-such-library"))
            },
            .solve(
                "command line: library is a file", status: 2,
                ["error: {dir}/a-file: expected a library folder (instance.txt, sticks.csv, …), found a file, not a folder"]
            ) { c in
                c.solve(try c.write("a-file", "not a library"))
            },
            BadInputCase(
                "command line: unknown subcommand", status: 64, ["error: Unexpected argument 'frobnicate'", "Usage: drnet <subcommand>"]
            ) { _ in
                ["frobnicate"]
            }
        ]
    }

    // MARK: the device

    static var deviceCases: [BadInputCase] {
        [
            .solve(
                "device: --device tpu", status: 2,
                ["error: --device: unknown device 'tpu': expected auto, cpu, opencl or opencl:P.D"]
            ) { c in
                c.solve(device: "tpu")
            },
            .solve(
                "device: --device \"\"", status: 2,
                ["error: --device: unknown device '': expected auto, cpu, opencl or opencl:P.D"]
            ) { c in
                c.solve(device: "")
            },
            .solve("device: --device opencl:9.9", status: 3, ["error: --device opencl:9.9: "]) { c in
                c.solve(device: "opencl:9.9")
            },
            .solve(
                "device: DRNET_DEVICE=nonsense", status: 2, ["error: DRNET_DEVICE=nonsense: unknown device 'nonsense'"],
                environment: ["DRNET_DEVICE": "nonsense"]
            ) { c in
                c.solve(device: nil)
            },
            .solve(
                "device: DRNET_DEVICE=opencl:9.9", status: 3, ["error: DRNET_DEVICE=opencl:9.9: "],
                environment: ["DRNET_DEVICE": "opencl:9.9"]
            ) { c in
                c.solve(device: nil)
            },
            .solve("device: --kernels a missing folder", status: 3, ["error: --device opencl: "]) { c in
                c.solve(device: "opencl", ["--kernels", c.path("no-kernels")])
            },
            .solve(
                "device: no OpenCL platform (OCL_ICD_VENDORS)", status: 3,
                ["error: --device opencl: OpenCL is not usable here", "OCL_ICD_VENDORS="],
                environment: ["OCL_ICD_VENDORS": "/nonexistent/vendors"]
            ) { c in
                c.solve(device: "opencl")
            }
        ]
    }

    // MARK: the output folder

    static var outputFolderCases: [BadInputCase] {
        [
            BadInputCase("out: an existing file", status: 2, ["error: --out {dir}/out: expected a folder, found a file"]) { c in
                try c.write("out", "keep me")
                return c.solve()
            },
            BadInputCase("out: an empty path", status: 2, ["error: --out: expected an output folder, found an empty path"]) { c in
                c.solve(out: "")
            },
            BadInputCase(
                "out: inside a read-only folder", status: 2,
                ["error: --out {dir}/ro/out: cannot be created in {dir}/ro: Permission denied"],
                outMustNotExist: "ro/out", skipReason: rootSkip
            ) { c in
                let ro = try c.makeFolder("ro")
                try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: ro)
                return c.solve(out: ro + "/out")
            },
            BadInputCase(
                "out: inside /proc (nothing can be created there)", status: 74,
                ["error: ", "/proc/drnet-bad-input-out", "No such file or directory"], outMustNotExist: "/proc/drnet-bad-input-out",
                skipReason: procSkip
            ) { c in
                c.solve(out: "/proc/drnet-bad-input-out")
            },
            BadInputCase(
                "out: below a file", status: 2, ["error: --out {dir}/f/out: cannot be created: {dir}/f is a file, not a folder"],
                outMustNotExist: "f/out"
            ) { c in
                try c.write("f", "a file")
                return c.solve(out: c.path("f/out"))
            },
            BadInputCase(
                "out: holds another run's solution", status: 2, ["error: {dir}/out already holds a solution", "pass --overwrite"]
            ) { c in
                try c.copyOfFinishedRun()
                return c.solve()
            },
            BadInputCase("out: holds another run's solution, --overwrite (works)", status: 0, ["solution written to {dir}/out/"]) { c in
                try c.copyOfFinishedRun()
                return c.solve(nil, ["--overwrite"])
            }
        ]
    }

    // MARK: outputs that cannot be written

    static var writeFaultCases: [BadInputCase] {
        [
            BadInputCase(
                "write: solve --overwrite with a file-size limit keeps the previous solution", status: 74,
                ["error: {dir}/out/", "could not write: File too large"], fileSizeLimit: 16
            ) { c in
                try c.copyOfFinishedRun()
                return c.solve(nil, ["--overwrite"])
            },
            BadInputCase(
                "write: import with a file-size limit", status: 74, ["error: {dir}/lib", "File too large"], outMustNotExist: "lib",
                fileSizeLimit: 1
            ) { c in
                try c.importScans(try c.scans())
            },
            BadInputCase(
                "write: sticks with a file-size limit", status: 74, ["error: {dir}/s.csv", "File too large"], outMustNotExist: "s.csv",
                fileSizeLimit: 1
            ) { c in
                ["sticks", try c.write("bcc.cif", bccIron), "--out", c.path("s.csv")]
            },
            BadInputCase(
                "write: sticks --out inside /proc", status: 74, ["error: /proc/drnet-bad-input.csv", "No such file or directory"],
                outMustNotExist: "/proc/drnet-bad-input.csv", skipReason: procSkip
            ) { c in
                ["sticks", try c.write("bcc.cif", bccIron), "--out", "/proc/drnet-bad-input.csv"]
            },
            BadInputCase(
                "write: import --out inside /proc", status: 74, ["error: /proc/drnet-bad-input-lib", "No such file or directory"],
                outMustNotExist: "/proc/drnet-bad-input-lib", skipReason: procSkip
            ) { c in
                ["import", try c.scans(), "--out", "/proc/drnet-bad-input-lib"]
            },
            BadInputCase(
                "write: plot --out inside /proc", status: 74, ["error: /proc/drnet-bad-input-pictures", "No such file or directory"],
                outMustNotExist: "/proc/drnet-bad-input-pictures", skipReason: procSkip
            ) { c in
                ["plot", try c.copyOfFinishedRun("sol"), "--out", "/proc/drnet-bad-input-pictures", "--no-png"]
            },
            BadInputCase(
                "write: sticks --out inside a read-only folder", status: 74, ["error: {dir}/ro/s.csv", "Permission denied"],
                outMustNotExist: "ro/s.csv", skipReason: rootSkip
            ) { c in
                let ro = try c.makeFolder("ro")
                try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: ro)
                return ["sticks", try c.write("bcc.cif", bccIron), "--out", ro + "/s.csv"]
            },
            BadInputCase(
                "write: import --out inside a read-only folder", status: 74, ["error: {dir}/ro/lib", "Permission denied"],
                outMustNotExist: "ro/lib", skipReason: rootSkip
            ) { c in
                let scans = try c.scans()
                let ro = try c.makeFolder("ro")
                try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: ro)
                return ["import", scans, "--out", ro + "/lib"]
            },
            BadInputCase(
                "write: sticks --out an existing folder", status: 2, ["error: {dir}/s.csv", "expected a file"], outMustNotExist: nil
            ) { c in
                try c.makeFolder("s.csv")
                return ["sticks", try c.write("bcc.cif", bccIron), "--out", c.path("s.csv")]
            }
        ]
    }

    // MARK: --resume

    static var checkpointCases: [BadInputCase] {
        func resume(_ out: String, _ extra: [String] = []) -> [String] {
            ["solve", "--resume", out] + extra + ["--quiet", "--device", "cpu", "--no-plots"]
        }
        func damaged(_ c: CaseContext, _ change: (inout [UInt8]) -> Void) throws -> [String] {
            let out = try c.copyOfInterruptedRun()
            let url = URL(fileURLWithPath: out + "/checkpoint.drnet")
            var bytes = [UInt8](try Data(contentsOf: url))
            change(&bytes)
            try Data(bytes).write(to: url)
            return resume(out)
        }
        let expectedFolder =
            "expected a solve output folder holding checkpoint.drnet (written every --checkpoint-every minutes and on Ctrl-C)"
        return [
            BadInputCase(
                "resume: a folder without a checkpoint", status: 2, ["error: {dir}/out: \(expectedFolder), found no checkpoint in it"]
            ) { c in
                let out = try c.copyOfInterruptedRun()
                try FileManager.default.removeItem(atPath: out + "/checkpoint.drnet")
                return resume(out)
            },
            BadInputCase(
                "resume: a finished run", status: 2,
                ["error: {dir}/out: expected an unfinished run to resume (a checkpoint.drnet), found a finished run", "nothing to resume"]
            ) { c in
                resume(try c.copyOfFinishedRun())
            },
            BadInputCase(
                "resume: a flipped byte", status: 2,
                ["error: {dir}/out/checkpoint.drnet, checksum: expected the checksum the file was written with", "the file is damaged"]
            ) { c in
                try damaged(c) { $0[$0.count / 2] ^= 0x04 }
            },
            BadInputCase(
                "resume: a truncated checkpoint", status: 2,
                ["error: {dir}/out/checkpoint.drnet, checksum: expected the checksum the file was written with", "the file is damaged"]
            ) { c in
                try damaged(c) { $0.removeLast($0.count / 2) }
            },
            BadInputCase(
                "resume: a checkpoint cut to 10 bytes", status: 2,
                ["error: {dir}/out/checkpoint.drnet: expected a drnet checkpoint (magic DRNETCKP)"]
            ) { c in
                try damaged(c) { $0.removeLast($0.count - 10) }
            },
            BadInputCase(
                "resume: an empty checkpoint", status: 2,
                ["error: {dir}/out/checkpoint.drnet: expected a drnet checkpoint (magic DRNETCKP)"]
            ) { c in
                try damaged(c) { $0 = [] }
            },
            BadInputCase(
                "resume: another library given as the moved library", status: 2,
                ["error: checkpoint: made for library library (28×501, 7 candidates", "not this one"]
            ) { c in
                let other = try c.library(["instance.txt": Edit.value("I3", 0, "0.7")], name: "other")
                return resume(try c.copyOfInterruptedRun(), [other])
            },
            BadInputCase(
                "resume: checkpoint.drnet is a folder", status: 2, ["error: {dir}/out/checkpoint.drnet: expected a file, found a directory"]
            ) { c in
                let out = try c.copyOfInterruptedRun()
                try FileManager.default.removeItem(atPath: out + "/checkpoint.drnet")
                try FileManager.default.createDirectory(atPath: out + "/checkpoint.drnet", withIntermediateDirectories: false)
                return resume(out)
            },
            BadInputCase(
                "resume: a file instead of a folder", status: 2,
                ["error: {dir}/f: \(expectedFolder), found a file, not a folder"]
            ) { c in
                resume(try c.write("f", "not a run"))
            },
            BadInputCase(
                "resume: a missing folder", status: 2, ["error: {dir}/out: \(expectedFolder), found no such folder"], outMustNotExist: "out"
            ) { c in
                resume(c.out)
            }
        ]
    }

    // MARK: drnet import

    static var importScanCases: [BadInputCase] {
        let s1 = "error: {dir}/scans/s1.xy"
        func importing(_ name: String, _ fragments: [String], status: Int32 = 2, setup: @escaping (CaseContext) throws -> [String])
            -> BadInputCase
        {
            BadInputCase("import: " + name, status: status, fragments, outMustNotExist: status == 0 ? nil : "lib", setup: setup)
        }
        return [
            importing("three 2θ scans with compositions (works)", ["3 scan(s) from 3 file(s)"], status: 0) { c in
                try c.importScans(try c.scans())
            },
            importing(
                "2θ without a wavelength",
                ["\(s1): expected a wavelength for its 2θ axis (in the file or --wavelength), found none"]
            ) { c in
                try c.importScans(try c.scans(["s1.xy": scan(centre: 30, header: "# Unit: 2th_deg\n")]))
            },
            importing("unknown unit", ["\(s1), line 1: expected an axis unit: 2θ in degrees", "found unit \"furlongs\""]) { c in
                try c.importScans(try c.scans(["s1.xy": scan(centre: 30, header: "# Unit: furlongs\n# Wavelength: 1.5406e-10\n")]))
            },
            importing("non-monotonic x", ["\(s1), point 102: expected strictly increasing x values, found x = 30.0 after 30.1"]) { c in
                var x = grid
                x.swapAt(100, 101)
                return try c.importScans(try c.scans(["s1.xy": scan(centre: 30, x: x)]))
            },
            importing("duplicated x", ["\(s1), point 102: expected strictly increasing x values, found x = 30.0 repeated"]) { c in
                var x = grid
                x[101] = x[100]
                return try c.importScans(try c.scans(["s1.xy": scan(centre: 30, x: x)]))
            },
            importing("NaN intensity", ["\(s1), line 53, column 2 (intensity): expected a finite number, found nan"]) { c in
                try c.importScans(try c.scans(["s1.xy": scan(centre: 30) { $0 == 50 ? "nan" : nil }]))
            },
            importing("negative counts", ["\(s1), point 51: expected a non-negative intensity, found -3.0"]) { c in
                try c.importScans(try c.scans(["s1.xy": scan(centre: 30) { $0 == 50 ? "-3.0" : nil }]))
            },
            importing("fewer than 10 points", ["\(s1): expected a scan of at least 10 points, found 9"]) { c in
                try c.importScans(try c.scans(["s1.xy": scan(centre: 24, x: (0..<9).map { 20 + Double($0) })]))
            },
            importing("2θ of 185°", ["\(s1), point 401: expected 2θ in (0°, 180°), found 185.0°"]) { c in
                try c.importScans(try c.scans(["s1.xy": scan(centre: 30, x: Array(grid.dropLast()) + [185])]))
            },
            importing("wavelength 0 in the file", ["\(s1), line 2: expected a wavelength between 0.001 and 100 Å, found 0"]) { c in
                try c.importScans(try c.scans(["s1.xy": scan(centre: 30, header: "# Unit: 2th_deg\n# Wavelength: 0\n")]))
            },
            importing("wavelength 11 Å in the file", ["\(s1): expected a wavelength in (0, 10] Å, found 11.0 Å"]) { c in
                try c.importScans(try c.scans(["s1.xy": scan(centre: 30, header: "# Unit: 2th_deg\n# Wavelength: 11e-10\n")]))
            },
            importing("--wavelength 0", ["error: --wavelength: ", "0.0 Å is outside (0.01, 10) Å"]) { c in
                try c.importScans(try c.scans(), ["--wavelength", "0", "--wavelength-override"])
            },
            importing("--wavelength 11", ["error: --wavelength: ", "11.0 Å is outside (0.01, 10) Å"]) { c in
                try c.importScans(try c.scans(), ["--wavelength", "11", "--wavelength-override"])
            },
            importing("--axis theta", ["error: --axis: unknown axis 'theta'"]) { c in
                try c.importScans(try c.scans(), ["--axis", "theta"])
            },
            importing(
                "mixed axis units across a folder",
                ["error: {dir}/scans/s2.xy: expected the same axis as {dir}/scans/s1.xy (2theta), found q-nm: mixed units across the scans"]
            ) { c in
                try c.importScans(try c.scans(["s2.xy": scan(centre: 31, header: "# Unit: q_nm^-1\n")]))
            },
            importing("empty file", ["\(s1): expected a scan (rows of x, intensity and optional σ), found an empty file"]) { c in
                try c.importScans(try c.scans(["s1.xy": ""]))
            },
            importing(
                "an .xrdml that is XML but not XRDML",
                [
                    "error: {dir}/scans/s1.xrdml, line 2, element <svg>: expected an XRDML file (root element <xrdMeasurements>), found root element <svg>"
                ]
            ) { c in
                try c.importScans(
                    try c.scans(["s1.xrdml": "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><g/></svg>\n"]))
            },
            importing(
                "truncated XRDML",
                ["error: {dir}/scans/s1.xrdml, line 4", "found a file that ends before its elements are closed (truncated)"]
            ) { c in
                let xml = """
                    <?xml version="1.0" encoding="UTF-8"?>
                    <xrdMeasurements xmlns="http://www.xrdml.com/XRDMeasurement/2.0">
                    <xrdMeasurement measurementType="Scan">
                    <scan><dataPoints><counts>10 20 30
                    """
                return try c.importScans(try c.scans(["s1.xrdml": xml]))
            },
            importing("empty XRDML", ["error: {dir}/scans/s1.xrdml: expected an XRDML (XML) file, found an empty file"]) { c in
                try c.importScans(try c.scans(["s1.xrdml": ""]))
            },
            importing(
                "a .brml that is not a zip",
                [
                    "error: {dir}/scans/s1.brml: expected a Bruker .brml file (a ZIP archive of XML files), found a file that is not a zip archive"
                ]
            ) { c in
                try c.importScans(try c.scans(["s1.brml": "this is not a zip archive\n"]))
            },
            importing(
                "compositions missing a scan's row",
                ["error: {dir}/comp.csv: expected a row for every imported scan, found none for {dir}/scans/s3.xy"]
            ) { c in
                try c.importScans(try c.scans(), compositions: "file,Al,Fe\ns1,1,0\ns2,0,1\n")
            },
            importing(
                "compositions row without a scan",
                ["error: {dir}/comp.csv, line 5: expected a row for one of the imported scans, found s4: no such scan"]
            ) { c in
                try c.importScans(try c.scans(), compositions: compositions + "s4,1,1\n")
            },
            importing(
                "compositions non-numeric",
                ["error: {dir}/comp.csv, line 2, column Al: expected an amount ≥ 0, found \"abc\""]
            ) { c in
                try c.importScans(try c.scans(), compositions: "file,Al,Fe\ns1,abc,0\ns2,0,1\ns3,1,1\n")
            },
            importing("a folder without scans", ["error: {dir}/scans: expected scan files", "found none in the folder"]) { c in
                ["import", try c.makeFolder("scans"), "--out", c.path("lib")]
            },
            BadInputCase(
                "import: --out exists and is not empty", status: 2,
                ["error: {dir}/lib: expected an empty or new folder (or --overwrite), found 1 entry"]
            ) { c in
                try c.write("lib/notes.txt", "keep me")
                return try c.importScans(try c.scans())
            },
            BadInputCase("import: --out is a file", status: 2, ["error: {dir}/lib: expected a folder for the library, found a file"]) { c in
                try c.write("lib", "keep me")
                return try c.importScans(try c.scans())
            }
        ]
    }

    // MARK: drnet eval

    static var evalCases: [BadInputCase] {
        func percent(_ truth: String) throws -> String {
            let lines = try String(contentsOfFile: truth, encoding: .utf8).components(separatedBy: "\n")
            let inPercent = Edit.csvRows { f in [f[0]] + f.dropFirst().map { String(format: "%.4f", Double($0)! * 100) } }
            return inPercent(lines).joined(separator: "\n")
        }
        return [
            BadInputCase(
                "eval: truth in percent", status: 2,
                ["error: {dir}/percent.csv, sample 0: expected phase fractions summing to 1 (fractions, not percent)", "(percent?)"]
            ) { c in
                let truth = c.fixture.library + "/truth-fractions.csv"
                return ["eval", truth, "--truth", try c.write("percent.csv", try percent(truth))]
            },
            BadInputCase(
                "eval: --threshold 2", status: 64,
                ["error: --threshold must be a fraction between 0 and 1", "got 2.0", "Usage: drnet eval"]
            ) { c in
                let truth = c.fixture.library + "/truth-fractions.csv"
                return ["eval", truth, "--truth", truth, "--threshold", "2"]
            },
            BadInputCase(
                "eval: missing truth file", status: 2,
                ["error: {dir}/no-truth.csv: expected a readable UTF-8 fraction CSV file, found no such file"]
            ) { c in
                ["eval", c.fixture.library + "/truth-fractions.csv", "--truth", c.path("no-truth.csv")]
            },
            BadInputCase(
                "eval: a solution folder without solution files", status: 2,
                ["error: {dir}/empty/fractions.csv: expected a readable UTF-8 fraction CSV file, found no such file"]
            ) { c in
                ["eval", try c.makeFolder("empty"), "--truth", c.fixture.library + "/truth-fractions.csv"]
            },
            BadInputCase(
                "eval: truth is a folder", status: 2,
                ["error: {dir}/truth.csv: expected a readable UTF-8 fraction CSV file"]
            ) { c in
                ["eval", c.fixture.library + "/truth-fractions.csv", "--truth", try c.makeFolder("truth.csv")]
            },
            BadInputCase(
                "eval: truth of other samples", status: 2,
                ["column sample: expected the same 1 samples as {dir}/truth.csv, found 28 samples"]
            ) { c in
                ["eval", c.fixture.library + "/truth-fractions.csv", "--truth", try c.write("truth.csv", "sample,MgO-periclase\n0,1\n")]
            }
        ]
    }

    // MARK: drnet sticks

    static var sticksFromCIFCases: [BadInputCase] {
        func sticks(_ name: String, _ fragments: [String], setup: @escaping (CaseContext) throws -> [String]) -> BadInputCase {
            BadInputCase("sticks from CIF: " + name, status: 2, fragments, outMustNotExist: "s.csv") { c in
                try setup(c) + ["--out", c.path("s.csv")]
            }
        }
        return [
            sticks(
                "a CIF without a cell",
                ["error: {dir}/nocell.cif, tag _cell_length_a: expected a _cell_length_a value, found none (missing tag)"]
            ) { c in
                ["sticks", try c.write("nocell.cif", bccIron.replacingOccurrences(of: "_cell_length_a 2.8665\n", with: ""))]
            },
            sticks(
                "a CIF without symmetry information",
                [
                    "error: {dir}/nosym.cif, tag _space_group_symop_operation_xyz: expected the symmetry operations written out",
                    "found no symmetry information"
                ]
            ) { c in
                ["sticks", try c.write("nosym.cif", bccIronWithoutOperations())]
            },
            sticks(
                "a CIF with a space group but no operations",
                ["error: {dir}/nosym.cif, tag ", "found space group \"I m -3 m\" (line 9) without operations"]
            ) { c in
                ["sticks", try c.write("nosym.cif", bccIronWithoutOperations(spaceGroup: "I m -3 m"))]
            },
            sticks(
                "a Q range holding only an absent reflection (bcc (100))",
                ["error: {dir}/bcc.cif: no reflections with 20.0 ≤ Q ≤ 25.0 nm⁻¹ (systematic absences, |F|² = 0, are not lines)"]
            ) { c in
                ["sticks", try c.write("bcc.cif", bccIron), "--qmin", "20", "--qmax", "25"]
            },
            sticks("a missing CIF", ["error: {dir}/missing.cif: expected a readable CIF file, found no such file"]) { c in
                ["sticks", c.path("missing.cif")]
            },
            sticks("a folder as CIF", ["error: {dir}/folder.cif: expected a readable CIF file"]) { c in
                ["sticks", try c.makeFolder("folder.cif")]
            },
            sticks("--qmin above --qmax", ["error: Q range must satisfy 0 ≤ qmin < qmax (nm⁻¹), got 30.0…20.0"]) { c in
                ["sticks", try c.write("bcc.cif", bccIron), "--qmin", "30", "--qmax", "20"]
            },
            sticks("an unknown wavelength", ["error: unknown wavelength \"XYZ\": expected a number of Å or one of CuKa"]) { c in
                ["sticks", try c.write("bcc.cif", bccIron), "--wavelength", "XYZ"]
            }
        ]
    }

    // MARK: drnet check

    static var checkCases: [BadInputCase] {
        let file = "error: {dir}/sol/solution.json"
        func corrupted(_ c: CaseContext, _ change: (String) -> String) throws -> [String] {
            let sol = try c.copyOfFinishedRun("sol")
            let url = URL(fileURLWithPath: sol + "/solution.json")
            try Data(change(try String(contentsOf: url, encoding: .utf8)).utf8).write(to: url)
            return ["check", sol]
        }
        return [
            BadInputCase(
                "check: a corrupt solution.json (line and column)", status: 2,
                ["\(file), line 2, column 3: expected valid JSON (a solution.json written by drnet solve)"]
            ) { c in
                try corrupted(c) { text in
                    var lines = text.components(separatedBy: "\n")
                    lines.insert("  oops,", at: 1)
                    return lines.joined(separator: "\n")
                }
            },
            BadInputCase("check: a truncated solution.json", status: 2, ["\(file), line ", "found Unexpected end of file"]) { c in
                try corrupted(c) { String($0.prefix(300)) }
            },
            BadInputCase("check: an empty solution.json", status: 2, ["\(file): expected valid JSON", "found an empty file"]) { c in
                try corrupted(c) { _ in "" }
            },
            BadInputCase("check: a solution.json without its keys", status: 2, ["\(file), key library", "missing"]) { c in
                try corrupted(c) { _ in "{}" }
            },
            BadInputCase("check: a solution.json that is a list", status: 2, ["\(file)", "found a list"]) { c in
                try corrupted(c) { _ in "[1, 2]" }
            },
            BadInputCase(
                "check: a solution.json with a number for the library", status: 2,
                ["\(file), key library", "found the number 5"]
            ) { c in
                try corrupted(c) { _ in #"{"library": 5}"# }
            }
        ]
    }

    /// The whole table.
    static var table: [BadInputCase] { classes.flatMap(\.cases) }

    /// The classes of the table, one test each.
    static var classes: [(name: String, cases: [BadInputCase])] {
        [
            ("instance.txt", instanceTextCases), ("sticks.csv", sticksCases), ("phase-compositions.csv", phaseCompositionCases),
            ("--sample-mask", maskCases), (".npy", npyCases), ("--degrees-of-freedom", degreesOfFreedomCases), ("graph", graphCases),
            ("--config", configCases), ("command line", commandLineCases), ("device", deviceCases), ("--out", outputFolderCases),
            ("write faults", writeFaultCases), ("--resume", checkpointCases), ("import", importScanCases), ("eval", evalCases),
            ("sticks from CIF", sticksFromCIFCases), ("check", checkCases)
        ]
    }
}

/// The table against the built `drnet`: one test per class of inputs, each failure named by its case.
final class CLIBadInputTableTests: CLITestCase {
    /// Texts of Foundation's and Swift's own errors, which a message must never be made of.
    static let rawErrorTexts = [
        "NSCocoaErrorDomain", "NSPOSIXErrorDomain", "DecodingError", "The data couldn’t be read", "The data couldn't be read",
        "The operation could not be completed", "The file doesn’t exist", "You don’t have permission", "Fatal error",
        "Expected to decode", "Dictionary<String", "Swift.", "Foundation."
    ]

    /// Runs that several cases start from, made once per class: a finished solve and an
    /// interrupted one (SIGINT after the first checkpoint).
    nonisolated(unsafe) private static var sharedRuns: [String: Result<String, Error>] = [:]

    private func sharedRun(_ name: String, _ fixture: CLILibrary, make: (String) throws -> Void) throws -> String {
        let key = fixture.root.path(name)
        if let made = Self.sharedRuns[key] { return try made.get() }
        let result = Result { () throws -> String in
            try make(key)
            return key
        }
        Self.sharedRuns[key] = result
        return try result.get()
    }

    private func finishedRun(_ fixture: CLILibrary) throws -> String {
        try sharedRun("bad-input-finished", fixture) { out in
            let solve = try CLI.run(
                ["solve", fixture.library, "--config", fixture.shortConfig, "--out", out, "--quiet", "--no-plots", "--device", "cpu"],
                in: fixture.root.url)
            guard solve.status == 0 else { throw CLIFixtureError("the shared finished run failed: \(solve)") }
        }
    }

    private func interruptedRun(_ fixture: CLILibrary) throws -> String {
        try sharedRun("bad-input-interrupted", fixture) { out in
            let settings = fixture.root.path("bad-input-long.json")
            try Data(CLIFaultTests.longSettings.utf8).write(to: URL(fileURLWithPath: settings))
            let process = try CLI.start(
                [
                    "solve", fixture.library, "--config", settings, "--out", out, "--quiet", "--no-plots", "--device", "cpu",
                    "--checkpoint-every", "0.002"
                ], in: fixture.root.url)
            let deadline = Date().addingTimeInterval(60)
            while !FileManager.default.fileExists(atPath: out + "/checkpoint.drnet") && Date() < deadline && process.isRunning {
                usleep(20_000)
            }
            kill(process.processIdentifier, SIGINT)
            process.waitUntilExit()
            guard process.terminationStatus == 130, FileManager.default.fileExists(atPath: out + "/checkpoint.drnet") else {
                throw CLIFixtureError("the shared interrupted run ended with \(process.terminationStatus) and no checkpoint")
            }
        }
    }

    /// Runs `drnet arguments…` in `directory` (through `/bin/sh` for a file-size limit).
    private func execute(_ c: BadInputCase, _ arguments: [String], in directory: URL) throws -> CLI.Launch {
        try CLI.launch(arguments, in: directory, environment: c.environment, fileSizeLimit: c.fileSizeLimit)
    }

    /// Every file and folder under `root` (hidden ones too) with its bytes (a folder: empty).
    private func snapshot(_ root: URL) -> [String: Data] {
        var entries: [String: Data] = [:]
        guard let names = FileManager.default.subpaths(atPath: root.path) else { return entries }
        for name in names {
            var isDirectory: ObjCBool = false
            let path = root.appendingPathComponent(name).path
            _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            entries[name + (isDirectory.boolValue ? "/" : "")] =
                isDirectory.boolValue ? Data() : (FileManager.default.contents(atPath: path) ?? Data())
        }
        return entries
    }

    /// `{dir}`, `{lib}` and `{line:KEY}` in `text`.
    private func expand(_ text: String, dir: String, fixture: CLILibrary, instanceLines: [String]) -> String {
        var text = text.replacingOccurrences(of: "{dir}", with: dir).replacingOccurrences(of: "{lib}", with: fixture.library)
        while let open = text.range(of: "{line:"), let close = text[open.upperBound...].firstIndex(of: "}") {
            let key = String(text[open.upperBound..<close])
            let line = (instanceLines.firstIndex { $0.hasPrefix(key + "=") }).map { String($0 + 1) } ?? "<no \(key)= line>"
            text.replaceSubrange(open.lowerBound...close, with: line)
        }
        return text
    }

    /// Runs every case of `cases` and checks it: one failure per failing case, naming it and
    /// listing everything that was wrong, with the command and what it printed.
    private func check(_ cases: [BadInputCase], file: StaticString = #filePath, line: UInt = #line) throws {
        let fixture = try library()
        let instanceLines = try String(contentsOfFile: fixture.library + "/instance.txt", encoding: .utf8).components(separatedBy: "\n")
        XCTAssertFalse(cases.isEmpty)
        for c in cases {
            if let reason = c.skipReason {
                print("CLIBadInputTableTests: case \"\(c.name)\" skipped: \(reason)")
                continue
            }
            let folder = try TemporaryFolder("bad-input")
            defer { folder.remove() }
            let context = CaseContext(
                folder: folder, fixture: fixture, finishedRun: { try self.finishedRun(fixture) },
                interruptedRun: { try self.interruptedRun(fixture) })
            let arguments: [String]
            do { arguments = try c.setup(context) } catch {
                XCTFail("case \"\(c.name)\": its setup failed: \(error)", file: file, line: line)
                continue
            }
            let before = snapshot(folder.url)
            let run = try execute(c, arguments, in: folder.url)
            let fill = { (text: String) in self.expand(text, dir: folder.url.path, fixture: fixture, instanceLines: instanceLines) }
            let problems = verify(c, run, dir: folder.url, before: before, expand: fill)
            if !problems.isEmpty {
                XCTFail("case \"\(c.name)\": " + problems.joined(separator: "; ") + "\n\(run.result)", file: file, line: line)
            }
        }
    }

    /// What is wrong with the run of case `c` (empty: nothing).
    private func verify(_ c: BadInputCase, _ run: CLI.Launch, dir: URL, before: [String: Data], expand: (String) -> String) -> [String] {
        let r = run.result
        var problems: [String] = []
        func fail(_ message: String) { problems.append(message) }
        if run.timedOut { fail("did not finish within 120 s; killed") }
        if let signal = run.signal {
            fail("drnet was killed by signal \(signal) (a crash)")
        } else if r.status > 128 && r.status != 130 {
            fail("exit status \(r.status): a crash")
        }
        if r.status != c.status { fail("exit status \(r.status), expected \(c.status)") }
        let text = c.status == 0 ? r.stdout + r.stderr : r.stderr
        for fragment in c.fragments.map(expand) where !text.contains(fragment) { fail("missing \"\(fragment)\"") }
        for raw in Self.rawErrorTexts where r.stderr.contains(raw) { fail("raw Foundation/Swift error text \"\(raw)\" in the message") }

        if c.status != 0 {
            var lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
            while let first = lines.first, first.hasPrefix("drnet: warning: ") { lines.removeFirst() }
            if let first = lines.first, first.hasPrefix("error: ") {
                let rest = lines.dropFirst()
                if c.status == 64 {
                    if rest.contains(where: { $0.hasPrefix("error") }) { fail("more than one error line") }
                    if !rest.contains(where: { $0.hasPrefix("Usage: ") }) { fail("a usage error without the usage text") }
                } else if !rest.isEmpty {
                    fail("expected one error line, found \(lines.count) lines after the warnings")
                }
            } else {
                fail("stderr does not start with 'error: ' (after any 'drnet: warning:' lines)")
            }
            if !r.stdout.isEmpty { fail("a failed command printed on stdout") }
            let after = snapshot(dir)
            if after != before {
                let added = Set(after.keys).subtracting(before.keys).sorted()
                let removed = Set(before.keys).subtracting(after.keys).sorted()
                let changed = before.keys.filter { after[$0] != nil && after[$0] != before[$0] }.sorted()
                fail("the failed command changed its folder: added \(added), removed \(removed), changed \(changed)")
            }
        } else if r.stderr.split(separator: "\n").contains(where: { $0.hasPrefix("error") }) {
            fail("a successful command printed an error line")
        }
        if let out = c.outMustNotExist {
            let path = out.hasPrefix("/") ? out : dir.appendingPathComponent(out).path
            if FileManager.default.fileExists(atPath: path) { fail("\(path) was left behind") }
        }
        let leftovers = (FileManager.default.subpaths(atPath: dir.path) ?? []).filter { path in
            path.split(separator: "/").contains { $0.hasSuffix(".partial") || $0 == ".drnet-staging" || $0.contains(".importing-") }
        }
        if !leftovers.isEmpty { fail("left behind: \(leftovers.sorted())") }
        return problems
    }

    // MARK: the table

    func testTheTableHasAtLeast85Cases() {
        let table = BadInputTables.table
        XCTAssertGreaterThanOrEqual(table.count, 85)
        print(
            "CLIBadInputTableTests: \(table.count) cases: "
                + BadInputTables.classes.map { "\($0.name) \($0.cases.count)" }.joined(separator: ", "))
        let names = table.map(\.name)
        XCTAssertEqual(Set(names).count, names.count, "case names are not unique")
    }

    func testInstanceTextCases() throws { try check(BadInputTables.instanceTextCases) }

    func testSticksCases() throws { try check(BadInputTables.sticksCases) }

    func testPhaseCompositionCases() throws { try check(BadInputTables.phaseCompositionCases) }

    func testMaskCases() throws { try check(BadInputTables.maskCases) }

    func testNPYCases() throws { try check(BadInputTables.npyCases) }

    func testDegreesOfFreedomCases() throws { try check(BadInputTables.degreesOfFreedomCases) }

    func testGraphCases() throws { try check(BadInputTables.graphCases) }

    func testConfigCases() throws { try check(BadInputTables.configCases) }

    func testCommandLineCases() throws { try check(BadInputTables.commandLineCases) }

    func testDeviceCases() throws { try check(BadInputTables.deviceCases) }

    func testOutputFolderCases() throws { try check(BadInputTables.outputFolderCases) }

    func testWriteFaultCases() throws { try check(BadInputTables.writeFaultCases) }

    func testCheckpointCases() throws { try check(BadInputTables.checkpointCases) }

    func testImportScanCases() throws { try check(BadInputTables.importScanCases) }

    func testEvalCases() throws { try check(BadInputTables.evalCases) }

    func testSticksFromCIFCases() throws { try check(BadInputTables.sticksFromCIFCases) }

    func testCheckCases() throws { try check(BadInputTables.checkCases) }
}
