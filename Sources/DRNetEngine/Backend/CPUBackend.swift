import CBLAS

/// The CPU conformance of `ComputeBackend`: the SIMD, windowed `PeakDecoder` and
/// `ReconstructionLoss` in parallel over samples, the parameter store in host arrays with
/// OpenBLAS `cblas_sgemm` for the dense layers, and the vectorised `AdamOptimizer`. This is the specification the OpenCL kernels must match.
public final class CPUBackend: ComputeBackend, @unchecked Sendable {
    public let decoder: PeakDecoder
    public let reconstruction: ReconstructionLoss
    private var renders: [SampleRender] = []

    public init(decoder: PeakDecoder, reconstruction: ReconstructionLoss) {
        self.decoder = decoder
        self.reconstruction = reconstruction
        // The dense layers' GEMMs are small (minibatches of B ≈ 10 rows) and this backend
        // parallelises over samples itself; OpenBLAS's own threads only spin against it
        // (measured: 1 thread is faster).
        openblas_set_num_threads(1)
    }

    public var deviceName: String { "cpu" }

    /// The BLAS library's own description (OpenBLAS: version and build configuration), for reports.
    public static var blasDescription: String {
        guard let config = openblas_get_config() else { return "OpenBLAS" }
        return String(cString: config)
    }

    public func renderedSample(_ b: Int) -> RenderedSample { renders[b].value }

    public func phaseContributions(_ b: Int, phases: [Int], fractions: ArraySlice<Float>) -> [Float] {
        let render = renders[b], t = decoder.gridCount
        var out = [Float](repeating: 0, count: phases.count * t)
        let inv = 1 / render.mixtureNormaliser
        let rendered = Set(render.phases.map { Int($0) })
        for (j, k) in phases.enumerated() {
            let f = fractions[fractions.startIndex + k]
            guard f > 0, rendered.contains(k) else { continue }
            let row = render.basisRow(k)
            for q in 0..<t { out[j * t + q] = f * row[q] * inv }
        }
        return out
    }

    public func backgroundContribution(_ b: Int) -> [Float] {
        let render = renders[b], inv = 1 / render.mixtureNormaliser
        return (0..<decoder.gridCount).map { render.backgroundCurve[$0] * inv }
    }

