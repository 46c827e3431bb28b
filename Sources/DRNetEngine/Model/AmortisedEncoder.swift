/// The reference's amortised encoder (method.md §3): three independent MLPs with ReLU hidden
/// layers (default 1024 → 1024 → 512) and linear outputs, each reading the max-normalised
/// pattern x̃ (T values, then the composition's M values with `compositionInput`):
/// fraction logits a ∈ R^P, shift pre-activations u ∈ R^P, log-variance pre-activations y ∈ R^P.
/// With intensity factors (I_max > 1) a fourth MLP (hidden 512 → 512 → 32, as the reference's
/// intensity branch) outputs the per-stick pre-activations y ∈ R^{P·n_max}. With a fitted
/// background (C coefficients) the fraction network has C more outputs, the background
/// pre-activations z ∈ R^C: its output row is [a (P) | z (C)] (beyond the reference; C = 0 is
/// the reference's network).
/// With pseudo-Voigt peaks, P more parameters e (one mixing pre-activation per phase, shared by
/// every sample, not produced by a network).
/// Parameter layout: [fractions net | shifts net | widths net | intensity net | e (P) | fattening g].
public final class AmortisedEncoder: LatentModel {
    public let fractions: DenseNetwork
    public let shifts: DenseNetwork
    public let widths: DenseNetwork
    public let intensities: DenseNetwork?
    public let compositionInput: Bool
    public let elementCount: Int
    public let phaseCount: Int
    /// C, the background pre-activations the fraction network also outputs (0: none).
    public let backgroundCount: Int
    /// P when the peaks are pseudo-Voigts (the e block), else 0.
    public let mixingCount: Int
    private var lastBatch = 0

    public init(
        gridCount: Int, elementCount: Int, phaseCount: Int, hidden: [Int], compositionInput: Bool,
        intensityOutputs: Int = 0, backgroundCount: Int = 0, mixing: Bool = false
    ) {
        let input = gridCount + (compositionInput ? elementCount : 0)
        let widthsList = [input] + hidden + [phaseCount]
        fractions = DenseNetwork(widths: [input] + hidden + [phaseCount + backgroundCount], offset: 0)
        shifts = DenseNetwork(widths: widthsList, offset: fractions.parameterCount)
        widths = DenseNetwork(widths: widthsList, offset: fractions.parameterCount + shifts.parameterCount)
        let afterWidths = widths.offset + widths.parameterCount
        intensities =
            intensityOutputs > 0
            ? DenseNetwork(widths: [input, 512, 512, 32, intensityOutputs], offset: afterWidths) : nil
        self.compositionInput = compositionInput
        self.elementCount = elementCount
        self.phaseCount = phaseCount
        self.backgroundCount = backgroundCount
        self.mixingCount = mixing ? phaseCount : 0
    }

    /// Offset of the e block (after the networks).
    public var mixingOffset: Int {
        fractions.parameterCount + shifts.parameterCount + widths.parameterCount + (intensities?.parameterCount ?? 0)
    }

    public var parameterCount: Int { mixingOffset + mixingCount + 1 }
    public var shiftParameters: Range<Int> { shifts.offset..<(shifts.offset + shifts.parameterCount) }

    public func initialise(_ params: UnsafeMutablePointer<Float>, rng: inout SeededGenerator) {
        fractions.initialise(params, rng: &rng)
        shifts.initialise(params, rng: &rng)
        widths.initialise(params, rng: &rng)
        if let net = intensities {
            // Start at IS = 1: zero output layer, so early training sees the plain stick heights.
            net.initialise(params, rng: &rng)
            let last = net.layerCount - 1
            for i in 0..<(net.widths[last] * net.widths[last + 1]) { params[net.weightOffsets[last] + i] = 0 }
        }
        for k in 0..<mixingCount { params[mixingOffset + k] = LatentHeads.initialMixingPre }
        params[parameterCount - 1] = 0.1
    }

    func input(patterns: [Float], compositions: [Double], batch: Int) -> [Float] {
        guard compositionInput else { return patterns }
        let t = patterns.count / max(batch, 1), m = elementCount
        var x = [Float](repeating: 0, count: batch * (t + m))
        for b in 0..<batch {
            for i in 0..<t { x[b * (t + m) + i] = patterns[b * t + i] }
            for e in 0..<m { x[b * (t + m) + t + e] = Float(compositions[b * m + e]) }
        }
        return x
    }

