import DRNetEngine
import DRNetSynthetic
import Foundation
import TestSupport
import XCTest

@testable import DRNetIO

/// `ScanImport`: units to Q (nm⁻¹), the checks, the grid, linear resampling with σ, the
/// compositions CSV and the library folder it writes (read back by `LibraryLoader`).
final class ScanImportTests: XCTestCase {
    /// A scan of `n` points on `x`, intensity a + b·x (so linear interpolation is exact).
    func scan(
        _ source: String, axis: ScanAxis?, x: [Double], a: Double = 10, b: Double = 2, sigma: Bool = false,
        wavelength: ScanWavelength? = nil
    ) -> MeasuredScan {
        MeasuredScan(
            source: source, axis: axis, x: x, intensity: x.map { a + b * $0 }, sigma: sigma ? x.map { _ in 2 } : nil,
            wavelength: wavelength)
    }

    func grid(_ lo: Double, _ hi: Double, _ n: Int) -> [Double] { (0..<n).map { lo + (hi - lo) * Double($0) / Double(n - 1) } }

    let cu = ScanWavelength(alpha1: 1.5406, alpha2: 1.54443, ratio: 0.5, origin: "test file")

    func testUnitsToQ() throws {
        var s = ScanImport.Settings()
        // 2θ with the file's wavelength: Q = 4π sin θ / λ, λ in nm.
        let tt = try ScanImport.convert(scan("a.xy", axis: .twoTheta, x: grid(20, 80, 61), wavelength: cu), settings: s)
        for (q, x) in zip(tt.q, grid(20, 80, 61)) {
            XCTAssertEqual(q, 4 * Double.pi * sin(x / 2 * Double.pi / 180) / 0.15406, accuracy: 1e-12 * q)
        }
        XCTAssertEqual(tt.q[10], 4 * .pi * sin(15 * Double.pi / 180) / 0.15406, accuracy: 1e-9)  // 2θ = 30°
        XCTAssertEqual(tt.wavelength, cu)
        XCTAssertEqual(tt.axisOrigin, "file")
        // Q in Å⁻¹ → ×10; d in Å → 2π/d ×10, ascending.
        let qa = try ScanImport.convert(scan("b.xy", axis: .qInverseAngstroms, x: grid(1, 5, 20)), settings: s)
        XCTAssertEqual(qa.q, grid(1, 5, 20).map { $0 * 10 })
        let d = try ScanImport.convert(scan("c.xy", axis: .dAngstroms, x: grid(1, 4, 31)), settings: s)
        XCTAssertEqual(d.q.first!, 2 * .pi / 4 * 10, accuracy: 1e-12)
        XCTAssertEqual(d.q.last!, 2 * .pi / 1 * 10, accuracy: 1e-12)
        XCTAssertEqual(d.intensity.first!, 10 + 2 * 4, "intensities follow the reversed axis")
        // --axis for a file that does not say; --wavelength for a 2θ file without one.
        s.axis = .twoTheta
        s.wavelength = "CuKa"
        let flagged = try ScanImport.convert(scan("d.xy", axis: nil, x: grid(20, 80, 61)), settings: s)
        XCTAssertEqual(flagged.axisOrigin, "--axis")
        XCTAssertEqual(flagged.wavelength?.alpha1, 1.54056)
        XCTAssertEqual(flagged.wavelength?.alpha2, 1.54439)
        XCTAssertEqual(flagged.wavelength?.ratio, 0.5)
    }

