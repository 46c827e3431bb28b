import Foundation

/// Head outputs for a minibatch of B samples (pre-activations, each B×P row-major):
/// fraction logits `a`, shift pre-activations `u`, log-variance pre-activations `y`, and the
/// global fattening parameter g (used only with `peakFattening`), and, with intensity factors
/// (I_max > 1), the per-stick pre-activations y (B×P×n_max), IS = exp(tanh(y)·ln I_max), and,
/// with a fitted background, its pre-activations z (B×C), β = softplus(z + z₀)
/// (`BackgroundBasis.amplitude`).
public struct HeadOutputs: Sendable {
    public var logits: [Float]
    public var shiftPre: [Float]
    public var widthPre: [Float]
    public var fattening: Float = 0.1
    public var intensityPre: [Float] = []
    public var backgroundPre: [Float] = []
    /// The phases' pseudo-Voigt mixing pre-activations e (P values, shared by the batch; empty:
    /// Gaussian peaks), η = η_max·σ(e) (`LatentHeads.mixing`).
    public var mixingPre: [Float] = []
    /// The samples' instrument-offset pre-activations (B×2: o_z, o_δ; empty without offsets),
    /// mapped by `InstrumentOffset.offsets`.
    public var offsetPre: [Float] = []

    public init(
        logits: [Float], shiftPre: [Float], widthPre: [Float], fattening: Float = 0.1, intensityPre: [Float] = [],
        backgroundPre: [Float] = [], mixingPre: [Float] = []
    ) {
        self.backgroundPre = backgroundPre
        self.mixingPre = mixingPre
        self.intensityPre = intensityPre
        self.logits = logits
        self.shiftPre = shiftPre
        self.widthPre = widthPre
        self.fattening = fattening
    }

    public static func zeros(batch: Int, phases: Int) -> HeadOutputs {
        HeadOutputs(
            logits: .init(repeating: 0, count: batch * phases), shiftPre: .init(repeating: 0, count: batch * phases),
            widthPre: .init(repeating: 0, count: batch * phases))
    }
}

/// What the loss needs of each sample of a minibatch (walk order): max-normalised pattern
/// (B×T), allowed-phase mask (B×P, 0/1), degrees of freedom, compositions (B×M).
public struct BatchData: Sendable {
    public var samples: [Int]
    public var patterns: [Float]
    public var mask: [Float]
    public var degrees: [Int]
    public var compositions: [Double]
    /// pairValid[q]: samples q and q+1 are neighbours on the graph (false where two walks meet).
    public var pairValid: [Bool]
    /// Which rows of the problem's patterns `patterns` are (B values; the backend may hold them:
    /// `ComputeBackend.holdPatterns`), or empty for patterns from elsewhere (streamed inference).
    public var patternRows: [Int32] = []
    public var count: Int { samples.count }

    public init(
        samples: [Int], patterns: [Float], mask: [Float], degrees: [Int], compositions: [Double],
        pairValid: [Bool]? = nil
    ) {
        self.pairValid = pairValid ?? [Bool](repeating: true, count: max(samples.count - 1, 0))
        self.samples = samples
        self.patterns = patterns
        self.mask = mask
        self.degrees = degrees
        self.compositions = compositions
    }
}

/// The value of every loss term of one evaluation, and the latents it used.
public struct LossReport: Sendable {
    public var total = 0.0
    public var reconstruction = 0.0
    public var gibbs = 0.0
    public var smoothness = 0.0
    public var composition = 0.0
    public var intensityRegulariser = 0.0
    /// Mean over the batch of the background's smoothness penalty (unweighted).
    public var backgroundPenalty = 0.0
    public var gibbsWeight = 0.0
    public var reconstructionPerSample: [ReconstructionLoss.Parts] = []
    public var constraints = ConstraintTerms.Breakdown()
    /// Latents (B×P): fractions, shifts, log-variances.
    public var fractions: [Float] = []
    public var shifts: [Float] = []
    public var logVariances: [Float] = []
    /// Background coefficients β (B×C; empty without a fitted background).
    public var background: [Float] = []
    /// The phases' pseudo-Voigt mixing η (P values; empty for Gaussian peaks).
    public var mixing: [Float] = []
    /// The samples' instrument offsets (B×2: zero offset z, displacement δ, radians of 2θ; empty
    /// without offsets).
    public var offsets: [Float] = []
    public var violatingShare: Double {
        constraints.violation.isEmpty ? 0 : Double(constraints.violation.filter { $0 }.count) / Double(constraints.violation.count)
    }
}

