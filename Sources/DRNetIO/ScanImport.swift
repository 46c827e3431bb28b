import DRNetEngine
import Foundation

/// Builds a library from a user's measured scans (`drnet import`): every scan converted to Q in
/// nm⁻¹, checked, and resampled onto one Q grid, with the samples' compositions (or none: a
/// library without compositions, M = 0); the result is a
/// library folder that `drnet solve` reads (`instance.txt`), plus `import.json` (per sample: the
/// source file, its axis and unit and where they came from, the wavelength(s) and their origin,
/// the resampling) and `samples.csv` (sample index, source file, composition).
///
/// Units (never assumed): Q = 4π sin θ / λ (λ(Kα1) for a doublet), 1 Å⁻¹ = 10 nm⁻¹, d = 2π / Q.
/// A 2θ axis needs a wavelength from the file or from `Settings.wavelength`; a wavelength given
/// for a file that states another is an error unless `wavelengthOverride`.
///
/// Resampling: linear interpolation of the intensities onto the grid; σ, when present,
/// propagated as σ(q) = √((1 − t)²σ₀² + t²σ₁²) for q = (1 − t)q₀ + t·q₁. The default grid is
/// uniform in Q over the overlap of all scans, with as many points there as the densest scan
/// has — except that scans measured on identical positions keep them, unresampled;
/// `qMin`/`qMax`/`qStep` set it explicitly. A scan that does not cover the grid is an error
/// naming it.
public enum ScanImport {
    /// What the user says about the scans (command-line flags).
    public struct Settings: Sendable {
        /// The axis of files that do not state theirs (`--axis`); a file that states another is an error.
        public var axis: ScanAxis?
        /// `--wavelength`: a number of Å, a line (`CuKa1`) or an anode's Kα doublet (`CuKa`).
        public var wavelength: String?
        /// Use `wavelength` even where a file states a different one.
        public var wavelengthOverride = false
        /// The Q grid in nm⁻¹ (all three or none).
        public var qMin: Double?
        public var qMax: Double?
        public var qStep: Double?
        /// CSV `file,<element>…`: each scan's composition (file name with or without extension).
        public var compositions: String?
        /// Subtract a SNIP background (`SNIPBackground`) with this clipping half-window (nm⁻¹)
        /// from every resampled pattern (clipped at 0); nil: the patterns as measured.
        public var snipWindow: Double?

        public init() {}
    }

    /// One imported sample as `import.json` records it.
    public struct SampleRecord: Codable, Sendable, Equatable {
        public var sample: Int
        public var source: String
        public var scanIndex: Int?
        public var axis: ScanAxis
        /// "file" (the file states it) or "--axis".
        public var axisOrigin: String
        public var wavelength: ScanWavelength?
        public var points: Int
        /// The scan's Q range in nm⁻¹ after conversion.
        public var qRange: [Double]
        public var hasSigma: Bool
        public var composition: [String: Double]
    }

    /// The resampling grid as `import.json` records it.
    public struct GridRecord: Codable, Sendable, Equatable {
        public var qMin: Double
        public var qMax: Double
        public var qStep: Double
        public var points: Int
        public var origin: String
        public var interpolation = "linear (σ propagated where given)"
    }

    /// `import.json`.
    public struct Report: Codable, Sendable, Equatable {
        public var version = 1
        public var unit = "Q in nm^-1 = 4π sin θ / λ(Kα1); 1 Å^-1 = 10 nm^-1; d = 2π/Q"
        public var elements: [String]
        public var grid: GridRecord
        public var samples: [SampleRecord]
        /// The background subtracted at import (nil: none).
        public var background: BackgroundRecord?
    }

    /// What `--background` did, as `import.json` records it.
    public struct BackgroundRecord: Codable, Sendable, Equatable {
        public var method = "SNIP (LLS transform), subtracted and clipped at 0; σ left as measured"
        /// The clipping half-window in nm⁻¹ and in grid points.
        public var windowNm: Double
        public var windowPoints: Int
    }

    /// A scan on its own Q axis (nm⁻¹, ascending).
    public struct ConvertedScan: Sendable {
        public var scan: MeasuredScan
        public var q: [Double]
        public var intensity: [Double]
        public var sigma: [Double]?
        public var axis: ScanAxis
        public var axisOrigin: String
        public var wavelength: ScanWavelength?
    }

    /// Smallest number of points a scan may have.
    public static let minimumPoints = 10

