import Foundation

/// The fitted background of every sample (issue 12): a non-negative smooth curve on the Q grid,
/// a combination of C uniform cubic B-splines with non-negative coefficients,
///
///     b(q_t) = Σ_c β_c·φ_c(q_t),   β_c = softplus(z_c + z₀) ≥ 0,   z₀ = `amplitudeOffset`
///
/// with knots spaced h = (q_{T−1} − q₀)/(C − 3) nm⁻¹ so that the C splines cover the grid
/// exactly: u = (q − q₀)/h ∈ [0, C − 3], φ_c(q) = N₃(u − c + 1) with the centred cubic B-spline
///
///     N₃(r) = (4 − 6r² + 3|r|³)/6  for |r| < 1,   (2 − |r|)³/6  for 1 ≤ |r| < 2,   0 beyond.
///
/// The splines are non-negative and sum to 1 on the grid (a constant background is equal
/// coefficients), so b ≥ 0 everywhere and is twice continuously differentiable; with C = 8 on a
/// 50 nm⁻¹ range a spline spans 4h = 40 nm⁻¹, far too wide to imitate a diffraction peak
/// (σ ≲ 0.5 nm⁻¹), wide enough for an amorphous hump or a fluorescence slope.
///
/// The curve is added to the mixture before its max-normalisation (`PeakDecoder.render`):
/// x̂ = (Σ_k w_k·B_k + b)/(max_t(…) + ε), so β is in units of the max-normalised phase patterns
/// and the phase fractions w keep their meaning (shares of the diffraction part). The
/// smoothness penalty λ·Σ_c (β_{c+1} − 2β_c + β_{c−1})² (second differences, `penalty`) pulls
/// towards a straight line where the data do not ask for curvature.
public struct BackgroundBasis: Sendable, Equatable {
    /// C, the number of splines (≥ 4).
    public let count: Int
    /// T, the grid length.
    public let gridCount: Int
    /// q₀ and the knot spacing h, nm⁻¹.
    public let qMin: Double
    public let knotSpacing: Double
    /// φ_c(q_t), C×T row-major.
    public let values: [Float]

    /// z₀ of β = softplus(z + z₀): a head output of 0 is a background of softplus(−3) ≈ 0.049
    /// of the pattern maximum, small beside the peaks at the start of training.
    public static let amplitudeOffset: Float = -3

    /// The smallest C (a cubic spline needs four coefficients).
    public static let minimumCount = 4

    /// The basis on grid `q` (nm⁻¹, increasing, at least two points) with `count` ≥ 4 splines.
    public init(q: [Float], count: Int) {
        precondition(count >= Self.minimumCount && q.count >= 2, "a background basis needs C ≥ 4 splines and T ≥ 2 points")
        self.count = count
        self.gridCount = q.count
        let q0 = Double(q[0]), range = Double(q[q.count - 1]) - q0
        qMin = q0
        knotSpacing = range / Double(count - 3)
        var v = [Float](repeating: 0, count: count * q.count)
        for (t, qt) in q.enumerated() {
            let u = (Double(qt) - q0) / knotSpacing
            for c in 0..<count { v[c * q.count + t] = Float(Self.cubicBSpline(u - Double(c) + 1)) }
        }
        values = v
    }

    /// N₃(r), the centred uniform cubic B-spline (support |r| < 2, integral 1).
    public static func cubicBSpline(_ r: Double) -> Double {
        let a = Swift.abs(r)
        if a < 1 { return (4 - 6 * a * a + 3 * a * a * a) / 6 }
        if a < 2 { return (2 - a) * (2 - a) * (2 - a) / 6 }
        return 0
    }

    /// β = softplus(z + z₀) = log(1 + e^{z+z₀}) and dβ/dz = 1/(1 + e^{−(z+z₀)}), computed without
    /// overflow for large |z|.
    @inline(__always)
    public static func amplitude(_ z: Float) -> (value: Float, derivative: Float) {
        let x = z + amplitudeOffset
        let e = Foundation.exp(-Swift.abs(x))
        let value = Swift.max(x, 0) + Foundation.log1p(e)
        let derivative = x >= 0 ? 1 / (1 + e) : e / (1 + e)
        return (value, derivative)
    }

    /// b(q_t) = Σ_c β_c·φ_c(q_t) for the C coefficients at `beta`, added into `curve` (T values).
    public func accumulate(coefficients beta: UnsafePointer<Float>, into curve: UnsafeMutablePointer<Float>) {
        let t = gridCount
        values.withUnsafeBufferPointer { phi in
            for c in 0..<count {
                let bc = beta[c]
                if bc == 0 { continue }
                let row = phi.baseAddress! + c * t
                for i in 0..<t { curve[i] += bc * row[i] }
            }
        }
    }

    /// The curve b (T values) of one sample's coefficients β (C values).
    public func curve(coefficients beta: [Float]) -> [Float] {
        precondition(beta.count == count, "\(beta.count) background coefficients, the basis has \(count)")
        var out = [Float](repeating: 0, count: gridCount)
        beta.withUnsafeBufferPointer { b in
            out.withUnsafeMutableBufferPointer { accumulate(coefficients: b.baseAddress!, into: $0.baseAddress!) }
        }
        return out
    }

    /// dL/dβ_c = Σ_t g(t)·φ_c(t) given g = dL/db (T values), written into `gradient` (C values).
    public func project(_ g: UnsafePointer<Float>, into gradient: UnsafeMutablePointer<Float>) {
        let t = gridCount
        values.withUnsafeBufferPointer { phi in
            for c in 0..<count {
                let row = phi.baseAddress! + c * t
                var s: Float = 0
                for i in 0..<t { s += g[i] * row[i] }
                gradient[c] = s
            }
        }
    }

    /// The smoothness penalty of one sample, P(β) = Σ_{c=1}^{C−2} (β_{c+1} − 2β_c + β_{c−1})², and,
    /// with `gradient`, scale·dP/dβ added into it (C values).
    public func penalty(_ beta: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>? = nil, scale: Float = 1) -> Double {
        var total = 0.0
        for c in 1..<(count - 1) {
            let d = beta[c + 1] - 2 * beta[c] + beta[c - 1]
            total += Double(d * d)
            if let gradient {
                let g = 2 * d * scale
                gradient[c + 1] += g
                gradient[c] -= 2 * g
                gradient[c - 1] += g
            }
        }
        return total
    }
}
