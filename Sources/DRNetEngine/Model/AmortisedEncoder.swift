/// The reference's amortised encoder (method.md §3): three independent MLPs with ReLU hidden
/// layers (default 1024 → 1024 → 512) and linear outputs, each reading the max-normalised
/// pattern x̃ (T values, then the composition's M values with `compositionInput`):
/// fraction logits a ∈ R^P, shift pre-activations u ∈ R^P, log-variance pre-activations y ∈ R^P.
/// With intensity factors (I_max > 1) a fourth MLP (hidden 512 → 512 → 32, as the reference's
/// intensity branch) outputs the per-stick pre-activations y ∈ R^{P·n_max}.
/// Parameter layout: [fractions net | shifts net | widths net | intensity net | fattening g].
public final class AmortisedEncoder: LatentModel {
    public let fractions: DenseNetwork
    public let shifts: DenseNetwork
    public let widths: DenseNetwork
    public let intensities: DenseNetwork?
    public let compositionInput: Bool
    public let elementCount: Int
    public let phaseCount: Int
    private var lastBatch = 0

    public init(
        gridCount: Int, elementCount: Int, phaseCount: Int, hidden: [Int], compositionInput: Bool,
        intensityOutputs: Int = 0
    ) {
        let input = gridCount + (compositionInput ? elementCount : 0)
        let widthsList = [input] + hidden + [phaseCount]
        fractions = DenseNetwork(widths: widthsList, offset: 0)
        shifts = DenseNetwork(widths: widthsList, offset: fractions.parameterCount)
        widths = DenseNetwork(widths: widthsList, offset: 2 * fractions.parameterCount)
        intensities =
            intensityOutputs > 0
            ? DenseNetwork(widths: [input, 512, 512, 32, intensityOutputs], offset: 3 * fractions.parameterCount) : nil
        self.compositionInput = compositionInput
        self.elementCount = elementCount
        self.phaseCount = phaseCount
    }

    public var parameterCount: Int { 3 * fractions.parameterCount + (intensities?.parameterCount ?? 0) + 1 }
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
        let a = backend.denseForward(fractions, input: x, batch: b)
        let u = backend.denseForward(shifts, input: x, batch: b)
        let y = backend.denseForward(widths, input: x, batch: b)
        let i = intensities.map { backend.denseForward($0, input: x, batch: b) } ?? []
        let g = backend.gatherParameters(rows: [parameterCount - 1], width: 1)[0]
        return HeadOutputs(logits: a, shiftPre: u, widthPre: y, fattening: g, intensityPre: i)
    }

    public func backward(on backend: ComputeBackend, gradients g: HeadOutputs) {
        backend.denseBackward(fractions, outputGradient: g.logits, batch: lastBatch)
        backend.denseBackward(shifts, outputGradient: g.shiftPre, batch: lastBatch)
        backend.denseBackward(widths, outputGradient: g.widthPre, batch: lastBatch)
        if let net = intensities, !g.intensityPre.isEmpty {
            backend.denseBackward(net, outputGradient: g.intensityPre, batch: lastBatch)
        }
        backend.addToGradient(rows: [parameterCount - 1], width: 1, values: [g.fattening])
    }
}

/// Free per-sample latents (the non-amortised variant, beyond the reference): a, u, y are
/// N×P parameter matrices read by sample index. Layout: [a (N×P) | u (N×P) | y (N×P) | g].
public final class PerSampleLatents: LatentModel {
    public let sampleCount: Int
    public let phaseCount: Int
    /// Initial logits (N×P), e.g. from the NNLS fit; zeros when nil.
    public var initialLogits: [Float]?
    /// Fixed (not trained) per-stick intensity pre-activations, N×(P·n_max), when the encoder had them.
    public var fixedIntensityPre: [Float] = []
    public var intensityWidth = 0
    private var lastSamples: [Int] = []

    public init(sampleCount: Int, phaseCount: Int, initialLogits: [Float]? = nil) {
        self.sampleCount = sampleCount
        self.phaseCount = phaseCount
        self.initialLogits = initialLogits
    }

    var block: Int { sampleCount * phaseCount }
    public var parameterCount: Int { 3 * block + 1 }
    public var shiftParameters: Range<Int> { block..<(2 * block) }

    public func initialise(_ params: UnsafeMutablePointer<Float>, rng: inout SeededGenerator) {
        for i in 0..<parameterCount { params[i] = 0 }
        if let initialLogits { for i in 0..<block { params[i] = initialLogits[i] } }
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
        backend.addToGradient(rows: [parameterCount - 1], width: 1, values: [g.fattening])
    }
}