    static func name(_ scan: MeasuredScan) -> String {
        scan.scanIndex.map { "\(scan.source) (scan \($0 + 1))" } ?? scan.source
    }

    /// Checks `scan` and converts its x axis to Q in nm⁻¹ (ascending).
    public static func convert(_ scan: MeasuredScan, settings: Settings) throws -> ConvertedScan {
        let file = name(scan)
        let n = scan.x.count
        guard n == scan.intensity.count, scan.sigma.map({ $0.count == n }) ?? true else {
            throw InputError(
                file: file, expected: "as many intensities (and σ) as x values", found: "\(n) x, \(scan.intensity.count) intensities")
        }
        guard n >= minimumPoints else {
            throw InputError(file: file, expected: "a scan of at least \(minimumPoints) points", found: "\(n)")
        }
        for i in 0..<n {
            guard scan.x[i].isFinite, scan.intensity[i].isFinite, scan.sigma.map({ $0[i].isFinite }) ?? true else {
                throw InputError(
                    file: file, location: "point \(i + 1)", expected: "finite numbers", found: "x \(scan.x[i]), I \(scan.intensity[i])")
            }
            guard scan.intensity[i] >= 0 else {
                throw InputError(
                    file: file, location: "point \(i + 1)", expected: "a non-negative intensity", found: "\(scan.intensity[i])")
            }
            if i > 0, !(scan.x[i] > scan.x[i - 1]) {
                throw InputError(
                    file: file, location: "point \(i + 1)", expected: "strictly increasing x values",
                    found: scan.x[i] == scan.x[i - 1] ? "x = \(scan.x[i]) repeated" : "x = \(scan.x[i]) after \(scan.x[i - 1])")
            }
        }
        // The axis: the file's, else --axis; both and different is an error.
        let axis: ScanAxis, axisOrigin: String
        switch (scan.axis, settings.axis) {
        case let (file?, flag?) where file != flag:
            throw InputError(
                file: name(scan), expected: "the axis --axis \(flag.rawValue) gives", found: "the file states \(file.rawValue)")
        case let (file?, _):
            (axis, axisOrigin) = (file, "file")
        case let (nil, flag?):
            (axis, axisOrigin) = (flag, "--axis")
        case (nil, nil):
            throw InputError(
                file: file, expected: "an axis unit in the file or --axis 2theta|q-nm|q-A|d-A", found: "neither (the unit is never assumed)"
            )
        }
        // The wavelength: needed for 2θ; recorded whenever known.
        var wavelength = scan.wavelength
        if let text = settings.wavelength {
            let given: ScanWavelength
            do { given = try ScanWavelength.named(text) } catch let e as ConfigurationError {
                throw InputError(file: "--wavelength", expected: "a number of Å or a known line", found: e.description)
            }
            if let own = scan.wavelength, abs(own.alpha1 - given.alpha1) > 1e-4, !settings.wavelengthOverride {
                throw InputError(
                    file: file, expected: "the wavelength --wavelength \(text) gives (\(given.alpha1) Å)",
                    found: "the file states Kα1 = \(own.alpha1) Å (\(own.origin)); pass --wavelength-override to use yours")
            }
            if scan.wavelength == nil || settings.wavelengthOverride { wavelength = given }
        }
        if let w = wavelength, !(w.alpha1 > 0 && w.alpha1 <= 10) {
            throw InputError(file: file, expected: "a wavelength in (0, 10] Å", found: "\(w.alpha1) Å (\(w.origin))")
        }
        var q: [Double], y = scan.intensity, s = scan.sigma
        switch axis {
        case .twoTheta:
            guard let w = wavelength else {
                throw InputError(file: file, expected: "a wavelength for its 2θ axis (in the file or --wavelength)", found: "none")
            }
            if let bad = scan.x.firstIndex(where: { !($0 > 0 && $0 < 180) }) {
                throw InputError(file: file, location: "point \(bad + 1)", expected: "2θ in (0°, 180°)", found: "\(scan.x[bad])°")
            }
            let lambdaNm = w.alpha1 / 10
            q = scan.x.map { 4 * Double.pi * sin($0 * Double.pi / 360) / lambdaNm }
        case .qInverseNanometres:
            q = scan.x
        case .qInverseAngstroms:
            q = scan.x.map { $0 * 10 }
        case .dAngstroms:
            if let bad = scan.x.firstIndex(where: { !($0 > 0) }) {
                throw InputError(file: file, location: "point \(bad + 1)", expected: "d > 0 Å", found: "\(scan.x[bad])")
            }
            q = scan.x.map { 2 * Double.pi / $0 * 10 }
            q.reverse()
            y.reverse()
            s?.reverse()
        }
        if let bad = q.firstIndex(where: { !($0 > 0) }) {
            throw InputError(file: file, location: "point \(bad + 1)", expected: "Q > 0", found: "\(q[bad]) nm⁻¹")
        }
        return ConvertedScan(scan: scan, q: q, intensity: y, sigma: s, axis: axis, axisOrigin: axisOrigin, wavelength: wavelength)
    }

