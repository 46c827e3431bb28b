import DRNetEngine
import DRNetIO
import Foundation

/// A solution read from disk with its library: ours (a solution folder with `solution.json`
/// and/or `solution.txt`) or anyone's community key=value file.
public struct LoadedSolution: Sendable {
    /// The path given.
    public var path: String
    /// The solution in the community form (from `solution.txt`, or built from `solution.json`).
    public var community: CommunitySolution
    /// Our own metadata, when a `solution.json` was found.
    public var ours: PhaseMapSolution?
    public var library: CompositionLibrary
    public var libraryPath: String

    public init(path: String, community: CommunitySolution, ours: PhaseMapSolution?, library: CompositionLibrary, libraryPath: String) {
        self.path = path; self.community = community; self.ours = ours; self.library = library; self.libraryPath = libraryPath
    }

    /// The inputs of the rule checks: fractions (concentrations normalised per sample), shifts,
    /// the composition graph (the one the solve used when `solution.json` lists it, else the
    /// library's), d_i (the solve's, else the library's, else cations present), and phase
    /// compositions matched by name against the library's candidates.
    public func checkInput() throws -> CheckInput {
        let lib = library, c = community
        let n = c.sampleCount, k = c.phaseCount, m = lib.elementCount
        var fractions = [Double](repeating: 0, count: n * k)
        for i in 0..<n { for (j, w) in c.fractions(of: i).enumerated() { fractions[i * k + j] = w } }
        let graph: CompositionGraph
        if let edges = ours?.edges, !edges.isEmpty {
            graph = try CompositionGraph(sampleCount: n, edges: edges.map { Edge($0[0], $0[1]) })
        } else if let edges = lib.edges {
            graph = try CompositionGraph(sampleCount: n, edges: edges)
        } else if m == 0 {
            graph = try CompositionGraph(sampleCount: n, edges: [])  // no compositions: no graph
        } else {
            graph = try CompositionGraph.build(compositions: lib.compositions, elementCount: m)
        }
        let present = PreparedProblem.elementsPresent(lib)
        let degrees = ours?.degreesOfFreedom ?? lib.degreesOfFreedom ?? PreparedProblem.defaultDegrees(lib, elementsPresent: present)
        let names = c.phaseNames ?? (1...k).map { "phase \($0)" }
        let phaseComps: [[Double]?] = names.map { name in
            guard c.phaseNames != nil, let pc = lib.phaseCompositions,
                let idx = lib.phases.firstIndex(where: { $0.name == name })
            else { return nil }
            return Array(pc[(idx * m)..<((idx + 1) * m)])
        }
        var recon = ReconstructionError.compute(solution: c, patterns: lib.patterns, gridCount: lib.gridCount)
        if recon == nil, let l = c.loss, let share = c.lossProportion {
            recon = zip(l, share).map { ReconstructionError.Sample(l1: $0, share: $1) }
        }
        return CheckInput(
            phaseNames: names, fractions: fractions, shifts: c.shifts, graph: graph, degrees: degrees,
            elementsPresent: present, elements: lib.elements, compositions: lib.compositions,
            phaseCompositions: phaseComps, reconstruction: recon)
    }
}

