import Foundation

/// Reconstruction loss of one sample between the max-normalised input x̃ and the reconstruction
/// x̂ (both length T, values in [0, 1]), method.md §4:
///
///     p = (x̃ + ε)/(Σ_t(x̃ + ε) + ε),  p̂ likewise from x̂
///     KL(a‖b) = S·Σ_t a_t·log((a_t + ε_KL)/(b_t + ε_KL))           (S = lossScale = 100)
///     symmetricKL: D = ½·KL(p‖p̂) + ½·KL(p̂‖p)      (the reference's "JS")
///     jensenShannon: D = ½·KL(p‖μ) + ½·KL(p̂‖μ), μ = ½(p + p̂)
///     recon = λ_D·D + λ_L2·S·sqrt(ε + Σ_t (x̃ − x̂)²) + λ_L1·S·Σ_t |x̃ − x̂|
///
/// Computed in Double; `evaluate` returns the parts and writes dL/dx̂ scaled by `gradScale`.
public struct ReconstructionLoss: Sendable {
    public var metric: SolverOptions.ReconstructionMetric
    public var divergenceWeight: Double
    public var l2Weight: Double
    public var l1Weight: Double
    public var scale: Double
    public var klEpsilon: Double
    public var epsilon: Double

    public init(options o: SolverOptions) {
        metric = o.reconstructionMetric
        divergenceWeight = o.divergenceWeight
        l2Weight = o.l2Weight
        l1Weight = o.l1Weight
        scale = o.lossScale
        klEpsilon = o.klEpsilon
        epsilon = o.epsilon
    }

    public struct Parts: Sendable, Equatable {
        public var klForward = 0.0, klReverse = 0.0, divergence = 0.0, l2 = 0.0, l1 = 0.0
        public var total: Double { divergence + l2 + l1 }
        public init(klForward: Double = 0, klReverse: Double = 0, divergence: Double = 0, l2: Double = 0, l1: Double = 0) {
            self.klForward = klForward; self.klReverse = klReverse; self.divergence = divergence; self.l2 = l2; self.l1 = l1
        }
    }

    /// Loss of one sample; if `grad` is given, writes gradScale·dL/dx̂ into it (length T).
    public func evaluate(
        input x: UnsafePointer<Float>, reconstruction xh: UnsafePointer<Float>, count n: Int,
        grad: UnsafeMutablePointer<Float>? = nil, gradScale: Double = 1
    ) -> Parts {
        let eps = epsilon, ke = klEpsilon
        var sumX = 0.0, sumH = 0.0, sq = 0.0, abs1 = 0.0
        for t in 0..<n {
            sumX += Double(x[t]) + eps
            sumH += Double(xh[t]) + eps
            let d = Double(x[t]) - Double(xh[t])
            sq += d * d
            abs1 += Swift.abs(d)
        }
        let zX = sumX + eps, zH = sumH + eps
        var parts = Parts()
        var klF = 0.0, klR = 0.0
        // dD/dp̂_t accumulated per t (needed to chain through the sum-normalisation of p̂).
        var gP = grad != nil ? [Double](repeating: 0, count: n) : []
        switch metric {
        case .symmetricKL:
            for t in 0..<n {
                let p = (Double(x[t]) + eps) / zX, ph = (Double(xh[t]) + eps) / zH
                let lp = Foundation.log(p + ke), lph = Foundation.log(ph + ke)
                klF += p * (lp - lph)
                klR += ph * (lph - lp)
                if grad != nil {
                    // d/dp̂ [½ p(lp − lph) + ½ p̂(lph − lp)] = ½(−p/(p̂+κ) + lph − lp + p̂/(p̂+κ))
                    gP[t] = 0.5 * (-p / (ph + ke) + lph - lp + ph / (ph + ke))
                }
            }
            parts.klForward = scale * klF
            parts.klReverse = scale * klR
            parts.divergence = divergenceWeight * scale * 0.5 * (klF + klR)
        case .jensenShannon:
            for t in 0..<n {
                let p = (Double(x[t]) + eps) / zX, ph = (Double(xh[t]) + eps) / zH
                let mu = 0.5 * (p + ph)
                let lp = Foundation.log(p + ke), lph = Foundation.log(ph + ke), lm = Foundation.log(mu + ke)
                klF += p * (lp - lm)
                klR += ph * (lph - lm)
                if grad != nil {
                    // d/dp̂ [½ p(lp − lm) + ½ p̂(lph − lm)], dμ/dp̂ = ½
                    gP[t] = 0.5 * (-0.5 * p / (mu + ke) + (lph - lm) + ph / (ph + ke) - 0.5 * ph / (mu + ke))
                }
            }
            parts.klForward = scale * klF
            parts.klReverse = scale * klR
            parts.divergence = divergenceWeight * scale * 0.5 * (klF + klR)
        }
        let root = (eps + sq).squareRoot()
        parts.l2 = l2Weight * scale * root
        parts.l1 = l1Weight * scale * abs1
        if let grad {
            // Chain through p̂_t = y_t/(Y + ε), y = x̂ + ε: dL/dx̂_s = gP_s/(Y+ε) − Σ_t gP_t y_t/(Y+ε)².
            let cD = divergenceWeight * scale
            var dotY = 0.0
            for t in 0..<n { dotY += gP[t] * (Double(xh[t]) + eps) }
            let cL2 = root > 0 ? l2Weight * scale / root : 0
            for t in 0..<n {
                let d = Double(x[t]) - Double(xh[t])
                var g = cD * (gP[t] / zH - dotY / (zH * zH))
                g += -cL2 * d
                if l1Weight > 0 { g += d > 0 ? -l1Weight * scale : (d < 0 ? l1Weight * scale : 0) }
                grad[t] = Float(g * gradScale)
            }
        }
        return parts
    }
}
