import Foundation

/// A library turned into what the solver consumes: max-normalised patterns, the allowed-phase
/// mask, degrees of freedom and the composition graph. All N×… matrices row-major.
public struct PreparedProblem: Sendable {
    public let library: CompositionLibrary
    /// x̃_i = x_i / (max_t x_i + ε), N×T.
    public let normalised: [Float]
    /// Allowed phases m_ik ∈ {0, 1}, N×P over the library's candidates.
    public let mask: [Float]
    /// d_i: the Gibbs limit per sample.
    public let degrees: [Int]
    /// Number of cations present at each sample (fraction above `presenceThreshold`).
    public let elementsPresent: [Int]
    public let graph: CompositionGraph
    /// Where the mask came from, for the solution's metadata.
    public let maskSource: String
    public let graphSource: String
    /// What the user should know before the run: candidates left out because none of their
    /// sticks falls inside the Q grid, the library's own warnings. Carried into the solution.
    public let warnings: [String]
    /// The peak width measured in the patterns before solving (`PeakWidthEstimate`), nil when no
    /// peak could be measured.
    public let peakWidth: PeakWidthEstimate?
    /// The share of the patterns' intensity under a smooth baseline (`BaselineEstimate`), nil
    /// when it could not be measured.
    public let baseline: BaselineEstimate?
    /// What the decoder renders beyond each stick (the Kα2 line), for the run's first lines; nil
    /// when it renders one line.
    public let doubletNote: String?

    /// `phase` with every stick also at q·qRatio with intensityRatio of its intensity (appended
    /// after the original sticks; the strongest stick, and so the normalisation, is unchanged).
    public static func withSecondLine(_ phase: CandidatePhase, _ line: CompositionLibrary.SecondLine) -> CandidatePhase {
        var out = phase
        out.q += phase.q.map { Float(Double($0) * line.qRatio) }
        out.intensity += phase.intensity.map { Float(Double($0) * line.intensityRatio) }
        return out
    }

    public var sampleCount: Int { library.sampleCount }
    public var gridCount: Int { library.gridCount }
    public var phaseCount: Int { library.phaseCount }

    /// Elements present at a sample: cation fraction above this.
    public static let presenceThreshold = 1e-3

    /// The number of cations present at each sample of `lib` (fraction above `presenceThreshold`).
    public static func elementsPresent(_ lib: CompositionLibrary) -> [Int] {
        let m = lib.elementCount
        return (0..<lib.sampleCount).map { i in (0..<m).filter { lib.compositions[i * m + $0] > presenceThreshold }.count }
    }

    /// Degrees of freedom when none are given: the number of cations present (at least 1);
    /// without compositions (M = 0) no Gibbs limit, i.e. every candidate (P).
    public static func defaultDegrees(_ lib: CompositionLibrary, elementsPresent present: [Int]) -> [Int] {
        lib.elementCount == 0 ? [Int](repeating: max(1, lib.phaseCount), count: lib.sampleCount) : present.map { max(1, $0) }
    }

