/// The reference's amortised encoder (method.md §3): three independent MLPs with ReLU hidden
/// layers (default 1024 → 1024 → 512) and linear outputs, each reading the max-normalised
/// pattern x̃ (T values, then the composition's M values with `compositionInput`):
/// fraction logits a ∈ R^P, shift pre-activations u ∈ R^P, log-variance pre-activations y ∈ R^P.
/// With intensity factors (I_max > 1) a fourth MLP (hidden 512 → 512 → 32, as the reference's
/// intensity branch) outputs the per-stick pre-activations y ∈ R^{P·n_max}. With a fitted
/// background (C coefficients) the fraction network has C more outputs, the background
/// pre-activations z ∈ R^C: its output row is [a (P) | z (C)] (beyond the reference; C = 0 is
/// the reference's network).
/// With instrument offsets the shift network has 2 more outputs, the offset pre-activations
/// o = (o_z, o_δ): its output row is [u (P) | o (2)]. With pseudo-Voigt peaks, P more parameters e (one mixing pre-activation per phase, shared by
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
    /// 2 with instrument offsets (the shift network's extra outputs), else 0.
    public let offsetCount: Int
    private var lastBatch = 0

    public init(
        gridCount: Int, elementCount: Int, phaseCount: Int, hidden: [Int], compositionInput: Bool,
        intensityOutputs: Int = 0, backgroundCount: Int = 0, mixing: Bool = false, offsets: Bool = false
    ) {
        let input = gridCount + (compositionInput ? elementCount : 0)
        let widthsList = [input] + hidden + [phaseCount]
        fractions = DenseNetwork(widths: [input] + hidden + [phaseCount + backgroundCount], offset: 0)
        shifts = DenseNetwork(widths: [input] + hidden + [phaseCount + (offsets ? 2 : 0)], offset: fractions.parameterCount)
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
        self.offsetCount = offsets ? 2 : 0
    }

    /// Splits a network's output rows [head (P) | extra (E)] (B×(P+E)) into the two matrices.
    func split(_ out: [Float], batch b: Int, extra e: Int) -> ([Float], [Float]) {
        guard e > 0 else { return (out, []) }
        let p = phaseCount
        var head = [Float](repeating: 0, count: b * p), tail = [Float](repeating: 0, count: b * e)
        for i in 0..<b {
            for k in 0..<p { head[i * p + k] = out[i * (p + e) + k] }
            for j in 0..<e { tail[i * e + j] = out[i * (p + e) + p + j] }
        }
        return (head, tail)
    }

    /// The inverse of `split` for gradients; a missing extra gradient is zero.
    func merge(_ head: [Float], _ tail: [Float], batch b: Int, extra e: Int) -> [Float] {
        guard e > 0 else { return head }
        let p = phaseCount, hasTail = tail.count == b * e
        var out = [Float](repeating: 0, count: b * (p + e))
        for i in 0..<b {
            for k in 0..<p { out[i * (p + e) + k] = head[i * p + k] }
            if hasTail { for j in 0..<e { out[i * (p + e) + p + j] = tail[i * e + j] } }
        }
        return out
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

    public func forward(
        on backend: ComputeBackend, samples: [Int], patterns: [Float], compositions: [Double], patternRows: [Int32]
    ) -> HeadOutputs {
        let b = samples.count
        lastBatch = b
        let x = input(patterns: patterns, compositions: compositions, batch: b)
        // One pass: the networks share the input; g and e are read with their outputs.
        var gathers = [ParameterRows(rows: [parameterCount - 1], width: 1)]
        if mixingCount > 0 { gathers.append(ParameterRows(rows: [mixingOffset], width: mixingCount)) }
        let pass = backend.forwardPass(
            networks: [fractions, shifts, widths] + (intensities.map { [$0] } ?? []), input: x,
            inputRows: compositionInput ? [] : patternRows, batch: b, gathers: gathers)
        let (a, z) = split(pass.outputs[0], batch: b, extra: backgroundCount)
        let (u, o) = split(pass.outputs[1], batch: b, extra: offsetCount)
        let y = pass.outputs[2]
        let i = intensities != nil ? pass.outputs[3] : []
        let g = pass.gathered[0][0]
        let e = mixingCount > 0 ? pass.gathered[1] : []
        var h = HeadOutputs(logits: a, shiftPre: u, widthPre: y, fattening: g, intensityPre: i, backgroundPre: z, mixingPre: e)
        h.offsetPre = o
        return h
    }

    public func backward(on backend: ComputeBackend, gradients g: HeadOutputs) {
        backend.denseBackward(
            fractions, outputGradient: merge(g.logits, g.backgroundPre, batch: lastBatch, extra: backgroundCount), batch: lastBatch)
        backend.denseBackward(
            shifts, outputGradient: merge(g.shiftPre, g.offsetPre, batch: lastBatch, extra: offsetCount), batch: lastBatch)
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

/// Free per-sample latents (the non-amortised variant, beyond the reference): per sample, the
/// fraction logits a, shift pre-activations u (P each), the instrument-offset pre-activations o
/// (2, with offsets), the log-variance pre-activations y (P) and the background pre-activations z
/// (C), each an N×width parameter block read by sample index; then the P mixing pre-activations
/// e shared by every sample (with pseudo-Voigt peaks) and the fattening g.
/// Layout: [a (N×P) | u (N×P) | o (N×2) | y (N×P) | z (N×C) | e (P) | g]; the shift parameters
/// (frozen in the fine-tune) are u and o.
public final class PerSampleLatents: LatentModel {
    public let sampleCount: Int
    public let phaseCount: Int
    /// C, background coefficients per sample (0: none).
    public let backgroundCount: Int
    /// P with pseudo-Voigt peaks (the e block), else 0.
    public let mixingCount: Int
    /// 2 with instrument offsets (the o block), else 0.
    public let offsetCount: Int
    /// Initial logits (N×P), e.g. from the NNLS fit; zeros when nil.
    public var initialLogits: [Float]?
    /// Fixed (not trained) per-stick intensity pre-activations, N×(P·n_max), when the encoder had them.
    public var fixedIntensityPre: [Float] = []
    public var intensityWidth = 0
    private var lastSamples: [Int] = []

    public init(
        sampleCount: Int, phaseCount: Int, backgroundCount: Int = 0, mixing: Bool = false, offsets: Bool = false,
        initialLogits: [Float]? = nil
    ) {
        self.sampleCount = sampleCount
        self.phaseCount = phaseCount
        self.backgroundCount = backgroundCount
        self.mixingCount = mixing ? phaseCount : 0
        self.offsetCount = offsets ? 2 : 0
        self.initialLogits = initialLogits
    }

    /// The per-sample blocks in layout order: (key path of the head, width).
    var blocks: [(head: WritableKeyPath<HeadOutputs, [Float]>, width: Int)] {
        [
            (\.logits, phaseCount), (\.shiftPre, phaseCount), (\.offsetPre, offsetCount), (\.widthPre, phaseCount),
            (\.backgroundPre, backgroundCount)
        ]
    }
    /// Start of the per-sample block with index `i` in `blocks`.
    func blockOffset(_ i: Int) -> Int { blocks.prefix(i).reduce(0) { $0 + $1.width * sampleCount } }

    var block: Int { sampleCount * phaseCount }
    /// Offsets of the u, o, y and z blocks.
    var shiftOffset: Int { blockOffset(1) }
    var offsetsOffset: Int { blockOffset(2) }
    var widthOffset: Int { blockOffset(3) }
    var backgroundOffset: Int { blockOffset(4) }
    /// Offset of the e block (P).
    var mixingOffset: Int { blockOffset(5) }
    public var parameterCount: Int { mixingOffset + mixingCount + 1 }
    public var shiftParameters: Range<Int> { shiftOffset..<widthOffset }

    public func initialise(_ params: UnsafeMutablePointer<Float>, rng: inout SeededGenerator) {
        for i in 0..<parameterCount { params[i] = 0 }
        if let initialLogits { for i in 0..<block { params[i] = initialLogits[i] } }
        for k in 0..<mixingCount { params[mixingOffset + k] = LatentHeads.initialMixingPre }
        params[parameterCount - 1] = 0.1
    }

    public func forward(
        on backend: ComputeBackend, samples: [Int], patterns: [Float], compositions: [Double], patternRows: [Int32]
    ) -> HeadOutputs {
        lastSamples = samples
        let b = samples.count
        var h = HeadOutputs(logits: [], shiftPre: [], widthPre: [])
        // Every block's rows, g and e in one pass.
        let used = blocks.enumerated().filter { $0.element.width > 0 }
        var gathers = used.map { i, part in
            ParameterRows(rows: samples.map { blockOffset(i) + $0 * part.width }, width: part.width)
        }
        gathers.append(ParameterRows(rows: [parameterCount - 1], width: 1))
        if mixingCount > 0 { gathers.append(ParameterRows(rows: [mixingOffset], width: mixingCount)) }
        let pass = backend.forwardPass(networks: [], input: [], inputRows: [], batch: b, gathers: gathers)
        for (j, (_, part)) in used.enumerated() { h[keyPath: part.head] = pass.gathered[j] }
        if h.widthPre.count != b * phaseCount { h.widthPre = [Float](repeating: 0, count: b * phaseCount) }
        h.fattening = pass.gathered[used.count][0]
        if mixingCount > 0 { h.mixingPre = pass.gathered[used.count + 1] }
        if intensityWidth > 0 {
            h.intensityPre = samples.flatMap { fixedIntensityPre[($0 * intensityWidth)..<(($0 + 1) * intensityWidth)] }
        }
        return h
    }

    public func backward(on backend: ComputeBackend, gradients g: HeadOutputs) {
        // Merge repeated samples (walks may meet) in batch order, so the scatter has disjoint rows.
        var order: [Int] = [], seen: [Int: Int] = [:]
        for i in lastSamples where seen[i] == nil {
            seen[i] = order.count
            order.append(i)
        }
        for (blockIndex, part) in blocks.enumerated() where part.width > 0 {
            let values = g[keyPath: part.head], width = part.width
            guard values.count == lastSamples.count * width else { continue }
            var merged = [Float](repeating: 0, count: order.count * width)
            for (b, i) in lastSamples.enumerated() {
                let row = seen[i]!
                for j in 0..<width { merged[row * width + j] += values[b * width + j] }
            }
            let start = blockOffset(blockIndex)
            backend.addToGradient(rows: order.map { start + $0 * width }, width: width, values: merged)
        }
        if mixingCount > 0 && g.mixingPre.count == mixingCount {
            backend.addToGradient(rows: [mixingOffset], width: mixingCount, values: g.mixingPre)
        }
        backend.addToGradient(rows: [parameterCount - 1], width: 1, values: [g.fattening])
    }
}
