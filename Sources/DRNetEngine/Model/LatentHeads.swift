import Foundation

/// The maps from the encoder's head outputs to the physical latents (method.md §3), forward and
/// backward, for one sample at a time. All rows have length P (candidate phases).
public enum LatentHeads {
    /// Masked softmax: w_k = exp(a_k − max_j a_j)·m_k / (Σ_k exp(a_k − max a)·m_k + ε).
    /// The max runs over all P logits, masked ones included, as the reference does.
    /// Returns the index of that max (needed by the backward pass).
    @discardableResult
    public static func maskedSoftmax(
        logits a: UnsafePointer<Float>, mask: UnsafePointer<Float>, count p: Int,
        epsilon: Float, fractions w: UnsafeMutablePointer<Float>
    ) -> Int {
        var maxIndex = 0
        for k in 1..<p where a[k] > a[maxIndex] { maxIndex = k }
        let amax = a[maxIndex]
        var sum: Float = 0
        for k in 0..<p {
            let e = mask[k] > 0 ? Foundation.exp(a[k] - amax) : 0
            w[k] = e
            sum += e
        }
        let inv = 1 / (sum + epsilon)
        for k in 0..<p { w[k] *= inv }
        return maxIndex
    }

    /// Backward of `maskedSoftmax`: given dL/dw, writes dL/da. With e_k = w_k·(S + ε):
    /// dL/dz_j = e_j·(g_j/(S+ε) − Σ_k g_k e_k/(S+ε)²), z = a − a_max, and the max-shift adds
    /// −Σ_j dL/dz_j to the argmax logit (≈ 0 unless ε matters).
    public static func maskedSoftmaxBackward(
        fractions w: UnsafePointer<Float>, gradFractions g: UnsafePointer<Float>,
        maxIndex: Int, count p: Int, epsilon: Float,
        gradLogits ga: UnsafeMutablePointer<Float>
    ) {
        var dot: Double = 0
        for k in 0..<p { dot += Double(g[k]) * Double(w[k]) }
        // dL/dz_j = w_j·(g_j − Σ_k g_k w_k) (exact form of the expression above with e = w·(S+ε)).
        var total: Double = 0
        for j in 0..<p {
            let d = Double(w[j]) * (Double(g[j]) - dot)
            ga[j] = Float(d)
            total += d
        }
        // The max-shift term: z_j = a_j − a_max, so dL/da_max −= Σ_j dL/dz_j. Σ_j w_j(g_j − dot)
        // = dot·(1 − Σw), non-zero only through ε.
        ga[maxIndex] -= Float(total)
    }

    /// Shift map s = 1 + ρ·δ·tanh(u) and its derivative ds/du = ρ·δ·(1 − tanh²u).
    @inline(__always)
    public static func shift(_ u: Float, ramp: Float, maxShift: Float) -> (value: Float, derivative: Float) {
        let t = Foundation.tanh(u)
        return (1 + ramp * maxShift * t, ramp * maxShift * (1 - t * t))
    }

    /// Pseudo-Voigt mixing η = η_max·σ(e), σ(e) = 1/(1 + exp(−e)), and dη/de = η_max·σ·(1 − σ).
    @inline(__always)
    public static func mixing(_ e: Float, maximum: Float) -> (value: Float, derivative: Float) {
        let sigma = e >= 0 ? 1 / (1 + Foundation.exp(-e)) : Foundation.exp(e) / (1 + Foundation.exp(e))
        return (maximum * sigma, maximum * sigma * (1 - sigma))
    }

    /// The initial e of every phase's mixing (η ≈ 0.12·η_max).
    public static let initialMixingPre: Float = -2

    /// Log-variance map v = v₀ + r·tanh(y) and dv/dy = r·(1 − tanh²y).
    @inline(__always)
    public static func logVariance(_ y: Float, centre: Float, range: Float) -> (value: Float, derivative: Float) {
        let t = Foundation.tanh(y)
        return (centre + range * t, range * (1 - t * t))
    }
}
