import CCLBlast
import COpenCL
import DRNetCore
import Foundation

/// The OpenCL conformance of `ComputeBackend`: the kernels of `Kernels/*.cl` for the batched
/// peak decoder, the reconstruction loss and their gradients, the dense layers' element-wise parts
/// and Adam, and CLBlast's SGEMM for the dense layers' matrix products. θ, its gradient, the Adam
/// moments, the activations and every decoder workspace are device buffers for the whole run.
///
/// Per call of `decodeAndReconstruct` the host uploads the batch's latents (B×P ×3, plus
/// intensity factors) and patterns (B×T) and reads back the loss parts (B×5) and, with
/// gradients, d loss/d latents (B×P ×3, B×P·n_max, one value per rendered pair): the
/// constraint terms run on the host over these few values. Device errors do not trap: the first
/// is kept in `failure`, later calls return zeros, and the solver stops and reports it.
public final class OpenCLBackend: ComputeBackend, @unchecked Sendable {
    public let device: OpenCLDevice
    public let program: KernelProgram
    public let decoder: PeakDecoder
    public let reconstructionLoss: ReconstructionLoss
    public let configuration: Configuration
    /// Per-kernel device times, collected while `recordsEvents` is set (bench; the device must
    /// have been opened with profiling).
    public var profile: KernelProfile? { recordsEvents ? profileStore : nil }
    private let profileStore: KernelProfile?
    public var recordsEvents = false
    public private(set) var failure: String?

    // Kernels.
    private let renderKernel, mixKernel, lossKernel, backwardKernel: Kernel
    private let biasReluKernel, biasGradKernel, reluBackKernel, gatherKernel, scatterKernel, adamKernel: Kernel

    // Static decoder data.
    let T: Int, Tpad: Int, P: Int, nmax: Int
    private let q, stickQ, stickH: DeviceBuffer<Float>
    private let phaseStart: DeviceBuffer<Int32>

    // Batch workspaces (grow on demand).
    private let pairSample, pairPhase, sampleStart, argmaxBuf, mixArgmax: DeviceBuffer<Int32>
    private let fractions, shifts, logVar, factors, patterns, basis, normaliser, mixture, xhat, mixNorm, parts, gm: DeviceBuffer<Float>
    private let gradW, gradS, gradV, gradIS, gradFPair: DeviceBuffer<Float>
    private var lastBatch: (phases: [[Int32]], sampleStart: [Int32], pairCount: Int)?
    private var downloaded: (xhat: [Float], mixNorm: [Float], mixArgmax: [Int32])?

    // Parameter store.
    private var theta, grad, moment1, moment2: DeviceBuffer<Float>
    private var parameterCount = 0
    private var optimiser: AdamOptimizer?
    /// Per network (keyed by its parameter offset): activation buffers per layer (acts[0] = input).
    private var activations: [Int: [DeviceBuffer<Float>]] = [:]
    private var activationBatch: [Int: Int] = [:]
    private let deltaA, deltaB: DeviceBuffer<Float>
    private let rowsBuf: DeviceBuffer<Int32>
    private let rowsOut: DeviceBuffer<Float>