    /// The grid: explicit, or uniform over the overlap of all scans with the densest scan's
    /// number of points there.
    public static func grid(for scans: [ConvertedScan], settings: Settings) throws -> (q: [Double], record: GridRecord) {
        let given = [settings.qMin, settings.qMax, settings.qStep].compactMap { $0 }
        if !given.isEmpty {
            guard let lo = settings.qMin, let hi = settings.qMax, let step = settings.qStep else {
                throw InputError(file: "--q-min/--q-max/--q-step", expected: "all three or none", found: "\(given.count) of them")
            }
            guard lo > 0, hi > lo, step > 0, (hi - lo) / step >= Double(minimumPoints - 1), (hi - lo) / step < 1e7 else {
                throw InputError(
                    file: "--q-min/--q-max/--q-step", expected: "0 < q-min < q-max and at least \(minimumPoints) points",
                    found: "\(lo), \(hi), step \(step)")
            }
            let count = Int(((hi - lo) / step + 1e-9).rounded(.down)) + 1
            let q = (0..<count).map { lo + Double($0) * step }
            return (q, GridRecord(qMin: lo, qMax: q.last!, qStep: step, points: count, origin: "--q-min/--q-max/--q-step"))
        }
        // Scans measured on the same positions keep them: no resampling at all.
        let own = scans[0].q
        if scans.dropFirst().allSatisfy({ $0.q.count == own.count && zip($0.q, own).allSatisfy { abs($0 - $1) <= 1e-12 * $1 } }) {
            return (
                own,
                GridRecord(
                    qMin: own.first!, qMax: own.last!, qStep: (own.last! - own.first!) / Double(own.count - 1), points: own.count,
                    origin: "the scans' own positions (identical in every scan): not resampled")
            )
        }
        let lo = scans.map { $0.q.first! }.max()!, hi = scans.map { $0.q.last! }.min()!
        guard hi > lo else {
            let first = scans.max { $0.q.first! < $1.q.first! }!, last = scans.min { $0.q.last! < $1.q.last! }!
            throw InputError(
                file: name(first.scan), expected: "scans whose Q ranges overlap",
                found: "it starts at \(first.q.first!) nm⁻¹, after \(name(last.scan)) ends at \(last.q.last!) nm⁻¹")
        }
        let count = max(minimumPoints, scans.map { s in s.q.filter { $0 >= lo && $0 <= hi }.count }.max()!)
        let step = (hi - lo) / Double(count - 1)
        let q = (0..<count).map { $0 == count - 1 ? hi : lo + Double($0) * step }
        return (
            q, GridRecord(qMin: lo, qMax: hi, qStep: step, points: count, origin: "overlap of all scans, the densest scan's density")
        )
    }

    /// Linear interpolation of `scan` onto `grid` (which the scan must cover).
    public static func resample(_ scan: ConvertedScan, onto grid: [Double]) throws -> (intensity: [Double], sigma: [Double]?) {
        let q = scan.q
        guard grid.first! >= q.first! - 1e-9 * q.first!, grid.last! <= q.last! + 1e-9 * q.last! else {
            throw InputError(
                file: name(scan.scan), expected: "a scan covering the Q grid \(grid.first!)…\(grid.last!) nm⁻¹",
                found: "Q \(q.first!)…\(q.last!) nm⁻¹")
        }
        var out = [Double](repeating: 0, count: grid.count)
        var sig: [Double]? = scan.sigma.map { _ in [Double](repeating: 0, count: grid.count) }
        var j = 0
        for (i, g) in grid.enumerated() {
            while j < q.count - 2 && q[j + 1] < g { j += 1 }
            let t = min(max((g - q[j]) / (q[j + 1] - q[j]), 0), 1)
            out[i] = (1 - t) * scan.intensity[j] + t * scan.intensity[j + 1]
            if let s = scan.sigma {
                sig![i] = ((1 - t) * (1 - t) * s[j] * s[j] + t * t * s[j + 1] * s[j + 1]).squareRoot()
            }
        }
        return (out, sig)
    }

