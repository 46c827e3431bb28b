import Foundation

/// The physics-rule terms of the DRNet loss for one minibatch walk of B samples (method.md §4),
/// with their gradients. Inputs are row-major B×P fractions w and shifts s, the degrees of
/// freedom d_b and compositions (B×M); pairs are consecutive samples (b, b+1) of the walk.
///
///  - Gibbs entropy: P_bk = (w_bk + ε)^β / Σ_k (w_bk + ε)^β,  H_b = −Σ_k P_bk log(P_bk + ε)
///  - alloy: Δ_p = max_{k ∈ A_p} |s_bk − s_{b+1,k}|, A_p = {k : min(w_bk, w_{b+1,k}) > min_act};
///    pen_p = leaky_relu(tanh((Δ_p − 0.95u)/a), 0.1); alloy_b = max(pen_{b−1}, pen_b)·(log d − log(d − 1 + c)),
///    a missing neighbour pair counting as 0
///  - violation: n_b = #{w_bk > min_act}; violates if n_b > d_b or (n_b ≥ d_b and a pair has an
///    active shift jump > 0.95u); ratio_b = 1 if violating else g_p (no gradient)
///  - gibbs = mean_b (H_b + λ_alloy·alloy_b)·ratio_b
///  - smoothness (l2OverDistance): mean_p sqrt(Σ_k (w_bk − w_{b+1,k})² + ε) / ‖c_b − c_{b+1}‖₁;
///    (l1): mean_p Σ_k |w_bk − w_{b+1,k}|
///  - composition: mean_b S·Σ_m P_m log((P_m + ε)/(C_m + ε)), P = normalise(w_b·Π), C = normalise(c_b)
public struct ConstraintTerms: Sendable {
    public let options: SolverOptions

    public init(options: SolverOptions) { self.options = options }

    /// Per-sample and per-pair values of one evaluation (for tests, progress and refine).
    public struct Breakdown: Sendable {
        public var entropy: [Double] = []
        public var pairMaxShift: [Double] = []
        public var pairPenalty: [Double] = []
        public var alloyPenalty: [Double] = []
        public var alloy: [Double] = []
        public var activeCount: [Int] = []
        public var violatingShifts: [Int] = []
        public var violation: [Bool] = []
        public var penaltyRatio: [Double] = []
        public var gibbs = 0.0
        public var smoothPairs: [Double] = []
        public var smooth = 0.0
        public var predictedComposition: [Double] = []
        public var compositionPerSample: [Double] = []
        public var composition = 0.0
    }