    /// Opens the backend on `device` for the decoder's stick library and grid.
    /// - Parameter kernelsDirectory: explicit `Kernels/` folder (else the search of `KernelSources`).
    public init(
        device: OpenCLDevice, decoder: PeakDecoder, reconstruction: ReconstructionLoss,
        kernelsDirectory: String? = nil, configuration: Configuration? = nil
    ) throws(OpenCLError) {
        self.device = device
        self.decoder = decoder
        self.reconstructionLoss = reconstruction
        let config: Configuration
        if let configuration {
            try configuration.validate(for: device.info)
            config = configuration
        } else {
            config = try Configuration.resolved(for: device.info)
        }
        self.configuration = config
        profileStore = device.profiling ? KernelProfile() : nil
        let source = try KernelSources.load(explicit: kernelsDirectory)
        program = try KernelProgram(device: device, source: source.source, options: config.buildOptions)
        renderKernel = try Kernel(program, "render_phases")
        mixKernel = try Kernel(program, "mix_phases")
        lossKernel = try Kernel(program, "reconstruction_loss")
        backwardKernel = try Kernel(program, "decoder_backward")
        biasReluKernel = try Kernel(program, "add_bias_relu")
        biasGradKernel = try Kernel(program, "bias_gradient")
        reluBackKernel = try Kernel(program, "relu_backward")
        gatherKernel = try Kernel(program, "gather_rows")
        scatterKernel = try Kernel(program, "scatter_add_rows")
        adamKernel = try Kernel(program, "adam_update")

        T = decoder.gridCount
        Tpad = ((T + config.lanes - 1) / config.lanes) * config.lanes
        P = decoder.phaseCount
        nmax = max(decoder.sticks.maxSticks, 1)
        var grid = Array(decoder.grid.prefix(T))
        let far = (grid.last ?? 0) + 1e6
        while grid.count < Tpad { grid.append(far) }
        q = try DeviceBuffer(device, count: Tpad)
        try q.write(grid)
        stickQ = try DeviceBuffer(device, count: decoder.sticks.position.count)
        try stickQ.write(decoder.sticks.position)
        stickH = try DeviceBuffer(device, count: decoder.sticks.height.count)
        try stickH.write(decoder.sticks.height)
        phaseStart = try DeviceBuffer(device, count: P + 1)
        try phaseStart.write(decoder.sticks.offsets.map { Int32($0) })

        func f(_ n: Int) throws(OpenCLError) -> DeviceBuffer<Float> { try DeviceBuffer<Float>(device, count: n) }
        func i(_ n: Int) throws(OpenCLError) -> DeviceBuffer<Int32> { try DeviceBuffer<Int32>(device, count: n) }
        pairSample = try i(64); pairPhase = try i(64); sampleStart = try i(64); argmaxBuf = try i(64); mixArgmax = try i(64)
        fractions = try f(64); shifts = try f(64); logVar = try f(64); factors = try f(64); patterns = try f(64)
        basis = try f(64); normaliser = try f(64); mixture = try f(64); xhat = try f(64); mixNorm = try f(64)
        parts = try f(64); gm = try f(64)
        gradW = try f(64); gradS = try f(64); gradV = try f(64); gradIS = try f(64); gradFPair = try f(64)
        theta = try f(1); grad = try f(1); moment1 = try f(1); moment2 = try f(1)
        deltaA = try f(64); deltaB = try f(64)
        rowsBuf = try i(64); rowsOut = try f(64)
    }

    public var deviceName: String { "opencl:\(device.info.id) \(device.info.name)" }

    /// Records the first device error; later operations are skipped.
    private func guarded<R>(_ fallback: R, _ body: () throws(OpenCLError) -> R) -> R {
        guard failure == nil else { return fallback }
        do { return try body() } catch { failure = error.description; return fallback }
    }

    // MARK: Decoder and loss

    public func decodeAndReconstruct(_ batch: DecoderBatch, wantGradients: Bool, gradScale: Double) -> DecoderBatchResult {
        let b = batch.count, p = P
        let useIS = !batch.intensityFactors.isEmpty
        var result = DecoderBatchResult(
            parts: .init(repeating: .init(), count: b), gradFractions: .init(repeating: 0, count: b * p),
            gradShifts: .init(repeating: 0, count: b * p), gradLogVariances: .init(repeating: 0, count: b * p),
            gradIntensityFactors: .init(repeating: 0, count: useIS ? b * p * nmax : 0), gradFattening: .init(repeating: 0, count: b))
        guarded(()) { () throws(OpenCLError) in
            try run(batch, wantGradients: wantGradients, gradScale: gradScale, into: &result)
        }
        return result
    }