    public func decodeAndReconstruct(_ batch: DecoderBatch, wantGradients: Bool, gradScale: Double) -> DecoderBatchResult {
        let b = batch.count, p = decoder.phaseCount, t = decoder.gridCount, nmax = decoder.sticks.maxSticks
        while renders.count < b { renders.append(SampleRender(decoder: decoder)) }
        let c = decoder.backgroundCount
        let useIS = !batch.intensityFactors.isEmpty
        let useBackground = c > 0 && batch.background.count == b * c
        let useMixing = batch.mixing.count == p
        let useOffsets = decoder.wavenumber != nil && batch.offsets.count == 2 * b
        // Inputs and outputs in buffers the parallel samples share (each writes its own rows).
        let w = PinnedFloats(batch.fractions), s = PinnedFloats(batch.shifts), v = PinnedFloats(batch.logVariances)
        let x = PinnedFloats(batch.patterns), factors = PinnedFloats(batch.intensityFactors)
        let beta = PinnedFloats(useBackground ? batch.background : []), eta = PinnedFloats(useMixing ? batch.mixing : [])
        let gw = PinnedFloats(count: b * p), gs = PinnedFloats(count: b * p), gv = PinnedFloats(count: b * p)
        let gIS = PinnedFloats(count: useIS ? b * p * nmax : 0), gf = PinnedFloats(count: b)
        let gBeta = PinnedFloats(count: useBackground ? b * c : 0), gEta = PinnedFloats(count: useMixing ? b * p : 0)
        let offsets = PinnedFloats(useOffsets ? batch.offsets : []), gOff = PinnedFloats(count: useOffsets ? 2 * b : 0)
        let parts = UnsafeMutableBufferPointer<ReconstructionLoss.Parts>.allocate(capacity: b)
        parts.initialize(repeating: .init())
        defer { parts.deallocate() }
        let partsB = SharedPointer(parts.baseAddress!)
        let rendersLocal = renders, lists = batch.phases, decoder = self.decoder, reconstruction = self.reconstruction
        let f = batch.fattening, isStride = p * nmax
        parallelFor(b) { i in
            let r = rendersLocal[i]
            let sampleFactors = useIS ? UnsafePointer(factors.at(i * isStride)) : nil
            let mixing = useMixing ? UnsafePointer(eta.at(0)) : nil
            decoder.render(
                phases: lists[i], shifts: s.at(i * p), logVariances: v.at(i * p), fractions: w.at(i * p),
                intensityFactors: sampleFactors, fattening: f, background: useBackground ? UnsafePointer(beta.at(i * c)) : nil,
                mixing: mixing, offsets: useOffsets ? UnsafePointer(offsets.at(2 * i)) : nil, into: r)
            let gx = UnsafeMutablePointer<Float>.allocate(capacity: t)
            defer { gx.deallocate() }
            partsB[i] = reconstruction.evaluate(
                input: x.at(i * t), reconstruction: r.reconstruction, count: t, grad: wantGradients ? gx : nil, gradScale: gradScale)
            guard wantGradients else { return }
            gf.at(i).pointee = decoder.backward(
                r, gradReconstruction: gx, fractions: w.at(i * p), shifts: s.at(i * p), logVariances: v.at(i * p),
                intensityFactors: sampleFactors, fattening: f, mixing: mixing, gradFractions: gw.at(i * p),
                gradShifts: gs.at(i * p), gradLogVariances: gv.at(i * p), gradIntensityFactors: useIS ? gIS.at(i * isStride) : nil,
                gradBackground: useBackground ? gBeta.at(i * c) : nil, gradMixing: useMixing ? gEta.at(i * p) : nil,
                offsets: useOffsets ? UnsafePointer(offsets.at(2 * i)) : nil, gradOffsets: useOffsets ? gOff.at(2 * i) : nil)
        }
        return DecoderBatchResult(
            parts: Array(parts), gradFractions: gw.array, gradShifts: gs.array, gradLogVariances: gv.array,
            gradIntensityFactors: gIS.array, gradFattening: gf.array, gradBackground: gBeta.array, gradMixing: gEta.array,
            gradOffsets: gOff.array)
    }

    public func reconstruction(_ b: Int) -> [Float] { renders[b].reconstructionArray }

    // MARK: Parameter store (host arrays)

    private var theta: [Float] = []
    private var gradient: [Float] = []
    private var optimiser: AdamOptimizer?
    /// Activations of each network's last forward, keyed by the network's parameter offset.
    private var activations: [Int: DenseNetwork.Activations] = [:]

    public func loadParameters(_ values: [Float], optimiser: AdamOptimizer) {
        precondition(optimiser.count == values.count, "optimiser size \(optimiser.count) ≠ parameter count \(values.count)")
        theta = values
        gradient = [Float](repeating: 0, count: values.count)
        self.optimiser = optimiser
        activations = [:]
        networkRanges = [:]
        staleNetworks = []
    }

    public func parameterValues() -> [Float] { theta }

    public func optimiserMoments() -> (first: [Float], second: [Float]) {
        (optimiser?.firstMoment ?? [], optimiser?.secondMoment ?? [])
    }

    public func parameterGradient() -> [Float] {
        clearStaleNetworks()
        return gradient
    }

    /// Parameter ranges of the networks that ran forward since the parameters were loaded
    /// (keyed by offset), and those of them whose gradient is still the previous step's: a
    /// stale network's backward writes its gradient instead of adding to it, which saves
    /// zeroing and re-reading the largest part of the buffer every step (bit-identical: x + 0 = x).
    private var networkRanges: [Int: Range<Int>] = [:]
    private var staleNetworks: Set<Int> = []

