import COpenCL
import DRNetCore

/// Host side of `Kernels/peak_decoder.cl` (CPU specification: `PeakDecoder.swift`): the batched
/// decode — render every (sample, phase) pair, mix each sample's phases, the reconstruction loss
/// (`OpenCLReconstructionLoss.swift`), and with gradients the decoder's backward pass — and the
/// read-back of rendered samples for plots and tests. With a fitted background (C > 0) the
/// mixture kernel adds each sample's curve Σ_c β_c·φ_c and `background_backward`
/// (`Kernels/background.cl`) projects d loss/d m on the splines.
///
/// Pairs: the batch's (sample, phase) pairs in sample order (`pairSample`, `pairPhase`, L of
/// them; sample b owns pairs sampleStart[b] ..< sampleStart[b + 1]). Grid rows are `Tpad`
/// floats (T rounded up to the lane width).
extension OpenCLBackend {
    public func decodeAndReconstruct(_ batch: DecoderBatch, wantGradients: Bool, gradScale: Double) -> DecoderBatchResult {
        let b = batch.count, p = P
        let useIS = !batch.intensityFactors.isEmpty
        let useBackground = C > 0 && batch.background.count == b * C
        var result = DecoderBatchResult(
            parts: .init(repeating: .init(), count: b), gradFractions: .init(repeating: 0, count: b * p),
            gradShifts: .init(repeating: 0, count: b * p), gradLogVariances: .init(repeating: 0, count: b * p),
            gradIntensityFactors: .init(repeating: 0, count: useIS ? b * p * nmax : 0), gradFattening: .init(repeating: 0, count: b),
            gradBackground: .init(repeating: 0, count: useBackground ? b * C : 0),
            gradMixing: .init(repeating: 0, count: batch.mixing.count == p ? b * p : 0),
            gradOffsets: .init(repeating: 0, count: decoder.wavenumber != nil && batch.offsets.count == 2 * b ? 2 * b : 0))
        guarded(()) { () throws(OpenCLError) in
            try decode(batch, wantGradients: wantGradients, gradScale: gradScale, into: &result)
        }
        return result
    }