    func testBadScansAreClearErrors() {
        func fails(_ s: MeasuredScan, _ settings: ScanImport.Settings = .init(), _ fragments: [String], line: UInt = #line) {
            XCTAssertThrowsError(try ScanImport.convert(s, settings: settings), line: line) { error in
                let m = "\(error)"
                for f in fragments { XCTAssertTrue(m.contains(f), "\(m) lacks \(f)", line: line) }
            }
        }
        let x = grid(20, 80, 61)
        fails(scan("n.xy", axis: nil, x: x), .init(), ["n.xy", "an axis unit in the file or --axis", "never assumed"])
        fails(scan("w.xy", axis: .twoTheta, x: x), .init(), ["w.xy", "a wavelength for its 2θ axis"])
        var other = ScanImport.Settings()
        other.wavelength = "MoKa"
        fails(scan("m.xy", axis: .twoTheta, x: x, wavelength: cu), other, ["m.xy", "--wavelength-override", "1.5406"])
        other.wavelengthOverride = true
        XCTAssertEqual(
            try? ScanImport.convert(scan("m.xy", axis: .twoTheta, x: x, wavelength: cu), settings: other).wavelength?.alpha1, 0.7093)
        var qAxis = ScanImport.Settings()
        qAxis.axis = .qInverseNanometres
        fails(scan("x.xy", axis: .twoTheta, x: x, wavelength: cu), qAxis, ["x.xy", "--axis q-nm", "the file states 2theta"])
        fails(
            scan("r.xy", axis: .twoTheta, x: grid(100, 190, 19), wavelength: cu), .init(), ["r.xy, point 17", "2θ in (0°, 180°)", "180.0°"])
        var dup = scan("dup.xy", axis: .qInverseNanometres, x: grid(10, 20, 20))
        dup.x[5] = dup.x[4]
        fails(dup, .init(), ["dup.xy, point 6", "strictly increasing", "repeated"])
        var back = scan("back.xy", axis: .qInverseNanometres, x: grid(10, 20, 20))
        back.x[7] = 10
        fails(back, .init(), ["back.xy, point 8", "strictly increasing"])
        var neg = scan("neg.xy", axis: .qInverseNanometres, x: grid(10, 20, 20))
        neg.intensity[3] = -1
        fails(neg, .init(), ["neg.xy, point 4", "non-negative intensity"])
        var nan = scan("nan.xy", axis: .qInverseNanometres, x: grid(10, 20, 20))
        nan.intensity[2] = .nan
        fails(nan, .init(), ["nan.xy, point 3", "finite"])
        fails(scan("short.xy", axis: .qInverseNanometres, x: grid(10, 20, 9)), .init(), ["short.xy", "at least 10 points", "9"])
        var badW = ScanImport.Settings()
        badW.wavelength = "12"
        fails(scan("bw.xy", axis: .twoTheta, x: x), badW, ["--wavelength"])
    }