    public func zeroGradient() {
        let skipped = networkRanges.values.sorted { $0.lowerBound < $1.lowerBound }
        gradient.withUnsafeMutableBufferPointer { g in
            var start = 0
            for range in skipped + [g.count..<g.count] {
                for i in start..<max(start, range.lowerBound) { g[i] = 0 }
                start = max(start, range.upperBound)
            }
        }
        staleNetworks = Set(networkRanges.keys)
    }

    /// Zeroes the gradient of every network that has not written its own since `zeroGradient`
    /// (one whose backward did not run this step), before anything reads the buffer.
    private func clearStaleNetworks() {
        guard !staleNetworks.isEmpty else { return }
        gradient.withUnsafeMutableBufferPointer { g in
            for offset in staleNetworks { for i in networkRanges[offset]! { g[i] = 0 } }
        }
        staleNetworks = []
    }

    public func denseForward(_ network: DenseNetwork, input: [Float], batch: Int) -> [Float] {
        let cache = activations[network.offset] ?? DenseNetwork.Activations()
        activations[network.offset] = cache
        if networkRanges[network.offset] == nil {
            // A network seen for the first time this load: its gradient part is zero now (and
            // is skipped by later `zeroGradient` calls, so it must be written by its backward).
            networkRanges[network.offset] = network.offset..<(network.offset + network.parameterCount)
        }
        theta.withUnsafeBufferPointer { network.forward($0.baseAddress!, input: input, batch: batch, into: cache) }
        return cache.output
    }

    public func denseBackward(_ network: DenseNetwork, outputGradient: [Float], batch: Int) {
        guard let cache = activations[network.offset], cache.batch == batch else {
            preconditionFailure("denseBackward without a matching denseForward")
        }
        let overwrite = staleNetworks.remove(network.offset) != nil
        theta.withUnsafeBufferPointer { t in
            gradient.withUnsafeMutableBufferPointer { g in
                _ = network.backward(
                    t.baseAddress!, activations: cache, outputGradient: outputGradient, grads: g.baseAddress!, overwrite: overwrite)
            }
        }
    }

    public func gatherParameters(rows: [Int], width: Int) -> [Float] {
        var out = [Float](repeating: 0, count: rows.count * width)
        for (i, r) in rows.enumerated() { for c in 0..<width { out[i * width + c] = theta[r + c] } }
        return out
    }

    public func addToGradient(rows: [Int], width: Int, values: [Float]) {
        if !staleNetworks.isEmpty,
            rows.contains(where: { r in staleNetworks.contains { networkRanges[$0]!.overlaps(r..<(r + width)) } })
        {
            clearStaleNetworks()
        }
        for (i, r) in rows.enumerated() { for c in 0..<width { gradient[r + c] += values[i * width + c] } }
    }

    public func adamStep(scaled: (range: Range<Int>, factor: Float)?) {
        guard let optimiser else { preconditionFailure("adamStep before loadParameters") }
        clearStaleNetworks()
        theta.withUnsafeMutableBufferPointer { t in
            gradient.withUnsafeBufferPointer { optimiser.update(t.baseAddress!, grads: $0.baseAddress!, scaled: scaled) }
        }
    }
}

/// A Float buffer that parallel iterations may share (each touching its own elements): a copy of
/// an array or zeros, freed with the value. `at(i)` is the address of element i.
final class PinnedFloats: @unchecked Sendable {
    let count: Int
    private let base: UnsafeMutablePointer<Float>

    init(count: Int) {
        self.count = count
        base = .allocate(capacity: max(count, 1))
        base.initialize(repeating: 0, count: max(count, 1))
    }

    convenience init(_ values: [Float]) {
        self.init(count: values.count)
        for i in 0..<values.count { base[i] = values[i] }
    }

    deinit { base.deallocate() }

    @inline(__always) func at(_ i: Int) -> UnsafeMutablePointer<Float> { base + i }
    var array: [Float] { Array(UnsafeBufferPointer(start: base, count: count)) }
}
