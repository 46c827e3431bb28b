import CBLAS

/// The CPU conformance of `ComputeBackend`: the SIMD, windowed `PeakDecoder` and
/// `ReconstructionLoss` in parallel over samples, OpenBLAS `cblas_sgemm`, and the vectorised
/// `AdamOptimizer`. This is the specification the OpenCL kernels must match.
public final class CPUBackend: ComputeBackend, @unchecked Sendable {
    public let decoder: PeakDecoder
    public let reconstruction: ReconstructionLoss
    private var renders: [SampleRender] = []

    public init(decoder: PeakDecoder, reconstruction: ReconstructionLoss) {
        self.decoder = decoder
        self.reconstruction = reconstruction
    }

    public var deviceName: String { "cpu" }

    public func renderedSample(_ b: Int) -> SampleRender { renders[b] }

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
        batch.fractions.withUnsafeBufferPointer { wp in batch.shifts.withUnsafeBufferPointer { sp in
        batch.logVariances.withUnsafeBufferPointer { vp in batch.patterns.withUnsafeBufferPointer { xp in
        batch.intensityFactors.withUnsafeBufferPointer { fp in
        result.gradFractions.withUnsafeMutableBufferPointer { gwp in result.gradShifts.withUnsafeMutableBufferPointer { gsp in
        result.gradLogVariances.withUnsafeMutableBufferPointer { gvp in result.gradIntensityFactors.withUnsafeMutableBufferPointer { gfa in
        result.parts.withUnsafeMutableBufferPointer { partsp in result.gradFattening.withUnsafeMutableBufferPointer { gfp in
            let wB = SharedPointer(wp.baseAddress!), sB = SharedPointer(sp.baseAddress!), vB = SharedPointer(vp.baseAddress!)
            let xB = SharedPointer(xp.baseAddress!)
            let gwB = SharedPointer(gwp.baseAddress!), gsB = SharedPointer(gsp.baseAddress!), gvB = SharedPointer(gvp.baseAddress!)
            let partsB = SharedPointer(partsp.baseAddress!), gfB = SharedPointer(gfp.baseAddress!)
            let isB = useIS ? SharedPointer(fp.baseAddress!) : nil, gisB = useIS ? SharedPointer(gfa.baseAddress!) : nil
            let isStride = p * nmax
            parallelFor(b) { i in
                let r = rendersLocal[i]
                let factors = isB.map { UnsafePointer($0 + i * isStride) }
                decoder.render(phases: lists[i], shifts: sB + i * p, logVariances: vB + i * p, fractions: wB + i * p,
                               intensityFactors: factors, fattening: f, into: r)
                let gx = UnsafeMutablePointer<Float>.allocate(capacity: t)
                defer { gx.deallocate() }
                partsB[i] = reconstruction.evaluate(input: xB + i * t, reconstruction: r.reconstruction, count: t,
                                                    grad: wantGradients ? gx : nil, gradScale: gradScale)
                if wantGradients {
                    gfB[i] = decoder.backward(r, gradReconstruction: gx, fractions: wB + i * p, shifts: sB + i * p,
                                              logVariances: vB + i * p, intensityFactors: factors, fattening: f,
                                              gradFractions: gwB + i * p, gradShifts: gsB + i * p, gradLogVariances: gvB + i * p,
                                              gradIntensityFactors: gisB.map { $0 + i * isStride })
                }
            }
        } } } } } } } } } } }
        return result
    }

    public func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                     a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float,
                     c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    public func adamStep(_ optimiser: AdamOptimizer, params: UnsafeMutablePointer<Float>, grads: UnsafePointer<Float>,
                         scaled: (range: Range<Int>, factor: Float)?) {
        optimiser.update(params, grads: grads, scaled: scaled)
    }
}