    private func decode(_ batch: DecoderBatch, wantGradients: Bool, gradScale: Double, into result: inout DecoderBatchResult)
        throws(OpenCLError)
    {
        let b = batch.count, p = P
        let useIS = !batch.intensityFactors.isEmpty
        let useBackground = C > 0 && batch.background.count == b * C
        let useMixing = batch.mixing.count == p
        let useOffsets = decoder.wavenumber != nil && batch.offsets.count == 2 * b
        let K = decoder.wavenumber ?? 1
        var ps: [Int32] = [], pk: [Int32] = [], starts: [Int32] = [0]
        for (i, list) in batch.phases.enumerated() {
            for k in list {
                ps.append(Int32(i))
                pk.append(k)
            }
            starts.append(Int32(pk.count))
        }
        let L = pk.count
        downloaded = nil
        lastBatch = (batch.phases, starts, L)
        lastBackground = useBackground
        try pairSample.write(ps)
        try pairPhase.write(pk)
        try sampleStart.write(starts)
        try fractions.write(batch.fractions)
        try shifts.write(batch.shifts)
        try logVar.write(batch.logVariances)
        if useIS { try factors.write(batch.intensityFactors) }
        if useMixing { try mixingBuf.write(batch.mixing) }
        if useOffsets { try offsetsBuf.write(batch.offsets) }
        if !(try gatherHeldPatterns(rows: batch.patternRows, into: patterns)) { try patterns.write(batch.patterns) }
        if useBackground {
            try bgCoeff.write(batch.background)
            try bgCurve.reserve(b * Tpad)
        }
        try basis.reserve(max(L, 1) * Tpad)
        try normaliser.reserve(L)
        try argmaxBuf.reserve(L)
        try mixture.reserve(b * Tpad)
        try xhat.reserve(b * Tpad)
        try gm.reserve(b * Tpad)
        try mixNorm.reserve(b)
        try mixArgmax.reserve(b)
        try parts.reserve(b * 5)
        let fat = batch.fattening, qMax = decoder.qMax, ws = decoder.windowSigmas, eps = decoder.epsilon

        try renderKernel.launch(
            [
                .buffer(q), .int(T), .int(Tpad),
                .buffer(stickQ), .buffer(stickH), .buffer(phaseStart), .int(nmax),
                .buffer(pairSample), .buffer(pairPhase), .int(L), .int(p),
                .buffer(shifts), .buffer(logVar),
                .buffer(factors), .flag(useIS), .buffer(mixingBuf), .flag(useMixing),
                .float(K), .buffer(offsetsBuf), .flag(useOffsets),
                .float(fat), .float(qMax), .float(ws), .float(eps),
                .buffer(basis), .buffer(normaliser), .buffer(argmaxBuf)
            ],
            groups: pairGroups(L), local: configuration.pairGroup, profile: profile)

        try mixKernel.launch(
            [
                .int(T), .int(Tpad), .int(p),
                .buffer(sampleStart), .buffer(pairPhase),
                .buffer(basis), .buffer(fractions), .float(eps),
                .int(useBackground ? C : 0), .buffer(bgBasis), .buffer(bgCoeff), .buffer(bgCurve),
                .buffer(mixture), .buffer(xhat), .buffer(mixNorm), .buffer(mixArgmax)
            ],
            groups: b, local: configuration.sampleGroup, profile: profile)

        try launchReconstructionLoss(samples: b, gradScale: gradScale, wantGradients: wantGradients)

        if wantGradients {
            try gradW.reserve(b * p)
            try gradS.reserve(b * p)
            try gradV.reserve(b * p)
            try gradIS.reserve(useIS ? b * p * nmax : 1)
            try gradFPair.reserve(L)
            try gradEtaPair.reserve(L)
            try gradOffPair.reserve(2 * L)
            try gradW.zero(b * p)
            try gradS.zero(b * p)
            try gradV.zero(b * p)
            if useIS { try gradIS.zero(b * p * nmax) }
            try backwardKernel.launch(
                [
                    .buffer(q), .int(T), .int(Tpad),
                    .buffer(stickQ), .buffer(stickH), .buffer(phaseStart), .int(nmax),
                    .buffer(pairSample), .buffer(pairPhase), .int(L), .int(p),
                    .buffer(fractions), .buffer(shifts), .buffer(logVar),
                    .buffer(factors), .flag(useIS), .buffer(mixingBuf), .flag(useMixing),
                    .float(K), .buffer(offsetsBuf), .flag(useOffsets),
                    .float(fat), .float(qMax), .float(ws),
                    .buffer(basis), .buffer(normaliser), .buffer(argmaxBuf),
                    .buffer(gm),
                    .buffer(gradW), .buffer(gradS), .buffer(gradV), .buffer(gradIS), .buffer(gradFPair),
                    .buffer(gradEtaPair), .buffer(gradOffPair)
                ],
                groups: pairGroups(L), local: configuration.pairGroup, profile: profile)
            if useBackground {
                try gradBg.reserve(b * C)
                try backgroundBackwardKernel.launch(
                    [.int(T), .int(Tpad), .int(C), .buffer(bgBasis), .buffer(gm), .buffer(gradBg)],
                    groups: b, local: configuration.sampleGroup, profile: profile)
            }
        }
        // Every result crosses in one host synchronisation: the downloads are enqueued behind
        // the kernels and completed by one finish.
        let partsRead = try enqueueLossPartsRead(samples: b)
        var gradReads: (w: PendingRead<Float>, s: PendingRead<Float>, v: PendingRead<Float>, pairF: PendingRead<Float>)?
        var isRead, bgRead, offRead, etaRead: PendingRead<Float>?
        if wantGradients {
            gradReads = (try gradW.readLater(b * p), try gradS.readLater(b * p), try gradV.readLater(b * p), try gradFPair.readLater(L))
            if useIS { isRead = try gradIS.readLater(b * p * nmax) }
            if useBackground { bgRead = try gradBg.readLater(b * C) }
            if useOffsets { offRead = try gradOffPair.readLater(2 * L) }
            if useMixing { etaRead = try gradEtaPair.readLater(L) }
        }
        try device.finish()
        result.parts = lossParts(from: partsRead, samples: b)
        if let gradReads {
            result.gradFractions = gradReads.w.values
            result.gradShifts = gradReads.s.values
            result.gradLogVariances = gradReads.v.values
            if let isRead { result.gradIntensityFactors = isRead.values }
            if let bgRead { result.gradBackground = bgRead.values }
            let perPair = gradReads.pairF.values
            for i in 0..<b {
                var s: Float = 0
                for j in Int(starts[i])..<Int(starts[i + 1]) { s += perPair[j] }
                result.gradFattening[i] = s
            }
            if let offRead {
                let perPair = offRead.values
                for i in 0..<b {
                    var z: Float = 0, d: Float = 0
                    for j in Int(starts[i])..<Int(starts[i + 1]) {
                        z += perPair[2 * j]
                        d += perPair[2 * j + 1]
                    }
                    result.gradOffsets[2 * i] = z
                    result.gradOffsets[2 * i + 1] = d
                }
            }
            if let etaRead {
                let etaPerPair = etaRead.values
                for i in 0..<b {
                    for j in Int(starts[i])..<Int(starts[i + 1]) { result.gradMixing[i * p + Int(pk[j])] = etaPerPair[j] }
                }
            }
        }
        profile?.drain()
    }