    /// Each scan's composition from the CSV `file,<element>…` (rows normalised to fractions),
    /// and the scans in the CSV's order.
    public static func compositions(_ path: String, scans: [ConvertedScan]) throws -> (
        elements: [String], order: [Int], rows: [[Double]]
    ) {
        let f = try InputFile(path: path)
        let lines = f.nonBlankLines().filter { !f.string($0).hasPrefix("#") }
        guard let header = lines.first else { throw InputError(file: path, expected: "a header file,<element>…", found: "an empty file") }
        let names = f.csvFields(header).map { f.string($0).trimmingCharacters(in: .whitespaces) }
        guard names.count >= 2, names[0].lowercased() == "file" else {
            throw InputError(
                file: path, location: "line \(header.number)", expected: "a header file,<element>…", found: names.joined(separator: ","))
        }
        let elements = Array(names.dropFirst())
        func key(_ s: String) -> String { (s as NSString).lastPathComponent }
        func stem(_ s: String) -> String { (key(s) as NSString).deletingPathExtension }
        var order: [Int] = [], rows: [[Double]] = [], used = Set<Int>()
        for line in lines.dropFirst() {
            let fields = f.csvFields(line)
            let where_ = "line \(line.number)"
            guard fields.count == names.count else {
                throw InputError(file: path, location: where_, expected: "\(names.count) fields", found: "\(fields.count)")
            }
            let file = f.string(fields[0]).trimmingCharacters(in: .whitespaces)
            let matches = scans.indices.filter { key(scans[$0].scan.source) == key(file) || stem(scans[$0].scan.source) == file }
            guard !matches.isEmpty else {
                throw InputError(
                    file: path, location: where_, expected: "a row for one of the imported scans", found: "\(file): no such scan")
            }
            var amounts: [Double] = []
            for (c, field) in fields.dropFirst().enumerated() {
                guard let v = f.double(field), v.isFinite, v >= 0 else {
                    throw InputError(
                        file: path, location: "\(where_), column \(elements[c])", expected: "an amount ≥ 0", found: "\"\(f.string(field))\""
                    )
                }
                amounts.append(v)
            }
            let total = amounts.reduce(0, +)
            guard total > 0 else {
                throw InputError(file: path, location: where_, expected: "a composition with some amount", found: "all 0")
            }
            for i in matches {
                guard used.insert(i).inserted else {
                    throw InputError(file: path, location: where_, expected: "one row per scan", found: "a second row for \(file)")
                }
                order.append(i)
                rows.append(amounts.map { $0 / total })
            }
        }
        if let missing = scans.indices.first(where: { !used.contains($0) }) {
            throw InputError(file: path, expected: "a row for every imported scan", found: "none for \(name(scans[missing].scan))")
        }
        return (elements, order, rows)
    }

    /// Converts, checks and resamples `scans`, and orders them by the compositions CSV.
    public static func build(scans: [MeasuredScan], settings: Settings, name: String) throws -> (
        library: CompositionLibrary, report: Report, sources: [String]
    ) {
        guard !scans.isEmpty else { throw InputError(file: name, expected: "at least one scan", found: "none") }
        let converted = try scans.map { try convert($0, settings: settings) }
        if let other = converted.first(where: { $0.axis != converted[0].axis }) {
            throw InputError(
                file: Self.name(other.scan), expected: "the same axis as \(Self.name(converted[0].scan)) (\(converted[0].axis.rawValue))",
                found: "\(other.axis.rawValue): mixed units across the scans")
        }
        // Without a compositions CSV: a library without compositions (M = 0), the scans in the
        // order given (a folder's in natural order of their names).
        let (elements, order, rows) =
            try settings.compositions.map { try Self.compositions($0, scans: converted) }
            ?? ([], Array(converted.indices), converted.map { _ in [] })
        let (grid, gridRecord) = try grid(for: converted, settings: settings)
        var patterns: [Float] = [], compositions: [Double] = [], records: [SampleRecord] = [], sources: [String] = []
        patterns.reserveCapacity(order.count * grid.count)
        var background: BackgroundRecord?
        if let w = settings.snipWindow {
            guard w.isFinite, w > 0 else {
                throw InputError(file: "--background", expected: "snip or snip:W with a window W > 0 nm⁻¹", found: "W = \(w)")
            }
            let step = grid.count >= 2 ? (grid[grid.count - 1] - grid[0]) / Double(grid.count - 1) : 1
            background = BackgroundRecord(windowNm: w, windowPoints: max(1, Int((w / step).rounded())))
        }
        for (sample, i) in order.enumerated() {
            let c = converted[i]
            var (y, _) = try resample(c, onto: grid)
            if let b = background {
                let bg = SNIPBackground.estimate(y, windowPoints: b.windowPoints)
                y = zip(y, bg).map { max(0, $0 - $1) }
            }
            patterns += y.map { Float($0) }
            compositions += rows[sample]
            sources.append(c.scan.source)
            records.append(
                SampleRecord(
                    sample: sample, source: c.scan.source, scanIndex: c.scan.scanIndex, axis: c.axis, axisOrigin: c.axisOrigin,
                    wavelength: c.wavelength, points: c.q.count, qRange: [c.q.first!, c.q.last!], hasSigma: c.sigma != nil,
                    composition: Dictionary(uniqueKeysWithValues: zip(elements, rows[sample]))))
        }
        if let bad = (0..<order.count).first(where: { i in !(patterns[(i * grid.count)..<((i + 1) * grid.count)].max()! > 0) }) {
            throw InputError(file: sources[bad], expected: "a pattern with some positive intensity on the Q grid", found: "all 0")
        }
        let library = CompositionLibrary(
            name: name, elements: elements, q: grid.map { Float($0) }, patterns: patterns, compositions: compositions, phases: [])
        return (library, Report(elements: elements, grid: gridRecord, samples: records, background: background), sources)
    }