    public func forward(on backend: ComputeBackend, samples: [Int], patterns: [Float], compositions: [Double]) -> HeadOutputs {
        let b = samples.count
        lastBatch = b
        let x = input(patterns: patterns, compositions: compositions, batch: b)
        let out = backend.denseForward(fractions, input: x, batch: b)
        var a = out, z = [Float]()
        let p = phaseCount, c = backgroundCount
        if c > 0 {
            a = [Float](repeating: 0, count: b * p)
            z = [Float](repeating: 0, count: b * c)
            for i in 0..<b {
                for k in 0..<p { a[i * p + k] = out[i * (p + c) + k] }
                for j in 0..<c { z[i * c + j] = out[i * (p + c) + p + j] }
            }
        }
        let u = backend.denseForward(shifts, input: x, batch: b)
        let y = backend.denseForward(widths, input: x, batch: b)
        let i = intensities.map { backend.denseForward($0, input: x, batch: b) } ?? []
        let g = backend.gatherParameters(rows: [parameterCount - 1], width: 1)[0]
        let e = mixingCount > 0 ? backend.gatherParameters(rows: [mixingOffset], width: mixingCount) : []
        return HeadOutputs(logits: a, shiftPre: u, widthPre: y, fattening: g, intensityPre: i, backgroundPre: z, mixingPre: e)
    }

    public func backward(on backend: ComputeBackend, gradients g: HeadOutputs) {
        let p = phaseCount, c = backgroundCount
        if c > 0 {
            // The fraction network's output rows are [a | z]; a missing background gradient is zero.
            var merged = [Float](repeating: 0, count: lastBatch * (p + c))
            let hasZ = g.backgroundPre.count == lastBatch * c
            for i in 0..<lastBatch {
                for k in 0..<p { merged[i * (p + c) + k] = g.logits[i * p + k] }
                if hasZ { for j in 0..<c { merged[i * (p + c) + p + j] = g.backgroundPre[i * c + j] } }
            }
            backend.denseBackward(fractions, outputGradient: merged, batch: lastBatch)
        } else {
            backend.denseBackward(fractions, outputGradient: g.logits, batch: lastBatch)
        }
        backend.denseBackward(shifts, outputGradient: g.shiftPre, batch: lastBatch)
        backend.denseBackward(widths, outputGradient: g.widthPre, batch: lastBatch)
        if let net = intensities, !g.intensityPre.isEmpty {
            backend.denseBackward(net, outputGradient: g.intensityPre, batch: lastBatch)
        }
        if mixingCount > 0 && g.mixingPre.count == mixingCount {
            backend.addToGradient(rows: [mixingOffset], width: mixingCount, values: g.mixingPre)
        }
        backend.addToGradient(rows: [parameterCount - 1], width: 1, values: [g.fattening])
    }
}

/// Free per-sample latents (the non-amortised variant, beyond the reference): a, u, y are
/// N×P parameter matrices read by sample index, z (the background's pre-activations) N×C, and
/// with pseudo-Voigt peaks the P mixing pre-activations e shared by every sample.
/// Layout: [a (N×P) | u (N×P) | y (N×P) | z (N×C) | e (P) | g].
public final class PerSampleLatents: LatentModel {
    public let sampleCount: Int
    public let phaseCount: Int
    /// C, background coefficients per sample (0: none).
    public let backgroundCount: Int
    /// P with pseudo-Voigt peaks (the e block), else 0.
    public let mixingCount: Int
    /// Initial logits (N×P), e.g. from the NNLS fit; zeros when nil.
    public var initialLogits: [Float]?
    /// Fixed (not trained) per-stick intensity pre-activations, N×(P·n_max), when the encoder had them.
    public var fixedIntensityPre: [Float] = []
    public var intensityWidth = 0
    private var lastSamples: [Int] = []

    public init(
        sampleCount: Int, phaseCount: Int, backgroundCount: Int = 0, mixing: Bool = false, initialLogits: [Float]? = nil
    ) {
        self.sampleCount = sampleCount
        self.phaseCount = phaseCount
        self.backgroundCount = backgroundCount
        self.mixingCount = mixing ? phaseCount : 0
        self.initialLogits = initialLogits
    }