    private func run(_ batch: DecoderBatch, wantGradients: Bool, gradScale: Double, into result: inout DecoderBatchResult)
        throws(OpenCLError)
    {
        let b = batch.count, p = P
        let useIS = !batch.intensityFactors.isEmpty
        var ps: [Int32] = [], pk: [Int32] = [], starts: [Int32] = [0]
        for (i, list) in batch.phases.enumerated() {
            for k in list { ps.append(Int32(i)); pk.append(k) }
            starts.append(Int32(pk.count))
        }
        let L = pk.count
        downloaded = nil
        lastBatch = (batch.phases, starts, L)
        try pairSample.write(ps); try pairPhase.write(pk); try sampleStart.write(starts)
        try fractions.write(batch.fractions); try shifts.write(batch.shifts); try logVar.write(batch.logVariances)
        if useIS { try factors.write(batch.intensityFactors) }
        try patterns.write(batch.patterns)
        try basis.reserve(max(L, 1) * Tpad); try normaliser.reserve(L); try argmaxBuf.reserve(L)
        try mixture.reserve(b * Tpad); try xhat.reserve(b * Tpad); try gm.reserve(b * Tpad)
        try mixNorm.reserve(b); try mixArgmax.reserve(b); try parts.reserve(b * 5)
        let fat = batch.fattening, qMax = decoder.qMax, ws = decoder.windowSigmas, eps = decoder.epsilon

        let k = renderKernel
        try k.set(0, q); try k.set(1, Int32(T)); try k.set(2, Int32(Tpad))
        try k.set(3, stickQ); try k.set(4, stickH); try k.set(5, phaseStart); try k.set(6, Int32(nmax))
        try k.set(7, pairSample); try k.set(8, pairPhase); try k.set(9, Int32(L)); try k.set(10, Int32(p))
        try k.set(11, shifts); try k.set(12, logVar); try k.set(13, factors); try k.set(14, Int32(useIS ? 1 : 0))
        try k.set(15, fat); try k.set(16, qMax); try k.set(17, ws); try k.set(18, eps)
        try k.set(19, basis); try k.set(20, normaliser); try k.set(21, argmaxBuf)
        try k.launch(groups: pairGroups(L), local: configuration.pairGroup, profile: profile)

        let m = mixKernel
        try m.set(0, Int32(T)); try m.set(1, Int32(Tpad)); try m.set(2, Int32(p))
        try m.set(3, sampleStart); try m.set(4, pairPhase); try m.set(5, basis); try m.set(6, fractions); try m.set(7, eps)
        try m.set(8, mixture); try m.set(9, xhat); try m.set(10, mixNorm); try m.set(11, mixArgmax)
        try m.launch(groups: b, local: configuration.sampleGroup, profile: profile)

        let r = reconstructionLoss, l = lossKernel
        try l.set(0, Int32(T)); try l.set(1, Int32(Tpad)); try l.set(2, patterns); try l.set(3, xhat)
        try l.set(4, mixNorm); try l.set(5, mixArgmax)
        try l.set(6, Int32(r.metric == .symmetricKL ? 0 : 1)); try l.set(7, Float(r.divergenceWeight))
        try l.set(8, Float(r.l2Weight)); try l.set(9, Float(r.l1Weight)); try l.set(10, Float(r.scale))
        try l.set(11, Float(r.klEpsilon)); try l.set(12, Float(r.epsilon)); try l.set(13, Float(gradScale))
        try l.set(14, Int32(wantGradients ? 1 : 0)); try l.set(15, parts); try l.set(16, gm)
        try l.launch(groups: b, local: configuration.sampleGroup, profile: profile)

        if wantGradients {
            try gradW.reserve(b * p); try gradS.reserve(b * p); try gradV.reserve(b * p)
            try gradIS.reserve(useIS ? b * p * nmax : 1); try gradFPair.reserve(L)
            try gradW.zero(b * p); try gradS.zero(b * p); try gradV.zero(b * p)
            if useIS { try gradIS.zero(b * p * nmax) }
            let g = backwardKernel
            try g.set(0, q); try g.set(1, Int32(T)); try g.set(2, Int32(Tpad))
            try g.set(3, stickQ); try g.set(4, stickH); try g.set(5, phaseStart); try g.set(6, Int32(nmax))
            try g.set(7, pairSample); try g.set(8, pairPhase); try g.set(9, Int32(L)); try g.set(10, Int32(p))
            try g.set(11, fractions); try g.set(12, shifts); try g.set(13, logVar); try g.set(14, factors)
            try g.set(15, Int32(useIS ? 1 : 0)); try g.set(16, fat); try g.set(17, qMax); try g.set(18, ws)
            try g.set(19, basis); try g.set(20, normaliser); try g.set(21, argmaxBuf); try g.set(22, gm)
            try g.set(23, gradW); try g.set(24, gradS); try g.set(25, gradV); try g.set(26, gradIS); try g.set(27, gradFPair)
            try g.launch(groups: pairGroups(L), local: configuration.pairGroup, profile: profile)
        }
        let partValues = try parts.read(b * 5)
        for i in 0..<b {
            result.parts[i] = ReconstructionLoss.Parts(
                klForward: Double(partValues[i * 5]), klReverse: Double(partValues[i * 5 + 1]),
                divergence: Double(partValues[i * 5 + 2]), l2: Double(partValues[i * 5 + 3]), l1: Double(partValues[i * 5 + 4]))
        }
        if wantGradients {
            result.gradFractions = try gradW.read(b * p)
            result.gradShifts = try gradS.read(b * p)
            result.gradLogVariances = try gradV.read(b * p)
            if useIS { result.gradIntensityFactors = try gradIS.read(b * p * nmax) }
            let perPair = try gradFPair.read(L)
            for i in 0..<b {
                var s: Float = 0
                for j in Int(starts[i])..<Int(starts[i + 1]) { s += perPair[j] }
                result.gradFattening[i] = s
            }
        }
        profile?.drain()
    }