    /// Writes the library folder: `instance.txt`, `import.json`, `samples.csv` — into a staging
    /// folder beside `directory` that replaces it only when complete (no partial folder is left
    /// behind on an error). An existing non-empty `directory` is refused unless `overwrite`.
    public static func write(
        library: CompositionLibrary, report: Report, sources: [String], to directory: String, overwrite: Bool = false
    ) throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: directory, isDirectory: &isDir) {
            guard isDir.boolValue else { throw InputError(file: directory, expected: "a folder for the library", found: "a file") }
            let contents = (try? fm.contentsOfDirectory(atPath: directory)) ?? []
            guard contents.isEmpty || overwrite else {
                throw InputError(
                    file: directory, expected: "an empty or new folder (or --overwrite)",
                    found: "\(contents.count) \(contents.count == 1 ? "entry" : "entries")")
            }
        }
        let staging = directory + ".importing-\(getpid())"
        try? fm.removeItem(atPath: staging)
        // Errors name the library folder the user asked for, not its staging copy.
        func failure(_ error: Error, _ action: String) -> Error {
            var e = (error as? OutputError) ?? OutputError.from(error, file: directory, action: action)
            if e.file.hasPrefix(staging) { e.file = directory + e.file.dropFirst(staging.count) }
            return e
        }
        do { try SolutionCommit.createFolder(staging) } catch { throw failure(error, "create the library folder") }
        do {
            try AtomicFile.write(
                InstanceTextWriter.text(
                    library,
                    comment: "drnet import: \(library.sampleCount) scans; Q in nm^-1; samples.csv and import.json say where each came from",
                    precision: .roundTrip), to: staging + "/instance.txt")
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try AtomicFile.write(try encoder.encode(report), to: staging + "/import.json")
            var csv = "sample,source" + library.elements.map { "," + $0 }.joined() + "\n"
            let m = library.elementCount
            for i in 0..<library.sampleCount {
                let comp = (0..<m).map { "\(library.compositions[i * m + $0])" }.joined(separator: ",")
                csv += "\(i),\(FractionTable.quoteIfNeeded(sources[i]))" + (m > 0 ? ",\(comp)" : "") + "\n"
            }
            try AtomicFile.write(csv, to: staging + "/samples.csv")
            if fm.fileExists(atPath: directory) {
                // Keep files the user put there (e.g. sticks.csv) unless we replace them.
                for entry in (try? fm.contentsOfDirectory(atPath: directory)) ?? [] where !fm.fileExists(atPath: staging + "/" + entry) {
                    try SolutionCommit.move(directory + "/" + entry, staging + "/" + entry)
                }
                // What is left are the files the new library replaces.
                do { try fm.removeItem(atPath: directory) } catch {
                    throw OutputError.from(error, file: directory, action: "replace the folder")
                }
            }
            try SolutionCommit.move(staging, directory)
        } catch {
            try? fm.removeItem(atPath: staging)
            throw failure(error, "write the library")
        }
    }
}
