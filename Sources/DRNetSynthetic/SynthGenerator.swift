import DRNetCrystal
import DRNetEngine
import DRNetIO
import Foundation

/// A generated library with its truth.
public struct SynthResult: Sendable {
    /// The library (patterns, compositions, every candidate phase and its composition).
    public var library: CompositionLibrary
    /// True fractions: one column per stable phase of the diagram (candidate names), rows = samples.
    public var truthFractions: FractionTable
    /// True multiplicative shifts in the same layout (0 where the phase is absent).
    public var truthShifts: FractionTable
    /// Per phase of the diagram, the peak log-variance used.
    public var logVariances: [String: Double]
    /// The settings it was generated with.
    public var options: SynthOptions
    /// Per sample, the 2θ zero offset z_i in degrees (`SynthOptions.twoThetaOffsetMax`); nil when off.
    public var twoThetaOffsets: [Double]?
}

/// Synthetic composition libraries in the spirit of the Le Bras et al. (AAAI 2014) challenge
/// generator: a ternary grid of compositions, the phases present at each by the lever rule over a
/// `PhaseDiagram`, patterns rendered from the candidates' stick patterns.
///
/// Pattern of sample i (T grid points): the decoder's own rendering (method.md §3) of the
/// present phases k with fractions w_ik, shifts s_ik (1 except along solid solutions) and the
/// phase's log-variance v_k: each phase max-normalised, the mixture Σ_k w_ik B_k max-normalised.
/// So a true fraction is exactly the solver's notion of fraction (share of the peak-height
/// contribution); as in the Al-Li-Fe generator, the lever-rule cation fraction is used as that
/// share. Then the optional smooth background and noise of `SynthOptions` are added.
///
/// With any effect of measured scans on (`SynthOptions.hasScanEffects`: pseudo-Voigt peaks, the
/// Kα2 line, Q-dependent widths, a per-sample 2θ offset z_i drawn uniform in ±max after the
/// sample's phases), the patterns come from `RealisticPatternRenderer` instead of the decoder,
/// with the same normalisations, so the fractions keep their meaning; the library then records
/// the Kα2 line (`CompositionLibrary.secondLine`) when it is rendered.
public enum SynthGenerator {
    /// Generates the library. `candidates` are every candidate phase (the diagram's phases must
    /// be among them, by name); `elements` names the diagram's three composition axes.
    /// - Throws: `ConfigurationError` for bad options, a diagram phase that is not a candidate, or
    ///   a sample outside the diagram.
    public static func generate(
        candidates: [ComputedPhase], diagram: PhaseDiagram, elements: [String],
        options: SynthOptions, name: String = "synthetic"
    ) throws -> SynthResult {
        try generate(
            candidates: candidates, diagram: diagram, elements: elements, options: options, name: name, forceRealistic: false)
    }