    /// x̂, the mixture normalisers and argmaxes of the last batch (read once per batch).
    func downloadReconstructions() -> (xhat: [Float], mixNorm: [Float], mixArgmax: [Int32]) {
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

    /// Rows of sample b's rendered pairs, `Tpad` floats each (one read of the sample's span).
    private func sampleRows(_ b: Int, _ last: (phases: [[Int32]], sampleStart: [Int32], pairCount: Int)) -> [Float]? {
        let lo = Int(last.sampleStart[b]), hi = Int(last.sampleStart[b + 1])
        guard hi > lo else { return [] }
        return guarded(nil) { () throws(OpenCLError) -> [Float]? in try basis.read((hi - lo) * Tpad, at: lo * Tpad) }
    }

    public func renderedSample(_ b: Int) -> RenderedSample {
        let empty = RenderedSample(
            gridCount: T, phases: [], rows: [], normalisers: [], argmaxes: [], mixture: [Float](repeating: 0, count: T),
            reconstruction: [Float](repeating: 0, count: T), mixtureNormaliser: 1, mixtureArgmax: 0)
        guard let last = lastBatch else { return empty }
        let d = downloadReconstructions()
        let lo = Int(last.sampleStart[b]), hi = Int(last.sampleStart[b + 1])
        let loaded = guarded(nil) { () throws(OpenCLError) -> ([Float], [Int32], [Float])? in
            (try normaliser.read(hi - lo, at: lo), try argmaxBuf.read(hi - lo, at: lo), try mixture.read(Tpad, at: b * Tpad))
        }
        guard let rowsPadded = sampleRows(b, last), let (norms, args, mix) = loaded else { return empty }
        let background = backgroundCurve(b)
        var rows: [Float] = []
        rows.reserveCapacity((hi - lo) * T)
        for i in 0..<(hi - lo) { rows += rowsPadded[(i * Tpad)..<(i * Tpad + T)] }
        return RenderedSample(
            gridCount: T, phases: last.phases[b].map { Int($0) }, rows: rows, normalisers: norms, argmaxes: args.map { Int($0) },
            mixture: Array(mix.prefix(T)), reconstruction: Array(d.xhat[(b * Tpad)..<(b * Tpad + T)]),
            mixtureNormaliser: d.mixNorm[b], mixtureArgmax: Int(d.mixArgmax[b]), background: background)
    }

    /// b(q_t) of batch position b after the last batch (T values; zeros without a background).
    private func backgroundCurve(_ b: Int) -> [Float] {
        guard lastBackground else { return [Float](repeating: 0, count: T) }
        return guarded([Float](repeating: 0, count: T)) { () throws(OpenCLError) in try bgCurve.read(T, at: b * Tpad) }
    }

    public func backgroundContribution(_ b: Int) -> [Float] {
        let inv = 1 / downloadReconstructions().mixNorm[b]
        return backgroundCurve(b).map { $0 * inv }
    }

    /// c_k = w_k·B_k/(M + ε) for the requested phases: one read of the sample's rendered rows
    /// (M + ε comes with the batch's reconstructions, read once per batch).
    public func phaseContributions(_ b: Int, phases: [Int], fractions: ArraySlice<Float>) -> [Float] {
        var out = [Float](repeating: 0, count: phases.count * T)
        guard let last = lastBatch, let rowsPadded = sampleRows(b, last) else { return out }
        let inv = 1 / downloadReconstructions().mixNorm[b]
        let rendered = last.phases[b].map { Int($0) }
        for (j, k) in phases.enumerated() {
            let f = fractions[fractions.startIndex + k]
            guard f > 0, let pair = rendered.firstIndex(of: k) else { continue }
            for q in 0..<T { out[j * T + q] = f * rowsPadded[pair * Tpad + q] * inv }
        }
        return out
    }
}