public enum SolutionLoader {
    /// Loads `path`: a solution folder (`solution.txt` preferred for the solution, `solution.json`
    /// for metadata), a community `.txt` file, or a `solution.json`. The library is `libraryPath`
    /// or the one named in `solution.json` (`libraryPath`).
    public static func load(path: String, libraryPath: String? = nil, degreesOfFreedomPath: String? = nil) throws -> LoadedSolution {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDir) else {
            throw InputError(file: path, expected: "a solution folder or a solution file", found: "no such file or folder")
        }
        var txt: String?, json: String?
        if isDir.boolValue {
            // A replacement a killed run left half done is finished first (SolutionCommit).
            try SolutionCommit.recover(path)
            let t = path + "/solution.txt", j = path + "/solution.json"
            txt = fm.fileExists(atPath: t) ? t : nil
            json = fm.fileExists(atPath: j) ? j : nil
            if txt == nil && json == nil {
                throw InputError(file: path, expected: "a solution folder with solution.txt or solution.json", found: "neither file")
            }
        } else if path.hasSuffix(".json") {
            json = path
        } else {
            txt = path
            let sibling = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("solution.json").path
            // Our metadata beside our own solution.txt (not beside a foreign file of another name).
            if URL(fileURLWithPath: path).lastPathComponent == "solution.txt", fm.fileExists(atPath: sibling) { json = sibling }
        }
        var ours: PhaseMapSolution?
        if let json { ours = try SolutionFile.read(path: json) }
        guard let libPath = libraryPath ?? ours?.libraryPath else {
            throw InputError(
                file: path, expected: "the library folder (--library DIR)",
                found: "no solution.json naming it")
        }
        guard fm.fileExists(atPath: libPath) else {
            throw InputError(
                file: libPath, location: libraryPath == nil ? "libraryPath in solution.json" : "--library",
                expected: "the library folder the solution was made for (give it with --library DIR)", found: "no such folder")
        }
        let lib = try LibraryLoader.load(directory: libPath, degreesOfFreedomPath: degreesOfFreedomPath)
        var community: CommunitySolution
        if let txt {
            community = try CommunitySolutionReader.read(path: txt)
        } else {
            let s = ours!
            let rendered = rerendered(s, lib)
            community = CommunitySolution(
                solution: s, library: lib, contributions: rendered?.contributions, background: rendered?.background)
            community.loss = s.reconstructionError
            community.lossProportion = s.reconstructionErrorShare
        }
        let source = txt ?? json!
        guard community.sampleCount == lib.sampleCount else {
            throw InputError(
                file: source, location: "C1…C\(community.sampleCount)",
                expected: "one C<i> per sample of the library \(libPath) (\(lib.sampleCount))", found: "\(community.sampleCount)")
        }
        if community.contributions != nil && community.gridCount != lib.gridCount {
            throw InputError(
                file: source, location: "key Q", expected: "the library's Q grid (\(lib.gridCount) values)",
                found: "\(community.gridCount) values")
        }
        if let s = ours, s.sampleCount != lib.sampleCount {
            throw InputError(
                file: json!, location: "sampleCount", expected: "\(lib.sampleCount) (the library's)", found: "\(s.sampleCount)")
        }
        return LoadedSolution(path: path, community: community, ours: ours, library: lib, libraryPath: libPath)
    }

    /// Per-phase contributions (N×K×T) and fitted backgrounds (N×T, nil without one) re-rendered
    /// from `solution.json` (fractions, shifts, log-variances, background coefficients; the Kα2
    /// line when the run rendered it, the pseudo-Voigt mixing, the instrument offsets) with the decoder,
    /// in max-normalised units —
    /// exact when the solve used neither intensity factors nor peak fattening (nil otherwise:
    /// those latents are not in solution.json; `solve` writes the exact R to solution.txt).
    static func rerendered(_ s: PhaseMapSolution, _ lib: CompositionLibrary) -> (contributions: [Float], background: [Float]?)? {
        guard s.settings.intensityFactorMax <= 1, !s.settings.peakFattening, s.phaseCount == lib.phaseCount,
            lib.sampleCount == s.sampleCount
        else { return nil }
        let fit = s.background.flatMap {
            $0.count >= BackgroundBasis.minimumCount && $0.coefficients.count == s.sampleCount * $0.count ? $0 : nil
        }
        var phases = lib.phases
        if s.settings.kAlpha2, let line = lib.secondLine { phases = phases.map { PreparedProblem.withSecondLine($0, line) } }
        let offsets = s.instrumentOffsets.flatMap { $0.count == 2 * s.sampleCount ? $0 : nil }
        let decoder = PeakDecoder(
            phases: phases, q: lib.q, windowSigmas: s.settings.windowSigmas, epsilon: s.settings.epsilon,
            backgroundCoefficients: fit?.count ?? 0, offsetWavelength: offsets != nil ? s.offsetWavelength : nil)
        let render = SampleRender(decoder: decoder)
        let p = s.phaseCount, t = lib.gridCount, used = s.usedPhases, k = used.count, c = fit?.count ?? 0
        var out = [Float](repeating: 0, count: s.sampleCount * k * t)
        var background = fit.map { _ in [Float](repeating: 0, count: s.sampleCount * t) }
        for i in 0..<s.sampleCount {
            let w = Array(s.fractions[(i * p)..<((i + 1) * p)])
            let present = (0..<p).filter { w[$0] > 0 }.map { Int32($0) }
            guard !present.isEmpty else { continue }
            let sh = Array(s.shifts[(i * p)..<((i + 1) * p)]), v = Array(s.logVariances[(i * p)..<((i + 1) * p)])
            let beta = fit.map { Array($0.coefficients[(i * c)..<((i + 1) * c)]) }
            let eta = s.peakMixing.flatMap { $0.count == p ? $0 : nil }
            let offset = offsets.map { o in [o[2 * i], o[2 * i + 1]].map { $0 * .pi / 180 } }
            beta.withOptionalPointer { b in
                eta.withOptionalPointer { e in
                    offset.withOptionalPointer { o in
                        decoder.render(
                            phases: present, shifts: sh, logVariances: v, fractions: w, background: b, mixing: e, offsets: o,
                            into: render)
                    }
                }
            }
            let inv = 1 / render.mixtureNormaliser
            for (j, kk) in used.enumerated() where w[kk] > 0 {
                let row = render.basisRow(kk)
                for q in 0..<t { out[(i * k + j) * t + q] = w[kk] * row[q] * inv }
            }
            if background != nil { for q in 0..<t { background![i * t + q] = render.backgroundCurve[q] * inv } }
        }
        return (out, background)
    }
}

extension Optional where Wrapped == [Float] {
    /// Calls `body` with a pointer to the array's elements, or nil when there is no array.
    fileprivate func withOptionalPointer<R>(_ body: (UnsafePointer<Float>?) -> R) -> R {
        guard let array = self else { return body(nil) }
        return array.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