    var block: Int { sampleCount * phaseCount }
    /// Offset of the z block (N×C).
    var backgroundOffset: Int { 3 * block }
    /// Offset of the e block (P).
    var mixingOffset: Int { 3 * block + sampleCount * backgroundCount }
    public var parameterCount: Int { mixingOffset + mixingCount + 1 }
    public var shiftParameters: Range<Int> { block..<(2 * block) }

    public func initialise(_ params: UnsafeMutablePointer<Float>, rng: inout SeededGenerator) {
        for i in 0..<parameterCount { params[i] = 0 }
        if let initialLogits { for i in 0..<block { params[i] = initialLogits[i] } }
        for k in 0..<mixingCount { params[mixingOffset + k] = LatentHeads.initialMixingPre }
        params[parameterCount - 1] = 0.1
    }

    public func forward(on backend: ComputeBackend, samples: [Int], patterns: [Float], compositions: [Double]) -> HeadOutputs {
        lastSamples = samples
        let p = phaseCount, b = samples.count
        // One gather of the three blocks' rows: a rows, then u rows, then y rows.
        let rows = samples.map { $0 * p } + samples.map { block + $0 * p } + samples.map { 2 * block + $0 * p }
        let values = backend.gatherParameters(rows: rows, width: p)
        var h = HeadOutputs(
            logits: Array(values[0..<(b * p)]), shiftPre: Array(values[(b * p)..<(2 * b * p)]),
            widthPre: Array(values[(2 * b * p)..<(3 * b * p)]))
        h.fattening = backend.gatherParameters(rows: [parameterCount - 1], width: 1)[0]
        if mixingCount > 0 { h.mixingPre = backend.gatherParameters(rows: [mixingOffset], width: mixingCount) }
        if backgroundCount > 0 {
            h.backgroundPre = backend.gatherParameters(
                rows: samples.map { backgroundOffset + $0 * backgroundCount }, width: backgroundCount)
        }
        if intensityWidth > 0 {
            h.intensityPre = samples.flatMap { fixedIntensityPre[($0 * intensityWidth)..<(($0 + 1) * intensityWidth)] }
        }
        return h
    }

    public func backward(on backend: ComputeBackend, gradients g: HeadOutputs) {
        let p = phaseCount
        // Merge repeated samples (walks may meet) in batch order, so the scatter has disjoint rows.
        var order: [Int] = [], merged: [Int: [Float]] = [:]
        for (b, i) in lastSamples.enumerated() {
            var row =
                merged[i]
                ?? {
                    order.append(i); return [Float](repeating: 0, count: 3 * p)
                }()
            for k in 0..<p {
                row[k] += g.logits[b * p + k]
                row[p + k] += g.shiftPre[b * p + k]
                row[2 * p + k] += g.widthPre[b * p + k]
            }
            merged[i] = row
        }
        var rows: [Int] = [], values: [Float] = []
        for part in 0..<3 {
            for i in order {
                rows.append(part * block + i * p)
                values += merged[i]![(part * p)..<((part + 1) * p)]
            }
        }
        backend.addToGradient(rows: rows, width: p, values: values)
        let c = backgroundCount
        if c > 0 && g.backgroundPre.count == lastSamples.count * c {
            var zOrder: [Int] = [], zMerged: [Int: [Float]] = [:]
            for (b, i) in lastSamples.enumerated() {
                var row =
                    zMerged[i]
                    ?? {
                        zOrder.append(i); return [Float](repeating: 0, count: c)
                    }()
                for j in 0..<c { row[j] += g.backgroundPre[b * c + j] }
                zMerged[i] = row
            }
            backend.addToGradient(
                rows: zOrder.map { backgroundOffset + $0 * c }, width: c, values: zOrder.flatMap { zMerged[$0]! })
        }
        if mixingCount > 0 && g.mixingPre.count == mixingCount {
            backend.addToGradient(rows: [mixingOffset], width: mixingCount, values: g.mixingPre)
        }
        backend.addToGradient(rows: [parameterCount - 1], width: 1, values: [g.fattening])
    }
}