    func testGridAndResampling() throws {
        let s = ScanImport.Settings()
        let a = try ScanImport.convert(scan("a.xy", axis: .qInverseNanometres, x: grid(10, 30, 41), sigma: true), settings: s)
        let b = try ScanImport.convert(scan("b.xy", axis: .qInverseNanometres, x: grid(12, 40, 281)), settings: s)
        let (q, record) = try ScanImport.grid(for: [a, b], settings: s)
        // The overlap 12…30, as dense as b there (its points in [12, 30]).
        XCTAssertEqual(q.first, 12)
        XCTAssertEqual(q.last, 30)
        XCTAssertEqual(q.count, b.q.filter { $0 >= 12 && $0 <= 30 }.count)
        XCTAssertEqual(record.points, q.count)
        // Linear data is reproduced exactly; σ at a midpoint is √(σ₀²/4 + σ₁²/4).
        let (y, sigma) = try ScanImport.resample(a, onto: q)
        for (v, g) in zip(y, q) { XCTAssertEqual(v, 10 + 2 * g, accuracy: 1e-9) }
        let mid = try ScanImport.resample(a, onto: [10.25])
        XCTAssertEqual(mid.sigma?[0] ?? 0, (0.25 * 4 + 0.25 * 4).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(sigma?.count, q.count)
        // An explicit grid the scan does not cover names the scan.
        var explicit = ScanImport.Settings()
        explicit.qMin = 5
        explicit.qMax = 25
        explicit.qStep = 0.5
        let (eq, _) = try ScanImport.grid(for: [a], settings: explicit)
        XCTAssertEqual(eq.count, 41)
        XCTAssertThrowsError(try ScanImport.resample(a, onto: eq)) {
            XCTAssertTrue("\($0)".contains("a.xy: expected a scan covering the Q grid"))
        }
        explicit.qStep = nil
        XCTAssertThrowsError(try ScanImport.grid(for: [a], settings: explicit)) { XCTAssertTrue("\($0)".contains("all three or none")) }
        // Scans that do not overlap.
        let c = try ScanImport.convert(scan("c.xy", axis: .qInverseNanometres, x: grid(50, 60, 20)), settings: s)
        XCTAssertThrowsError(try ScanImport.grid(for: [a, c], settings: s)) { XCTAssertTrue("\($0)".contains("Q ranges overlap"), "\($0)") }
    }

    func testLibraryFolderRoundTrip() throws {
        let dir = IOTempDir()
        let scans = [
            scan("/data/s10.xy", axis: .twoTheta, x: grid(20, 60, 401), a: 5, b: 1, wavelength: cu),
            scan("/data/s2.xy", axis: .twoTheta, x: grid(21, 61, 401), a: 7, b: 3, wavelength: cu)
        ]
        var s = ScanImport.Settings()
        s.compositions = dir.write("comp.csv", "file,Al,Fe\ns2,1,3\ns10.xy,2,2\n")
        let (lib, report, sources) = try ScanImport.build(scans: scans, settings: s, name: "lib")
        XCTAssertEqual(sources, ["/data/s2.xy", "/data/s10.xy"], "samples in the compositions CSV's order")
        XCTAssertEqual(lib.elements, ["Al", "Fe"])
        XCTAssertEqual(lib.compositions, [0.25, 0.75, 0.5, 0.5])
        XCTAssertEqual(report.samples.map(\.source), sources)
        XCTAssertEqual(report.samples[0].wavelength, cu)
        let out = dir.file("lib")
        try ScanImport.write(library: lib, report: report, sources: sources, to: out)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + ".importing-\(getpid())"), "no staging folder left")
        dir.write("lib/sticks.csv", "phase,name,q,intensity\n0,A,20,1\n0,A,25,0.5\n")
        let back = try LibraryLoader.load(directory: out)
        XCTAssertEqual(back.q, lib.q, "Q written in round-trip form")
        XCTAssertEqual(back.patterns, lib.patterns)
        XCTAssertEqual(back.compositions, lib.compositions)
        let samples = try String(contentsOfFile: out + "/samples.csv", encoding: .utf8)
        XCTAssertEqual(samples, "sample,source,Al,Fe\n0,/data/s2.xy,0.25,0.75\n1,/data/s10.xy,0.5,0.5\n")
        let json = try JSONDecoder().decode(ScanImport.Report.self, from: Data(contentsOf: URL(fileURLWithPath: out + "/import.json")))
        XCTAssertEqual(json, report)
        // A non-empty --out is refused without overwrite, and the old folder stays as it was.
        XCTAssertThrowsError(try ScanImport.write(library: lib, report: report, sources: sources, to: out)) {
            XCTAssertTrue("\($0)".contains("an empty or new folder (or --overwrite)"))
        }
        try ScanImport.write(library: lib, report: report, sources: sources, to: out, overwrite: true)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/sticks.csv"), "the user's sticks.csv is kept")
    }

    func testCompositionErrorsNameTheFileAndLine() throws {
        let dir = IOTempDir()
        let scans = [
            scan("s1.xy", axis: .qInverseNanometres, x: grid(10, 20, 20)), scan("s2.xy", axis: .qInverseNanometres, x: grid(10, 20, 20))
        ]
        func fails(_ csv: String?, _ fragments: [String], line: UInt = #line) {
            var s = ScanImport.Settings()
            s.compositions = csv.map { dir.write("c\(line).csv", $0) }
            XCTAssertThrowsError(try ScanImport.build(scans: scans, settings: s, name: "x"), line: line) { error in
                for f in fragments { XCTAssertTrue("\(error)".contains(f), "\(error) lacks \(f)", line: line) }
            }
        }
        fails("file,Al\ns1,1\n", ["a row for every imported scan", "none for s2.xy"])
        fails("file,Al\ns1,1\ns2,1\ns3,1\n", ["line 4", "s3: no such scan"])
        fails("file,Al\ns1,1\ns1,2\ns2,1\n", ["line 3", "a second row for s1"])
        fails("file,Al\ns1,x\ns2,1\n", ["line 2, column Al", "an amount ≥ 0"])
        fails("name,Al\ns1,1\n", ["line 1", "a header file,<element>"])
        var mixed = scans
        mixed[1].axis = .qInverseAngstroms
        var s = ScanImport.Settings()
        s.compositions = dir.write("ok.csv", "file,Al\ns1,1\ns2,1\n")
        XCTAssertThrowsError(try ScanImport.build(scans: mixed, settings: s, name: "x")) { XCTAssertTrue("\($0)".contains("mixed units")) }
    }

    /// The real AERIS scans: each imports onto its own positions, Q = 4π sin θ/λ(Kα1) of the
    /// file's 2θ to 1e-6 relative (Float storage: 6e-8), the counts unchanged; all seven
    /// together resample onto their common range.
    func testDaraScansImport() throws {
        guard let dir = SharedData.dataset("dara-scans") else { throw XCTSkip("../shared/datasets/dara-scans not found") }
        let files = try ScanFiles.expand([dir.path])
        XCTAssertEqual(files.count, 7)
        let tmp = IOTempDir()
        var scans: [MeasuredScan] = []
        for file in files {
            let scan = try XCTUnwrap(ScanFiles.read(file).first)
            scans.append(scan)
            var s = ScanImport.Settings()
            let stem = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
            s.compositions = tmp.write("\(stem).csv", "file,A,B\n\(stem),1,1\n")
            let (lib, report, _) = try ScanImport.build(scans: [scan], settings: s, name: stem)
            XCTAssertTrue(report.grid.origin.contains("not resampled"), report.grid.origin)
            let lambda = try XCTUnwrap(scan.wavelength?.alpha1)
            XCTAssertEqual(lambda, 1.540598, accuracy: 1e-6)
            for (q, x) in zip(lib.q, scan.x) {
                let want = 4 * Double.pi * sin(x * Double.pi / 360) / (lambda / 10)
                XCTAssertEqual(Double(q), want, accuracy: 1e-6 * want, stem)
            }
            XCTAssertEqual(lib.patterns, scan.intensity.map { Float($0) }, "\(stem): counts unchanged")
        }
        var all = ScanImport.Settings()
        all.compositions = tmp.write(
            "all.csv", "file,A\n" + files.map { ((($0 as NSString).lastPathComponent) as NSString).deletingPathExtension + ",1\n" }.joined()
        )
        let (lib, report, _) = try ScanImport.build(scans: scans, settings: all, name: "dara")
        XCTAssertEqual(lib.sampleCount, 7)
        XCTAssertEqual(
            report.grid.qMin, scans.map { 4 * Double.pi * sin($0.x.first! * Double.pi / 360) / 0.1540598 }.max()!, accuracy: 1e-9)
        XCTAssertTrue(report.grid.origin.hasPrefix("overlap"), report.grid.origin)
    }

    /// `ScanExport` → the readers → `ScanImport` gives the library back: Q within Float
    /// precision, the patterns unchanged, the sample order and compositions kept, on every
    /// axis and format.
    func testExportImportRoundTrip() throws {
        let dir = IOTempDir()
        let n = 4, t = 60
        let q = (0..<t).map { Float(15 + 0.5 * Double($0)) }
        let patterns = (0..<(n * t)).map { Float(($0 * 37) % 101) + 0.25 }
        let compositions = (0..<n).flatMap { i -> [Double] in [Double(i) / 4, 1 - Double(i) / 4] }
        let lib = CompositionLibrary(name: "rt", elements: ["Al", "Fe"], q: q, patterns: patterns, compositions: compositions, phases: [])
        let cu = ScanWavelength(alpha1: 1.5406, origin: "test")
        for (format, axis) in [
            (ScanExport.Format.xy, ScanAxis.twoTheta), (.xye, .qInverseAngstroms), (.csv, .dAngstroms), (.xy, .qInverseNanometres)
        ] {
            let out = dir.file("\(format.rawValue)-\(axis.rawValue)")
            let files = try ScanExport.write(lib, to: out, format: format, axis: axis, wavelength: axis == .twoTheta ? cu : nil)
            XCTAssertEqual(files.count, n)
            var settings = ScanImport.Settings()
            settings.compositions = out + "/compositions.csv"
            let scans = try files.flatMap { try ScanFiles.read($0) }
            XCTAssertTrue(scans.allSatisfy { $0.axis == axis }, "\(format) \(axis): the axis is stated in every file")
            XCTAssertEqual(scans.first?.sigma != nil, format == .xye)
            let (back, report, _) = try ScanImport.build(scans: scans, settings: settings, name: "rt")
            XCTAssertTrue(report.grid.origin.contains("not resampled"), report.grid.origin)
            for (a, b) in zip(back.q, q) { XCTAssertEqual(a, b, accuracy: 1e-6 * b, "\(format) \(axis)") }
            XCTAssertEqual(back.patterns, patterns, "\(format) \(axis): patterns unchanged")
            XCTAssertEqual(back.compositions, compositions)
        }
        // Q beyond 4π/λ has no 2θ.
        XCTAssertThrowsError(
            try ScanExport.write(lib, to: dir.file("mo"), format: .xy, axis: .twoTheta, wavelength: ScanWavelength(alpha1: 9, origin: "t"))
        ) { XCTAssertTrue("\($0)".contains("no 2θ"), "\($0)") }
        XCTAssertThrowsError(try ScanExport.write(lib, to: dir.file("nw"), format: .xy, axis: .twoTheta, wavelength: nil))
    }

    /// Without a compositions CSV the scans make a library without compositions (M = 0), in the
    /// order given; it reads back, prepares with no composition graph and no Gibbs limit, and
    /// solves.
    func testLibraryWithoutCompositions() throws {
        let dir = IOTempDir()
        let syn = SyntheticLibrary.make(divisions: 4, gridCount: 150, qRange: 15...40, sticksPerPhase: 8, distractors: 2, seed: 9)
        let t = syn.library.gridCount
        let scans = (0..<syn.library.sampleCount).map { i in
            MeasuredScan(
                source: "s\(i).xy", axis: .qInverseNanometres, x: syn.library.q.map { Double($0) },
                intensity: syn.library.patterns[(i * t)..<((i + 1) * t)].map { Double($0) })
        }
        let (lib, report, sources) = try ScanImport.build(scans: scans, settings: ScanImport.Settings(), name: "nc")
        XCTAssertEqual(lib.elements, [])
        XCTAssertEqual(lib.compositions, [])
        XCTAssertEqual(sources, scans.map(\.source), "the order given")
        XCTAssertEqual(report.samples[3].composition, [:])
        let out = dir.file("nc")
        try ScanImport.write(library: lib, report: report, sources: sources, to: out)
        XCTAssertTrue(try String(contentsOfFile: out + "/instance.txt", encoding: .utf8).contains("\nM=0\nElements=\nN="))
        XCTAssertEqual(try String(contentsOfFile: out + "/samples.csv", encoding: .utf8).split(separator: "\n").first, "sample,source")
        try StickLibraryWriterForTests.write(syn.library, to: out + "/sticks.csv")
        let back = try LibraryLoader.load(directory: out)
        XCTAssertEqual(back.elementCount, 0)
        XCTAssertEqual(back.patterns, lib.patterns)
        var o = SolverOptions()
        o.hiddenLayers = [16]
        o.maxSteps = 60
        o.pretrainSteps = 20
        o.rampUnit = 2
        o.polishSteps = 10
        o.fineTuneSteps = 10
        o.walkPoolSize = 20
        let problem = try PreparedProblem(library: back, options: o)
        XCTAssertTrue(problem.graph.edges.isEmpty)
        XCTAssertEqual(problem.degrees, [Int](repeating: back.phaseCount, count: back.sampleCount), "no Gibbs limit unless given")
        XCTAssertTrue(problem.graphSource.hasPrefix("none"), problem.graphSource)
        let solution = try DRNetSolver(problem: problem, options: o, seed: 1).solve()
        XCTAssertEqual(solution.sampleCount, back.sampleCount)
        XCTAssertFalse(solution.usedPhases.isEmpty)
        XCTAssertEqual(solution.edges, [])
    }
}

/// `sticks.csv` of a library's candidate phases (the reader's four columns).
enum StickLibraryWriterForTests {
    static func write(_ library: CompositionLibrary, to path: String) throws {
        var text = "phase,name,q,intensity\n"
        for (k, phase) in library.phases.enumerated() {
            for (q, h) in zip(phase.q, phase.intensity) { text += "\(k),\(phase.name),\(q),\(h)\n" }
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