    /// `generate`, rendering with `RealisticPatternRenderer` also when every effect is off if
    /// `forceRealistic` (the tests compare it with the decoder so).
    static func generate(
        candidates: [ComputedPhase], diagram: PhaseDiagram, elements: [String],
        options: SynthOptions, name: String, forceRealistic: Bool
    ) throws -> SynthResult {
        try options.validate()
        guard elements.count == 3 else { throw ConfigurationError("a ternary diagram needs 3 elements, got \(elements)") }
        var rng = SeededGenerator(seed: options.seed)
        let candidateIndex: [Int] = try diagram.phases.map { phase in
            guard let k = candidates.firstIndex(where: { $0.name == phase.name }) else {
                throw ConfigurationError(
                    "phase-diagram phase \(phase.name) is not among the candidates "
                        + candidates.map(\.name).joined(separator: ", "))
            }
            return k
        }
        let p = candidates.count
        let t = Int(((options.qMax - options.qMin) / options.qStep + 1e-9).rounded(.down)) + 1
        let q = (0..<t).map { Float(options.qMin + Double($0) * options.qStep) }
        let logVariance = diagram.phases.map { _ in
            options.logVarianceMin + uniform(&rng) * (options.logVarianceMax - options.logVarianceMin)
        }

        // Composition grid.
        let d = options.divisions
        var compositions: [Double] = []
        for a in 0...d { for b in 0...(d - a) { compositions += [Double(a), Double(b), Double(d - a - b)].map { $0 / Double(d) } } }
        let n = compositions.count / 3

        let phases = candidates.map(\.candidate)
        let decoder = PeakDecoder(phases: phases, q: q)
        let render = SampleRender(decoder: decoder)
        let realistic = options.hasScanEffects || forceRealistic
        let renderer = realistic ? RealisticPatternRenderer(phases: phases, q: q, settings: .init(options: options)) : nil
        var offsets: [Double]? = options.twoThetaOffsetMax > 0 ? [] : nil
        var patterns = [Float](repeating: 0, count: n * t)
        var fractions = [[Double]](repeating: [Double](repeating: 0, count: diagram.phases.count), count: n)
        var shifts = fractions
        var s = [Float](repeating: 1, count: p), v = [Float](repeating: -2, count: p), w = [Float](repeating: 0, count: p)
        for i in 0..<n {
            let c = Array(compositions[(3 * i)..<(3 * i + 3)])
            guard let present = diagram.decompose(c) else {
                throw ConfigurationError("sample \(i) at composition \(c) lies outside the phase diagram")
            }
            for k in 0..<p { s[k] = 1; w[k] = 0 }
            var active: [Int32] = []
            var components: [RealisticPatternRenderer.Component] = []
            for amount in present {
                let k = candidateIndex[amount.phase]
                active.append(Int32(k))
                s[k] = Float(amount.shift); v[k] = Float(logVariance[amount.phase]); w[k] = Float(amount.fraction)
                components.append(
                    .init(phase: k, shift: amount.shift, logVariance: logVariance[amount.phase], fraction: amount.fraction))
                fractions[i][amount.phase] = amount.fraction
                shifts[i][amount.phase] = amount.shift
            }
            // The noise-free max-normalised pattern x̂ and its argmax.
            let noiseFree: [Double], argmax: Int
            if let renderer {
                var z = 0.0
                if options.twoThetaOffsetMax > 0 {
                    z = options.twoThetaOffsetMax * (2 * uniform(&rng) - 1)
                    offsets?.append(z)
                }
                (noiseFree, argmax) = renderer.render(components, twoThetaOffset: z)
            } else {
                s.withUnsafeBufferPointer { sb in
                    v.withUnsafeBufferPointer { vb in
                        w.withUnsafeBufferPointer { wb in
                            decoder.render(
                                phases: active, shifts: sb.baseAddress!, logVariances: vb.baseAddress!,
                                fractions: wb.baseAddress!, into: render)
                        }
                    }
                }
                noiseFree = (0..<t).map { Double(render.reconstruction[$0]) }
                argmax = render.mixtureArgmax
            }
            let scale = options.background * (0.5 + uniform(&rng))
            for j in 0..<t {
                var x = noiseFree[j]
                if options.background > 0 { x += scale * exp(-(Double(q[j]) - options.qMin) / 20) }
                switch options.noise {
                case .none: break
                case .poisson: x = poisson(x * options.noiseLevel, &rng) / options.noiseLevel
                case .gaussian: x = max(0, x + options.noiseLevel * normal(&rng))
                }
                patterns[i * t + j] = Float(x)
            }
            // A pattern needs a positive maximum: keep the noise-free peak if noise wiped it out.
            if !(0..<t).contains(where: { patterns[i * t + $0] > 0 }) { patterns[i * t + argmax] = 1 }
        }
        let elementsOfCandidates = elements
        var phaseCompositions = [Double](repeating: 0, count: p * 3)
        for (k, candidate) in candidates.enumerated() {
            for (m, e) in elementsOfCandidates.enumerated() { phaseCompositions[k * 3 + m] = candidate.cations[e] ?? 0 }
        }
        var library = CompositionLibrary(
            name: name, elements: elements, q: q, patterns: patterns, compositions: compositions,
            phases: phases, phaseCompositions: phaseCompositions,
            sources: LibrarySources(generator: "drnet synth (seed \(options.seed))"))
        if options.kAlpha2 {
            library.secondLine = CompositionLibrary.SecondLine(
                qRatio: SynthOptions.kAlpha2Angstrom / SynthOptions.kAlpha1Angstrom, intensityRatio: SynthOptions.kAlpha2Ratio,
                origin: "drnet synth --kalpha2: Cu Kα1 \(SynthOptions.kAlpha1Angstrom) Å, Kα2 \(SynthOptions.kAlpha2Angstrom) Å")
        }
        let names = diagram.phases.map(\.name)
        return SynthResult(
            library: library, truthFractions: try FractionTable(phases: names, fractions: fractions),
            truthShifts: try FractionTable(phases: names, fractions: shifts),
            logVariances: Dictionary(uniqueKeysWithValues: zip(names, logVariance)), options: options,
            twoThetaOffsets: offsets)
    }

    /// Uniform in [0, 1) from the top 53 bits.
    static func uniform(_ rng: inout SeededGenerator) -> Double { Double(rng.next() >> 11) * 0x1p-53 }

    /// Standard normal by Box–Muller.
    static func normal(_ rng: inout SeededGenerator) -> Double {
        let u1 = max(uniform(&rng), 1e-300), u2 = uniform(&rng)
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }

    /// A Poisson(λ) draw: Knuth's product method for λ < 30, else the normal approximation
    /// round(λ + √λ·z) clipped at 0 (deterministic given the generator).
    static func poisson(_ lambda: Double, _ rng: inout SeededGenerator) -> Double {
        guard lambda > 0 else { return 0 }
        if lambda < 30 {
            let limit = exp(-lambda)
            var k = 0.0, prod = uniform(&rng)
            while prod > limit { k += 1; prod *= uniform(&rng) }
            return k
        }
        return max(0, (lambda + lambda.squareRoot() * normal(&rng)).rounded())
    }
}