/// The whole DRNet loss after the heads (method.md §3–4): latents, rendering, reconstruction,
/// constraint terms, their weighted total (averaged over the batch), and the gradient of the
/// total with respect to the head pre-activations. CPU implementation; one instance per problem
/// size (it owns the per-sample render workspaces).
public final class DRNetLoss: @unchecked Sendable {
    public let options: SolverOptions
    public let decoder: PeakDecoder
    public let reconstruction: ReconstructionLoss
    public let constraints: ConstraintTerms
    public let phaseCompositions: [Double]?
    public let elementCount: Int
    /// Where the decoder and reconstruction loss run: the caller's backend (the solver owns it,
    /// with the parameter store and the optimiser), used here only for the batched decode.
    public let backend: ComputeBackend

    public init(
        options: SolverOptions, decoder: PeakDecoder, phaseCompositions: [Double]?, elementCount: Int,
        backend: ComputeBackend
    ) {
        self.backend = backend
        self.options = options
        self.decoder = decoder
        self.reconstruction = ReconstructionLoss(options: options)
        self.constraints = ConstraintTerms(options: options)
        self.phaseCompositions = phaseCompositions
        self.elementCount = elementCount
    }

    /// Evaluates the loss at training step `step` (sets γ(t) and ρ(t)). With `gradients`, writes
    /// d total / d heads into it (same shapes as `heads`). `freezeShifts` zeroes the shift gradient.
    public func evaluate(
        heads: HeadOutputs, batch: BatchData, step: Int, gradients: UnsafeMutablePointer<HeadOutputs>? = nil,
        freezeShifts: Bool = false
    ) -> LossReport {
        let b = batch.count, p = decoder.phaseCount
        let o = options
        let eps = Float(o.epsilon)
        let ramp = Float(o.shiftRamp(step: step)), delta = Float(o.maxShift)
        let v0 = Float(o.logVarianceCentre), vr = Float(o.logVarianceRange)
        let fat = o.peakFattening ? Foundation.tanh(Swift.abs(heads.fattening)) : 0
        // Per-stick intensity factors IS = exp(tanh(y)·ln I_max) and dIS/dy.
        let nmax = decoder.sticks.maxSticks
        let useIS = o.intensityFactorMax > 1 && heads.intensityPre.count == b * p * nmax
        let lnI = Float(Foundation.log(o.intensityFactorMax))
        var factors = [Float](), factorSlope = [Float](), tanhIS = [Float]()
        if useIS {
            tanhIS = heads.intensityPre.map { Foundation.tanh($0) }
            factors = tanhIS.map { Foundation.exp($0 * lnI) }
            factorSlope = zip(factors, tanhIS).map { $0 * lnI * (1 - $1 * $1) }
        }
        var gradFactors = [Float](repeating: 0, count: useIS ? b * p * nmax : 0)
        // Pseudo-Voigt mixing η_k = η_max·σ(e_k) and dη/de (P values).
        let useMixing = o.pseudoVoigt && heads.mixingPre.count == p
        var eta = [Float](), etaSlope = [Float]()
        if useMixing {
            for e in heads.mixingPre {
                let (value, slope) = LatentHeads.mixing(e, maximum: Float(o.peakMixingMax))
                eta.append(value)
                etaSlope.append(slope)
            }
        }
        // Instrument offsets (z, δ) = (z_max·tanh o_z, δ_max·tanh o_δ) and their slopes (B×2).
        let useOffsets = decoder.wavenumber != nil && heads.offsetPre.count == 2 * b
        var offsets = [Float](), offsetSlope = [Float]()
        if useOffsets {
            for i in 0..<b {
                let m = InstrumentOffset.offsets(
                    heads.offsetPre[2 * i], heads.offsetPre[2 * i + 1], zeroMaxDegrees: o.zeroOffsetMax,
                    displacementMaxDegrees: o.displacementMax)
                offsets += [m.zero, m.displacement]
                offsetSlope += [m.dZero, m.dDisplacement]
            }
        }
        // Background coefficients β = softplus(z + z₀) and dβ/dz (B×C).
        let nb = decoder.backgroundCount
        let useBackground = nb > 0 && heads.backgroundPre.count == b * nb
        var beta = [Float](), betaSlope = [Float]()
        if useBackground {
            beta.reserveCapacity(b * nb)
            betaSlope.reserveCapacity(b * nb)
            for z in heads.backgroundPre {
                let (value, slope) = BackgroundBasis.amplitude(z)
                beta.append(value)
                betaSlope.append(slope)
            }
        }

        var report = LossReport()
        var w = [Float](repeating: 0, count: b * p), s = w, v = w, dsdu = w, dvdy = w
        var maxIndex = [Int](repeating: 0, count: b)
        var phaseLists = [[Int32]](repeating: [], count: b)
        heads.logits.withUnsafeBufferPointer { a in
            batch.mask.withUnsafeBufferPointer { mask in
                w.withUnsafeMutableBufferPointer { wp in
                    for i in 0..<b {
                        maxIndex[i] = LatentHeads.maskedSoftmax(
                            logits: a.baseAddress! + i * p, mask: mask.baseAddress! + i * p,
                            count: p, epsilon: eps, fractions: wp.baseAddress! + i * p)
                        phaseLists[i] = (0..<p).compactMap { mask[i * p + $0] > 0 ? Int32($0) : nil }
                    }
                }
            }
        }
        for idx in 0..<(b * p) {
            let (sv, sd) = LatentHeads.shift(heads.shiftPre[idx], ramp: ramp, maxShift: delta)
            s[idx] = sv; dsdu[idx] = sd
            let (vv, vd) = LatentHeads.logVariance(heads.widthPre[idx], centre: v0, range: vr)
            v[idx] = vv; dvdy[idx] = vd
        }

        // Render, reconstruction loss and decoder backward (the backend's batched operation).
        let wantGrad = gradients != nil
        let invB = 1 / Double(b)
        var decoderBatch = DecoderBatch(
            phases: phaseLists, fractions: w, shifts: s, logVariances: v, intensityFactors: useIS ? factors : [],
            fattening: fat, patterns: batch.patterns, background: beta, mixing: eta,
            offsets: offsets)
        decoderBatch.patternRows = batch.patternRows
        let decoded = backend.decodeAndReconstruct(decoderBatch, wantGradients: wantGrad, gradScale: invB)
        let parts = decoded.parts, gradFat = decoded.gradFattening
        var gw = decoded.gradFractions, gs = decoded.gradShifts
        let gv = decoded.gradLogVariances
        if useIS && wantGrad { gradFactors = decoded.gradIntensityFactors }

        // Intensity-factor regulariser λ·mean_b Σ_k w_bk Σ_j |log IS_bkj|·ĉ_kj, |log IS| = |tanh y|·ln I_max.
        var intensityReg = 0.0
        var gradWFromIS = [Float](repeating: 0, count: useIS ? b * p : 0)
        if useIS {
            let lam = Float(o.intensityRegWeight * invB)
            for i in 0..<b {
                for k in phaseLists[i].map({ Int($0) }) {
                    var sumAbs: Float = 0
                    for (rank, j) in decoder.sticks.sticks(of: k).enumerated() {
                        let idx = (i * p + k) * nmax + rank
                        let c = decoder.sticks.height[j]
                        sumAbs += Swift.abs(tanhIS[idx]) * lnI * c
                        if wantGrad {
                            let t = tanhIS[idx]
                            gradFactors[idx] =
                                gradFactors[idx] * factorSlope[idx]
                                + lam * w[i * p + k] * c * lnI * (t > 0 ? 1 : (t < 0 ? -1 : 0)) * (1 - t * t)
                        }
                    }
                    intensityReg += Double(w[i * p + k] * sumAbs)
                    gradWFromIS[i * p + k] = lam * sumAbs
                }
            }
            intensityReg *= invB
        }

        // Background smoothness λ_b·mean_b P(β_b), its gradient added to the decoder's dL/dβ.
        var backgroundPenalty = 0.0
        var gradBeta = useBackground && wantGrad ? decoded.gradBackground : []
        if useBackground, let basis = decoder.background {
            let scale = Float(o.backgroundSmoothness * invB)
            beta.withUnsafeBufferPointer { bp in
                gradBeta.withUnsafeMutableBufferPointer { gp in
                    for i in 0..<b {
                        backgroundPenalty += basis.penalty(
                            bp.baseAddress! + i * nb, gradient: wantGrad ? gp.baseAddress! + i * nb : nil, scale: scale)
                    }
                }
            }
            backgroundPenalty *= invB
        }

        // Constraint terms (add their gradients into gw, gs).
        let gamma = o.gibbsSchedule(step: step)
        let breakdown = gw.withUnsafeMutableBufferPointer { gwp in
            gs.withUnsafeMutableBufferPointer { gsp in
                constraints.evaluate(
                    batch: b, phases: p, fractions: w, shifts: s, degrees: batch.degrees,
                    compositions: batch.compositions, elementCount: elementCount,
                    phaseCompositions: phaseCompositions, pairValid: batch.pairValid, gibbsWeightNow: gamma,
                    gradW: wantGrad ? gwp.baseAddress : nil, gradS: wantGrad ? gsp.baseAddress : nil)
            }
        }
        report.reconstructionPerSample = parts
        report.reconstruction = parts.reduce(0) { $0 + $1.total } * invB
        report.gibbs = breakdown.gibbs
        report.smoothness = breakdown.smooth
        report.composition = breakdown.composition
        report.gibbsWeight = gamma
        report.intensityRegulariser = intensityReg
        report.total =
            report.reconstruction + gamma * breakdown.gibbs + o.smoothnessWeight * breakdown.smooth
            + (phaseCompositions != nil ? o.compositionWeight * breakdown.composition : 0)
            + o.intensityRegWeight * intensityReg + o.backgroundSmoothness * backgroundPenalty
        report.backgroundPenalty = backgroundPenalty
        report.background = beta
        report.mixing = eta
        report.offsets = offsets
        if useIS && wantGrad { for i in 0..<(b * p) { gw[i] += gradWFromIS[i] } }
        report.constraints = breakdown
        report.fractions = w
        report.shifts = s
        report.logVariances = v

        if let gradients {
            var ga = [Float](repeating: 0, count: b * p)
            ga.withUnsafeMutableBufferPointer { gap in
                w.withUnsafeBufferPointer { wp in
                    gw.withUnsafeBufferPointer { gwp in
                        for i in 0..<b {
                            LatentHeads.maskedSoftmaxBackward(
                                fractions: wp.baseAddress! + i * p, gradFractions: gwp.baseAddress! + i * p,
                                maxIndex: maxIndex[i], count: p, epsilon: eps,
                                gradLogits: gap.baseAddress! + i * p)
                        }
                    }
                }
            }
            var gu = [Float](repeating: 0, count: b * p), gy = gu
            for idx in 0..<(b * p) {
                gu[idx] = freezeShifts ? 0 : gs[idx] * dsdu[idx]
                gy[idx] = gv[idx] * dvdy[idx]
            }
            var gFat: Float = 0
            if o.peakFattening {
                let g = heads.fattening, th = Foundation.tanh(Swift.abs(g))
                gFat = gradFat.reduce(0, +) * (g >= 0 ? 1 : -1) * (1 - th * th)
            }
            var gz = [Float]()
            if useBackground { gz = zip(gradBeta, betaSlope).map { $0 * $1 } }
            // Frozen shifts freeze the offsets too (both place the peaks).
            let go = useOffsets && !freezeShifts ? zip(decoded.gradOffsets, offsetSlope).map { $0 * $1 } : []
            var ge = [Float]()
            if useMixing {
                ge = [Float](repeating: 0, count: p)
                for i in 0..<b { for k in 0..<p { ge[k] += decoded.gradMixing[i * p + k] } }
                for k in 0..<p { ge[k] *= etaSlope[k] }
            }
            gradients.pointee = HeadOutputs(
                logits: ga, shiftPre: gu, widthPre: gy, fattening: gFat,
                intensityPre: useIS ? gradFactors : [], backgroundPre: gz, mixingPre: ge)
            gradients.pointee.offsetPre = go.isEmpty && useOffsets ? [Float](repeating: 0, count: 2 * b) : go
        }
        return report
    }
}