    public init(library given: CompositionLibrary, options: SolverOptions) throws {
        var lib = given
        var doubletNote: String?
        if options.kAlpha2, let line = given.secondLine {
            lib.phases = given.phases.map { Self.withSecondLine($0, line) }
            doubletNote =
                "rendering the second line of the doublet: every stick also at q × \(String(format: "%.6f", line.qRatio)) "
                + "with \(Self.format(line.intensityRatio)) of its intensity (\(line.origin); kAlpha2: false turns it off)"
        }
        library = lib
        let n = lib.sampleCount, t = lib.gridCount, p = lib.phaseCount, m = lib.elementCount
        var x = [Float](repeating: 0, count: n * t)
        for i in 0..<n {
            var mx: Float = 0
            for j in 0..<t { mx = max(mx, lib.patterns[i * t + j]) }
            let inv = 1 / (mx + Float(options.epsilon))
            for j in 0..<t { x[i * t + j] = lib.patterns[i * t + j] * inv }
        }
        normalised = x

        let present = Self.elementsPresent(lib)
        elementsPresent = present
        degrees = lib.degreesOfFreedom ?? Self.defaultDegrees(lib, elementsPresent: present)

        // Mask: an explicit per-sample mask is used as given; otherwise the element rule (a phase
        // is allowed where every cation it contains is present) when phase compositions are known
        // and the rule is on; otherwise every phase everywhere.
        var mask = [Float](repeating: 1, count: n * p)
        if let sm = lib.sampleMask {
            for i in 0..<(n * p) { mask[i] = sm[i] != 0 ? 1 : 0 }
            maskSource = lib.sources.sampleMask ?? "explicit sample mask"
        } else if let pc = lib.phaseCompositions, options.elementRule {
            for i in 0..<n {
                for k in 0..<p {
                    var allowed = true
                    for e in 0..<m where pc[k * m + e] > Self.presenceThreshold && lib.compositions[i * m + e] <= Self.presenceThreshold {
                        allowed = false
                    }
                    mask[i * p + k] = allowed ? 1 : 0
                }
            }
            maskSource = "element rule"
        } else {
            maskSource = "all phases allowed"
        }
        // Candidates that cannot contribute: no stick inside the grid (a unit mix-up, Å⁻¹ vs nm⁻¹,
        // or a stick file for another Q range). None at all is an error; some are left out.
        var notes: [String] = []
        let qLow = lib.q.first ?? 0, qHigh = lib.q.last ?? 0
        let inside = lib.phases.map { ph in zip(ph.q, ph.intensity).contains { $0.0 >= qLow && $0.0 <= qHigh && $0.1 > 0 } }
        if p > 0 && !inside.contains(true) {
            let all = lib.phases.flatMap(\.q)
            throw ConfigurationError(
                "no candidate phase has a stick inside the Q grid (\(Self.format(qLow))…\(Self.format(qHigh)) nm⁻¹); the sticks lie at "
                    + "\(Self.format(all.min() ?? 0))…\(Self.format(all.max() ?? 0)) nm⁻¹. Q is in nm⁻¹ everywhere (1 Å⁻¹ = 10 nm⁻¹): "
                    + "compute the sticks for the grid's range (drnet sticks --qmin/--qmax) or check the patterns' axis")
        }
        let outside = (0..<p).filter { !inside[$0] }
        if !outside.isEmpty {
            for i in 0..<n { for k in outside { mask[i * p + k] = 0 } }
            notes.append(
                "\(outside.count) candidate(s) have no stick inside the Q grid (\(Self.format(qLow))…\(Self.format(qHigh)) nm⁻¹) and are left out: "
                    + outside.prefix(8).map { lib.phases[$0].name }.joined(separator: ", ") + (outside.count > 8 ? ", …" : ""))
        }
        // Peaks the settings allow must be resolvable on the grid: the widest σ at least half the
        // median grid step (narrower peaks fall between grid points and render as nothing).
        if t >= 2 {
            let steps = (1..<t).map { Double(lib.q[$0] - lib.q[$0 - 1]) }.sorted()
            let step = steps[steps.count / 2]
            let widest = exp(0.5 * (options.logVarianceCentre + options.logVarianceRange))
            if widest < 0.5 * step {
                throw ConfigurationError(
                    "the widest peaks the settings allow (σ = \(Self.format(widest)) nm⁻¹, from logVarianceCentre + logVarianceRange = "
                        + "\(options.logVarianceCentre + options.logVarianceRange)) are narrower than half the Q grid's step "
                        + "(\(Self.format(step)) nm⁻¹): they fall between grid points. Raise logVarianceCentre/logVarianceRange "
                        + "or use a finer grid")
            }
        }
        for i in 0..<n where !(0..<p).contains(where: { mask[i * p + $0] > 0 }) {
            throw ConfigurationError(
                "sample \(i) has no allowed candidate phase under the \(maskSource)"
                    + (outside.isEmpty ? "" : " (after leaving out the candidates without a stick in the Q grid)"))
        }
        self.mask = mask
        // The data's own peak width (`DataDefaults` centres the width range on it, or warns).
        peakWidth = PeakWidthEstimate.measure(patterns: x, q: lib.q)
        // How much of the intensity lies under a smooth baseline (`DataDefaults` fits no
        // background to patterns that come with theirs subtracted).
        baseline = BaselineEstimate.measure(patterns: x, q: lib.q, halfWindow: BaselineEstimate.halfWindow(peakWidth: peakWidth))
        warnings = lib.sources.warnings + notes
        self.doubletNote = doubletNote

        if let edges = lib.edges {
            graph = try CompositionGraph(sampleCount: n, edges: edges)
            graphSource = lib.sources.edges ?? "given edges"
        } else if m == 0 {
            graph = try CompositionGraph(sampleCount: n, edges: [])
            graphSource = "none: no compositions, so no composition graph and no pairwise terms"
        } else {
            graph = try CompositionGraph.build(compositions: lib.compositions, elementCount: m)
            graphSource = m == 3 ? "Delaunay triangulation" : (m <= 2 ? "composition path" : "k-nearest neighbours")
        }
    }

    /// A number for a message: 4 significant digits.
    static func format(_ x: Double) -> String { String(format: "%.4g", x) }
    static func format(_ x: Float) -> String { format(Double(x)) }

    /// Gathers the minibatch data for `samples` (in walk order), restricted to the phase columns
    /// `phases` (the trainer's active candidate subset).
    public func batch(_ samples: [Int], phases: [Int], extraMask: [Float]? = nil) -> BatchData {
        let t = gridCount, p = phaseCount, m = library.elementCount, q = phases.count
        var pat = [Float](), msk = [Float](repeating: 0, count: samples.count * q), comp = [Double]()
        pat.reserveCapacity(samples.count * t)
        for (b, i) in samples.enumerated() {
            pat.append(contentsOf: normalised[(i * t)..<((i + 1) * t)])
            for (c, k) in phases.enumerated() {
                var allowed = mask[i * p + k]
                if let extraMask { allowed *= extraMask[i * q + c] }
                msk[b * q + c] = allowed
            }
            comp.append(contentsOf: library.compositions[(i * m)..<((i + 1) * m)])
        }
        var data = BatchData(samples: samples, patterns: pat, mask: msk, degrees: samples.map { degrees[$0] }, compositions: comp)
        data.patternRows = samples.map { Int32($0) }
        return data
    }
}
