import Foundation

/// Adam (Kingma & Ba) over one flat parameter buffer:
///
///     m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²,
///     θ ← θ − lr·(m/(1 − β₁ᵗ)) / (sqrt(v/(1 − β₂ᵗ)) + ε)
///
/// SIMD-vectorised (the square root by `simdSquareRoot`, within 3·10⁻⁷ of `sqrtf`; the scalar
/// tail and the scaled ranges use `squareRoot()`) and split over cores in fixed chunks
/// (element-wise, so deterministic).
public final class AdamOptimizer: @unchecked Sendable {
    public let count: Int
    public var learningRate: Float
    public let beta1: Float, beta2: Float, epsilon: Float
    public private(set) var step = 0
    public var firstMoment: [Float]
    public var secondMoment: [Float]

    public init(count: Int, learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8) {
        self.count = count
        self.learningRate = Float(learningRate)
        self.beta1 = Float(beta1)
        self.beta2 = Float(beta2)
        self.epsilon = Float(epsilon)
        firstMoment = .init(repeating: 0, count: count)
        secondMoment = .init(repeating: 0, count: count)
    }

    /// Restores optimiser state (checkpoints).
    public func restore(step: Int, first: [Float], second: [Float]) {
        precondition(first.count == count && second.count == count)
        self.step = step
        firstMoment = first
        secondMoment = second
    }

    /// Advances the step count t and returns the bias-corrected rate lr/(1 − β₁ᵗ) and 1/(1 − β₂ᵗ)
    /// of the update about to be made (shared by every backend's Adam).
    public func advance() -> (rate: Float, inverseSecondCorrection: Float) {
        step += 1
        let c1 = 1 - Float(Foundation.pow(Double(beta1), Double(step)))
        let c2 = 1 - Float(Foundation.pow(Double(beta2), Double(step)))
        return (learningRate / c1, 1 / c2)
    }

    /// One update of `params` with gradient `grads` (both `count` long). Parameters in
    /// `scaled.range` move with learning rate × `scaled.factor` (factor 0 freezes them; their
    /// moments still update).
    public func update(
        _ params: UnsafeMutablePointer<Float>, grads: UnsafePointer<Float>,
        scaled: (range: Range<Int>, factor: Float)? = nil
    ) {
        let (lrT, invC2) = advance()
        let b1 = beta1, b2 = beta2, eps = epsilon
        let chunk = 1 << 16
        let chunks = (count + chunk - 1) / chunk
        let p = SharedPointer(params), g = SharedPointer(grads)
        firstMoment.withUnsafeMutableBufferPointer { mb in
            secondMoment.withUnsafeMutableBufferPointer { vb in
                let m = SharedPointer(mb.baseAddress!), v = SharedPointer(vb.baseAddress!)
                parallelFor(chunks) { c in
                    var lo = c * chunk
                    let hi = min(count, lo + chunk)
                    if let scaled, scaled.range.overlaps(lo..<hi) {
                        for i in lo..<hi {
                            let rate = scaled.range.contains(i) ? lrT * scaled.factor : lrT
                            Self.scalarStep(i, p, g, m, v, b1, b2, rate, invC2, eps)
                        }
                        return
                    }
                    typealias V = SIMD8<Float>
                    while lo + 8 <= hi {
                        let gi = UnsafeRawPointer(g + lo).loadUnaligned(as: V.self)
                        var mi = UnsafeRawPointer(m + lo).loadUnaligned(as: V.self)
                        var vi = UnsafeRawPointer(v + lo).loadUnaligned(as: V.self)
                        mi = b1 * mi + (1 - b1) * gi
                        vi = b2 * vi + (1 - b2) * gi * gi
                        let pi = UnsafeRawPointer(p + lo).loadUnaligned(as: V.self)
                        let upd = pi - lrT * mi / (simdSquareRoot(vi * invC2) + eps)
                        UnsafeMutableRawPointer(m + lo).storeBytes(of: mi, as: V.self)
                        UnsafeMutableRawPointer(v + lo).storeBytes(of: vi, as: V.self)
                        UnsafeMutableRawPointer(p + lo).storeBytes(of: upd, as: V.self)
                        lo += 8
                    }
                    while lo < hi { Self.scalarStep(lo, p, g, m, v, b1, b2, lrT, invC2, eps); lo += 1 }
                }
            }
        }
    }

    @inline(__always)
    static func scalarStep(
        _ i: Int, _ p: SharedPointer<Float>, _ g: SharedPointer<Float>, _ m: SharedPointer<Float>,
        _ v: SharedPointer<Float>, _ b1: Float, _ b2: Float, _ lrT: Float, _ invC2: Float, _ eps: Float
    ) {
        let gi = g[i]
        m[i] = b1 * m[i] + (1 - b1) * gi
        v[i] = b2 * v[i] + (1 - b2) * gi * gi
        p[i] -= lrT * m[i] / ((v[i] * invC2).squareRoot() + eps)
    }
}