    private func downloadReconstructions() -> (xhat: [Float], mixNorm: [Float], mixArgmax: [Int32]) {
        if let downloaded { return downloaded }
        let b = lastBatch?.phases.count ?? 0
        let d = guarded(([Float](repeating: 0, count: b * Tpad), [Float](repeating: 1, count: b), [Int32](repeating: 0, count: b))) {
            () throws(OpenCLError) in (try xhat.read(b * Tpad), try mixNorm.read(b), try mixArgmax.read(b))
        }
        downloaded = d
        return d
    }

    public func reconstruction(_ b: Int) -> [Float] {
        let d = downloadReconstructions()
        return Array(d.xhat[(b * Tpad)..<(b * Tpad + T)])
    }

    public func renderedSample(_ b: Int) -> SampleRender {
        let r = SampleRender(decoder: decoder)
        guard let last = lastBatch else { return r }
        let d = downloadReconstructions()
        let lo = Int(last.sampleStart[b]), hi = Int(last.sampleStart[b + 1])
        let loaded = guarded(nil) { () throws(OpenCLError) -> ([Float], [Float], [Int32], [Float])? in
            let rows = try basis.read((hi - lo) * Tpad, at: lo * Tpad)
            return (rows, try normaliser.read(hi - lo, at: lo), try argmaxBuf.read(hi - lo, at: lo), try mixture.read(Tpad, at: b * Tpad))
        }
        guard let (rowsPadded, norms, args, mix) = loaded else { return r }
        var rows: [Float] = []
        rows.reserveCapacity((hi - lo) * T)
        for i in 0..<(hi - lo) { rows += rowsPadded[(i * Tpad)..<(i * Tpad + T)] }
        r.load(
            phases: last.phases[b], rows: rows, normalisers: norms, argmaxes: args, mixture: Array(mix.prefix(T)),
            reconstruction: Array(d.xhat[(b * Tpad)..<(b * Tpad + T)]), mixtureNormaliser: d.mixNorm[b],
            mixtureArgmax: Int(d.mixArgmax[b]))
        return r
    }

    // MARK: Parameter store

    public func loadParameters(_ values: [Float], optimiser: AdamOptimizer) {
        precondition(optimiser.count == values.count, "optimiser size \(optimiser.count) ≠ parameter count \(values.count)")
        self.optimiser = optimiser
        parameterCount = values.count
        activations = [:]
        activationBatch = [:]
        guarded(()) { () throws(OpenCLError) in
            try theta.reserve(values.count); try grad.reserve(values.count)
            try moment1.reserve(values.count); try moment2.reserve(values.count)
            try theta.write(values)
            try grad.zero(values.count)
            try moment1.write(optimiser.firstMoment)
            try moment2.write(optimiser.secondMoment)
        }
    }

    public func parameterValues() -> [Float] {
        guarded([Float](repeating: 0, count: parameterCount)) { () throws(OpenCLError) in try theta.read(parameterCount) }
    }

    public func optimiserMoments() -> (first: [Float], second: [Float]) {
        guarded(([], [])) { () throws(OpenCLError) in (try moment1.read(parameterCount), try moment2.read(parameterCount)) }
    }