    /// Evaluates every term. Adds weight·∂term/∂w into `gradW` and weight·∂term/∂s into `gradS`
    /// (B×P each) when given, with weights gibbsWeightNow (γ(t)), smoothnessWeight, compositionWeight.
    public func evaluate(
        batch b: Int, phases p: Int, fractions w: [Float], shifts s: [Float], degrees d: [Int],
        compositions c: [Double], elementCount m: Int, phaseCompositions pc: [Double]?,
        pairValid: [Bool]? = nil,
        gibbsWeightNow: Double, gradW: UnsafeMutablePointer<Float>? = nil,
        gradS: UnsafeMutablePointer<Float>? = nil
    ) -> Breakdown {
        let o = options
        let eps = o.epsilon, beta = o.entropyBeta, act = Float(o.minActivation)
        let threshold = 0.95 * o.shiftUnit
        var r = Breakdown()
        r.entropy = .init(repeating: 0, count: b)
        r.activeCount = (0..<b).map { i in (0..<p).reduce(0) { $0 + (w[i * p + $1] > act ? 1 : 0) } }

        // Pairs: the largest shared-active shift jump and the number of violating jumps.
        let pairs = b - 1
        // A pair (b, b+1) straddling two concatenated walks is not a graph edge: it is skipped.
        let valid = pairValid ?? [Bool](repeating: true, count: max(pairs, 0))
        r.pairMaxShift = .init(repeating: 0, count: pairs)
        r.pairPenalty = .init(repeating: 0, count: pairs)
        var pairArg = [Int](repeating: -1, count: pairs)
        var pairJumps = [Int](repeating: 0, count: pairs)
        var pairSlope = [Double](repeating: 0, count: pairs)
        for q in 0..<pairs {
            var best = 0.0, arg = -1, jumps = 0
            for k in 0..<p where min(w[q * p + k], w[(q + 1) * p + k]) > act {
                let diff = Swift.abs(Double(s[q * p + k]) - Double(s[(q + 1) * p + k]))
                if diff > threshold { jumps += 1 }
                if arg < 0 || diff > best { best = diff; arg = k }
            }
            let z = (best - threshold) / o.shiftAmplify
            let th = Foundation.tanh(z)
            r.pairMaxShift[q] = best
            r.pairPenalty[q] = th > 0 ? th : 0.1 * th
            pairSlope[q] = (th > 0 ? 1 : 0.1) * (1 - th * th) / o.shiftAmplify
            pairArg[q] = arg
            pairJumps[q] = jumps
        }
        r.alloyPenalty = .init(repeating: 0, count: b)
        r.alloy = .init(repeating: 0, count: b)
        r.violatingShifts = .init(repeating: 0, count: b)
        r.violation = .init(repeating: false, count: b)
        r.penaltyRatio = .init(repeating: 1, count: b)
        var alloyPair = [Int](repeating: -1, count: b)
        for i in 0..<b {
            // max over the sample's two pairs; a missing pair (walk ends) counts as 0, no gradient.
            let left: (Double, Int) = i > 0 && valid[i - 1] ? (r.pairPenalty[i - 1], i - 1) : (0, -1)
            let right: (Double, Int) = i < b - 1 && valid[i] ? (r.pairPenalty[i], i) : (0, -1)
            let chosen = left.0 >= right.0 ? left : right
            r.alloyPenalty[i] = chosen.0
            alloyPair[i] = chosen.1
            let di = Double(d[i])
            let factor = Foundation.log(di) - Foundation.log(di - 1 + o.alloyDofOffset)
            r.alloy[i] = o.alloyEnabled ? r.alloyPenalty[i] * factor : 0
            r.violatingShifts[i] = (i > 0 && valid[i - 1] ? pairJumps[i - 1] : 0) + (i < b - 1 && valid[i] ? pairJumps[i] : 0)
            let n = Double(r.activeCount[i])
            let c1 = n > di + 0.5, c2 = n > di - 0.5, c3 = o.alloyEnabled && r.violatingShifts[i] > 0
            r.violation[i] = c1 || (c2 && c3)
            r.penaltyRatio[i] = r.violation[i] ? 1 : o.gibbsPenalty
        }

        // Entropy and the Gibbs loss.
        let invB = 1 / Double(b)
        var gibbs = 0.0
        var y = [Double](repeating: 0, count: p)
        for i in 0..<b {
            var sumY = 0.0
            for k in 0..<p { y[k] = Foundation.pow(Double(w[i * p + k]) + eps, beta); sumY += y[k] }
            var h = 0.0
            for k in 0..<p { let pk = y[k] / sumY; h -= pk * Foundation.log(pk + eps) }
            r.entropy[i] = h
            gibbs += (h + o.alloyWeight * r.alloy[i]) * r.penaltyRatio[i]
            if let gradW, gibbsWeightNow != 0 {
                // dH/dP_k = −(log(P_k + ε) + P_k/(P_k + ε)); dH/dy_k = (dH/dP_k − Σ_j dH/dP_j P_j)/Y;
                // dy_k/dw_k = β(w_k + ε)^{β−1}.
                let scale = gibbsWeightNow * r.penaltyRatio[i] * invB
                var dots = 0.0
                var gP = [Double](repeating: 0, count: p)
                for k in 0..<p {
                    let pk = y[k] / sumY
                    gP[k] = -(Foundation.log(pk + eps) + pk / (pk + eps))
                    dots += gP[k] * pk
                }
                for k in 0..<p {
                    let wk = Double(w[i * p + k]) + eps
                    let dy = beta == 1 ? 1 : beta * Foundation.pow(wk, beta - 1)
                    gradW[i * p + k] += Float(scale * (gP[k] - dots) / sumY * dy)
                }
            }
            if let gradS, gibbsWeightNow != 0, o.alloyEnabled, alloyPair[i] >= 0 {
                let q = alloyPair[i], k = pairArg[q]
                if k >= 0 {
                    let di = Double(d[i])
                    let factor = Foundation.log(di) - Foundation.log(di - 1 + o.alloyDofOffset)
                    let g = gibbsWeightNow * r.penaltyRatio[i] * invB * o.alloyWeight * factor * pairSlope[q]
                    let sign: Double = s[q * p + k] >= s[(q + 1) * p + k] ? 1 : -1
                    gradS[q * p + k] += Float(g * sign)
                    gradS[(q + 1) * p + k] -= Float(g * sign)
                }
            }
        }
        r.gibbs = gibbs * invB

        // Smoothness along the walk.
        r.smoothPairs = .init(repeating: 0, count: pairs)
        let validCount = valid.filter { $0 }.count
        let invP = validCount > 0 ? 1 / Double(validCount) : 0
        for q in 0..<pairs where valid[q] {
            switch o.smoothness {
            case .l2OverDistance:
                var dist = 0.0
                for e in 0..<m { dist += Swift.abs(c[q * m + e] - c[(q + 1) * m + e]) }
                dist = max(dist, 1e-6)
                var sq = 0.0
                for k in 0..<p { let dw = Double(w[q * p + k]) - Double(w[(q + 1) * p + k]); sq += dw * dw }
                let root = (sq + eps).squareRoot()
                r.smoothPairs[q] = root / dist
                if let gradW, o.smoothnessWeight != 0 {
                    let scale = o.smoothnessWeight * invP / (root * dist)
                    for k in 0..<p {
                        let g = Float(scale * (Double(w[q * p + k]) - Double(w[(q + 1) * p + k])))
                        gradW[q * p + k] += g
                        gradW[(q + 1) * p + k] -= g
                    }
                }
            case .l1:
                var sum = 0.0
                for k in 0..<p {
                    let dw = Double(w[q * p + k]) - Double(w[(q + 1) * p + k])
                    sum += Swift.abs(dw)
                    if let gradW, o.smoothnessWeight != 0, dw != 0 {
                        let g = Float(o.smoothnessWeight * invP * (dw > 0 ? 1 : -1))
                        gradW[q * p + k] += g
                        gradW[(q + 1) * p + k] -= g
                    }
                }
                r.smoothPairs[q] = sum
            }
        }
        r.smooth = r.smoothPairs.reduce(0, +) * invP

        // Composition (mass balance) loss.
        if let pc {
            r.predictedComposition = .init(repeating: 0, count: b * m)
            r.compositionPerSample = .init(repeating: 0, count: b)
            var total = 0.0
            for i in 0..<b {
                var yc = [Double](repeating: 0, count: m)
                for k in 0..<p where w[i * p + k] != 0 {
                    for e in 0..<m { yc[e] += Double(w[i * p + k]) * pc[k * m + e] }
                }
                let sumYc = yc.reduce(0, +)
                let cp = yc.map { $0 / max(sumYc, 1e-30) }
                for e in 0..<m { r.predictedComposition[i * m + e] = cp[e] }
                let zP = cp.reduce(0) { $0 + $1 + eps } + eps
                let zC = (0..<m).reduce(0.0) { $0 + c[i * m + $1] + eps } + eps
                var kl = 0.0
                var gCp = [Double](repeating: 0, count: m)
                for e in 0..<m {
                    let pe = (cp[e] + eps) / zP, ce = (c[i * m + e] + eps) / zC
                    kl += pe * Foundation.log((pe + eps) / (ce + eps))
                    gCp[e] = Foundation.log((pe + eps) / (ce + eps)) + pe / (pe + eps)  // d/dP_e
                }
                r.compositionPerSample[i] = o.lossScale * kl
                total += r.compositionPerSample[i]
                if let gradW, o.compositionWeight != 0, sumYc > 0 {
                    // P = (cp + ε)/zP; cp = yc/Σyc; yc = Σ_k w_k Π_k.
                    var dotP = 0.0
                    for e in 0..<m { dotP += gCp[e] * (cp[e] + eps) }
                    let gcp = (0..<m).map { (gCp[$0] - dotP / zP) / zP }
                    var dotC = 0.0
                    for e in 0..<m { dotC += gcp[e] * cp[e] }
                    let gyc = (0..<m).map { (gcp[$0] - dotC) / sumYc }
                    let scale = o.compositionWeight * o.lossScale * invB
                    for k in 0..<p {
                        var g = 0.0
                        for e in 0..<m { g += gyc[e] * pc[k * m + e] }
                        gradW[i * p + k] += Float(scale * g)
                    }
                }
            }
            r.composition = total * invB
        }
        return r
    }
}
