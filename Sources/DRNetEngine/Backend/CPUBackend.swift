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

    public func decodeAndReconstruct(_ batch: DecoderBatch, wantGradients: Bool, gradScale: Double) -> DecoderBatchResult {
        let b = batch.count, p = decoder.phaseCount, t = decoder.gridCount, nmax = decoder.sticks.maxSticks
        while renders.count < b { renders.append(SampleRender(decoder: decoder)) }
        let useIS = !batch.intensityFactors.isEmpty
        var result = DecoderBatchResult(
            parts: .init(repeating: .init(), count: b), gradFractions: .init(repeating: 0, count: b * p),
            gradShifts: .init(repeating: 0, count: b * p), gradLogVariances: .init(repeating: 0, count: b * p),
            gradIntensityFactors: .init(repeating: 0, count: useIS ? b * p * nmax : 0), gradFattening: .init(repeating: 0, count: b))
        let rendersLocal = renders, lists = batch.phases, decoder = self.decoder, reconstruction = self.reconstruction
        let f = batch.fattening
        batch.fractions.withUnsafeBufferPointer { wp in
            batch.shifts.withUnsafeBufferPointer { sp in
                batch.logVariances.withUnsafeBufferPointer { vp in
                    batch.patterns.withUnsafeBufferPointer { xp in
                        batch.intensityFactors.withUnsafeBufferPointer { fp in
                            result.gradFractions.withUnsafeMutableBufferPointer { gwp in
                                result.gradShifts.withUnsafeMutableBufferPointer { gsp in
                                    result.gradLogVariances.withUnsafeMutableBufferPointer { gvp in
                                        result.gradIntensityFactors.withUnsafeMutableBufferPointer { gfa in
                                            result.parts.withUnsafeMutableBufferPointer { partsp in
                                                result.gradFattening.withUnsafeMutableBufferPointer { gfp in
                                                    let wB = SharedPointer(wp.baseAddress!), sB = SharedPointer(sp.baseAddress!),
                                                        vB = SharedPointer(vp.baseAddress!)
                                                    let xB = SharedPointer(xp.baseAddress!)
                                                    let gwB = SharedPointer(gwp.baseAddress!), gsB = SharedPointer(gsp.baseAddress!),
                                                        gvB = SharedPointer(gvp.baseAddress!)
                                                    let partsB = SharedPointer(partsp.baseAddress!), gfB = SharedPointer(gfp.baseAddress!)
                                                    let isB = useIS ? SharedPointer(fp.baseAddress!) : nil,
                                                        gisB = useIS ? SharedPointer(gfa.baseAddress!) : nil
                                                    let isStride = p * nmax
                                                    parallelFor(b) { i in
                                                        let r = rendersLocal[i]
                                                        let factors = isB.map { UnsafePointer($0 + i * isStride) }
                                                        decoder.render(
                                                            phases: lists[i], shifts: sB + i * p, logVariances: vB + i * p,
                                                            fractions: wB + i * p,
                                                            intensityFactors: factors, fattening: f, into: r)
                                                        let gx = UnsafeMutablePointer<Float>.allocate(capacity: t)
                                                        defer { gx.deallocate() }
                                                        partsB[i] = reconstruction.evaluate(
                                                            input: xB + i * t, reconstruction: r.reconstruction, count: t,
                                                            grad: wantGradients ? gx : nil, gradScale: gradScale)
                                                        if wantGradients {
                                                            gfB[i] = decoder.backward(
                                                                r, gradReconstruction: gx, fractions: wB + i * p, shifts: sB + i * p,
                                                                logVariances: vB + i * p, intensityFactors: factors, fattening: f,
                                                                gradFractions: gwB + i * p, gradShifts: gsB + i * p,
                                                                gradLogVariances: gvB + i * p,
                                                                gradIntensityFactors: gisB.map { $0 + i * isStride })
                                                        }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return result
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
    }

    public func parameterValues() -> [Float] { theta }

    public func optimiserMoments() -> (first: [Float], second: [Float]) {
        (optimiser?.firstMoment ?? [], optimiser?.secondMoment ?? [])
    }

    public func parameterGradient() -> [Float] { gradient }

    public func zeroGradient() {
        gradient.withUnsafeMutableBufferPointer { g in for i in g.indices { g[i] = 0 } }
    }

    public func denseForward(_ network: DenseNetwork, input: [Float], batch: Int) -> [Float] {
        let cache = activations[network.offset] ?? DenseNetwork.Activations()
        activations[network.offset] = cache
        theta.withUnsafeBufferPointer { network.forward($0.baseAddress!, input: input, batch: batch, into: cache) }
        return cache.output
    }

    public func denseBackward(_ network: DenseNetwork, outputGradient: [Float], batch: Int) {
        guard let cache = activations[network.offset], cache.batch == batch else {
            preconditionFailure("denseBackward without a matching denseForward")
        }
        theta.withUnsafeBufferPointer { t in
            gradient.withUnsafeMutableBufferPointer { g in
                _ = network.backward(t.baseAddress!, activations: cache, outputGradient: outputGradient, grads: g.baseAddress!)
            }
        }
    }

    public func gatherParameters(rows: [Int], width: Int) -> [Float] {
        var out = [Float](repeating: 0, count: rows.count * width)
        for (i, r) in rows.enumerated() { for c in 0..<width { out[i * width + c] = theta[r + c] } }
        return out
    }

    public func addToGradient(rows: [Int], width: Int, values: [Float]) {
        for (i, r) in rows.enumerated() { for c in 0..<width { gradient[r + c] += values[i * width + c] } }
    }

    public func adamStep(scaled: (range: Range<Int>, factor: Float)?) {
        guard let optimiser else { preconditionFailure("adamStep before loadParameters") }
        theta.withUnsafeMutableBufferPointer { t in
            gradient.withUnsafeBufferPointer { optimiser.update(t.baseAddress!, grads: $0.baseAddress!, scaled: scaled) }
        }
    }
}