    public func parameterGradient() -> [Float] {
        guarded([Float](repeating: 0, count: parameterCount)) { () throws(OpenCLError) in try grad.read(parameterCount) }
    }

    public func zeroGradient() {
        guarded(()) { () throws(OpenCLError) in try grad.zero(parameterCount) }
    }

    /// C = op(A)·op(B) (+ β·C), row-major, through CLBlast on the device queue.
    private func sgemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, a: DeviceBuffer<Float>, aOffset: Int, lda: Int,
        b: DeviceBuffer<Float>, bOffset: Int, ldb: Int, beta: Float,
        c: DeviceBuffer<Float>, cOffset: Int, ldc: Int
    ) throws(OpenCLError) {
        var queue: cl_command_queue? = device.queue
        var event: cl_event?
        let wantEvent = profile != nil
        let ta = transA ? CLBlastTransposeYes : CLBlastTransposeNo, tb = transB ? CLBlastTransposeYes : CLBlastTransposeNo
        let status =
            wantEvent
            ? CLBlastSgemm(
                CLBlastLayoutRowMajor, ta, tb, m, n, k, 1, a.mem, aOffset, lda, b.mem, bOffset, ldb, beta,
                c.mem, cOffset, ldc, &queue, &event)
            : CLBlastSgemm(
                CLBlastLayoutRowMajor, ta, tb, m, n, k, 1, a.mem, aOffset, lda, b.mem, bOffset, ldb, beta,
                c.mem, cOffset, ldc, &queue, nil)
        if status.rawValue != 0 { throw .clblast("SGEMM \(m)×\(n)×\(k)", Int32(status.rawValue)) }
        if let event, let profile { profile.record("clblast_sgemm", event) }
    }

    private func elementGroups(_ n: Int) -> Int { (n + configuration.elementGroup - 1) / configuration.elementGroup }

    /// Work-groups for L pairs: one per pair, or `pairGroupCap` groups that loop over the pairs.
    private func pairGroups(_ pairs: Int) -> Int {
        configuration.pairGroupCap > 0 ? min(pairs, configuration.pairGroupCap) : pairs
    }

    public func denseForward(_ network: DenseNetwork, input: [Float], batch: Int) -> [Float] {
        guarded([Float](repeating: 0, count: batch * network.outputWidth)) { () throws(OpenCLError) in
            var acts = activations[network.offset] ?? []
            if acts.count != network.widths.count {
                acts = []
                for w in network.widths { acts.append(try DeviceBuffer<Float>(device, count: max(batch, 16) * w)) }
                activations[network.offset] = acts
            }
            for (l, w) in network.widths.enumerated() { try acts[l].reserve(batch * w) }
            activationBatch[network.offset] = batch
            try acts[0].write(input)
            for l in 0..<network.layerCount {
                let n = network.widths[l], m = network.widths[l + 1]
                try sgemm(
                    transA: false, transB: false, m: batch, n: m, k: n, a: acts[l], aOffset: 0, lda: n,
                    b: theta, bOffset: network.weightOffsets[l], ldb: m, beta: 0, c: acts[l + 1], cOffset: 0, ldc: m)
                let k = biasReluKernel
                try k.set(0, acts[l + 1]); try k.set(1, theta); try k.set(2, Int32(network.biasOffsets[l]))
                try k.set(3, Int32(m)); try k.set(4, Int32(batch * m)); try k.set(5, Int32(l < network.layerCount - 1 ? 1 : 0))
                try k.launch(groups: elementGroups(batch * m), local: configuration.elementGroup, profile: profile)
            }
            let out = try acts[network.layerCount].read(batch * network.outputWidth)
            profile?.drain()
            return out
        }
    }

    public func denseBackward(_ network: DenseNetwork, outputGradient: [Float], batch: Int) {
        guarded(()) { () throws(OpenCLError) in
            guard let acts = activations[network.offset], activationBatch[network.offset] == batch else {
                preconditionFailure("denseBackward without a matching denseForward")
            }
            var delta = deltaA, spare = deltaB
            try delta.write(outputGradient)
            for l in stride(from: network.layerCount - 1, through: 0, by: -1) {
                let n = network.widths[l], m = network.widths[l + 1]
                // dW += Xᵀ·Δ (n×m), db += Σ_rows Δ
                try sgemm(
                    transA: true, transB: false, m: n, n: m, k: batch, a: acts[l], aOffset: 0, lda: n,
                    b: delta, bOffset: 0, ldb: m, beta: 1, c: grad, cOffset: network.weightOffsets[l], ldc: m)
                let k = biasGradKernel
                try k.set(0, delta); try k.set(1, Int32(m)); try k.set(2, Int32(batch)); try k.set(3, grad)
                try k.set(4, Int32(network.biasOffsets[l]))
                try k.launch(groups: elementGroups(m), local: configuration.elementGroup, profile: profile)
                if l == 0 { break }
                // Δ_prev = Δ·Wᵀ (B×n), through the ReLU of layer l−1's output.
                try spare.reserve(batch * n)
                try sgemm(
                    transA: false, transB: true, m: batch, n: n, k: m, a: delta, aOffset: 0, lda: m,
                    b: theta, bOffset: network.weightOffsets[l], ldb: m, beta: 0, c: spare, cOffset: 0, ldc: n)
                let r = reluBackKernel
                try r.set(0, spare); try r.set(1, acts[l]); try r.set(2, Int32(batch * n))
                try r.launch(groups: elementGroups(batch * n), local: configuration.elementGroup, profile: profile)
                swap(&delta, &spare)
            }
        }
    }

    public func gatherParameters(rows: [Int], width: Int) -> [Float] {
        guarded([Float](repeating: 0, count: rows.count * width)) { () throws(OpenCLError) in
            if rows.count == 1 { return try theta.read(width, at: rows[0]) }
            try rowsBuf.write(rows.map { Int32($0) })
            try rowsOut.reserve(rows.count * width)
            let k = gatherKernel
            try k.set(0, theta); try k.set(1, rowsBuf); try k.set(2, Int32(width)); try k.set(3, Int32(rows.count)); try k.set(4, rowsOut)
            try k.launch(groups: elementGroups(rows.count * width), local: configuration.elementGroup, profile: profile)
            return try rowsOut.read(rows.count * width)
        }
    }

    public func addToGradient(rows: [Int], width: Int, values: [Float]) {
        guarded(()) { () throws(OpenCLError) in
            try rowsBuf.write(rows.map { Int32($0) })
            try rowsOut.write(values)
            let k = scatterKernel
            try k.set(0, grad); try k.set(1, rowsBuf); try k.set(2, Int32(width)); try k.set(3, Int32(rows.count)); try k.set(4, rowsOut)
            try k.launch(groups: elementGroups(rows.count * width), local: configuration.elementGroup, profile: profile)
        }
    }

    public func adamStep(scaled: (range: Range<Int>, factor: Float)?) {
        guard let optimiser else { preconditionFailure("adamStep before loadParameters") }
        let (rate, invC2) = optimiser.advance()
        guarded(()) { () throws(OpenCLError) in
            let k = adamKernel
            try k.set(0, theta); try k.set(1, grad); try k.set(2, moment1); try k.set(3, moment2)
            try k.set(4, Int32(parameterCount)); try k.set(5, optimiser.beta1); try k.set(6, optimiser.beta2)
            try k.set(7, rate); try k.set(8, invC2); try k.set(9, optimiser.epsilon)
            try k.set(10, Int32(scaled?.range.lowerBound ?? 0)); try k.set(11, Int32(scaled?.range.upperBound ?? 0))
            try k.set(12, scaled?.factor ?? 1)
            let vectors = (parameterCount + configuration.lanes - 1) / configuration.lanes
            try k.launch(groups: elementGroups(vectors), local: configuration.elementGroup, profile: profile)
        }
    }

    /// Waits for the queue (bench timing) and folds profiling events into `profile`.
    public func synchronise() {
        guarded(()) { () throws(OpenCLError) in try device.finish() }
        profileStore?.drain()
    }

    /// Device time per kernel name recorded so far (seconds), and clears it.
    public func takeKernelTimes() -> [String: Double] {
        guard let p = profileStore else { return [:] }
        p.drain()
        let t = p.seconds
        p.reset()
        return t
    }
}
