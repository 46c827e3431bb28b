import CBLAS
import Foundation

/// Fast screening of the candidate phases before training (beyond the reference, method.md §8):
/// a non-negative least-squares fit of every max-normalised pattern by the candidates' unshifted
/// stick patterns, rendered with broadened peaks so that moderately shifted phases still overlap.
///
///     min_α ‖x̃_i − Σ_k α_ik B⁰_k‖²  s.t. α_ik ≥ 0, α_ik = 0 where m_ik = 0
///
/// solved by cyclic coordinate descent on the Gram matrix G = B⁰B⁰ᵀ (P×P) with b_i = B⁰x̃_i.
/// Fractions w_ik = α_ik / Σ_k α_ik. Usage U_k = Σ_i w_ik·[w_ik > 0.01] ranks candidates; those
/// below a threshold can be switched off (pruned), and the fractions seed the fraction logits.
public struct CandidateScreening: Sendable {
    /// NNLS fractions, N×P.
    public var fractions: [Float]
    /// U_k, length P.
    public var usage: [Double]
    /// Relative residual ‖x̃ − Σα B⁰‖ / ‖x̃‖ per sample.
    public var residual: [Double]

    /// - Parameters:
    ///   - logVariance: peak log-variance used for the screening render (broad peaks tolerate shifts).
    ///   - sweeps: coordinate-descent sweeps per sample.
    public static func run(problem: PreparedProblem, logVariance: Float, sweeps: Int = 300) -> CandidateScreening {
        let lib = problem.library
        let n = lib.sampleCount, p = lib.phaseCount, t = lib.gridCount
        let decoder = PeakDecoder(phases: lib.phases, q: lib.q, windowSigmas: 6)
        let render = SampleRender(decoder: decoder)
        let ones = [Float](repeating: 1, count: p), v = [Float](repeating: logVariance, count: p)
        let zero = [Float](repeating: 0, count: p)
        decoder.render(phases: (0..<p).map { Int32($0) }, shifts: ones, logVariances: v, fractions: zero, into: render)
        var basis = [Float](repeating: 0, count: p * t)  // P×T
        for k in 0..<p { for j in 0..<t { basis[k * t + j] = render.basisRow(k)[j] } }
        // G = B·Bᵀ (P×P), R = X·Bᵀ (N×P).
        var gram = [Float](repeating: 0, count: p * p)
        var rhs = [Float](repeating: 0, count: n * p)
        basis.withUnsafeBufferPointer { b in
            gram.withUnsafeMutableBufferPointer { g in
                cblas_sgemm(
                    CblasRowMajor, CblasNoTrans, CblasTrans, Int32(p), Int32(p), Int32(t), 1,
                    b.baseAddress, Int32(t), b.baseAddress, Int32(t), 0, g.baseAddress, Int32(p))
            }
            problem.normalised.withUnsafeBufferPointer { x in
                rhs.withUnsafeMutableBufferPointer { r in
                    cblas_sgemm(
                        CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(p), Int32(t), 1,
                        x.baseAddress, Int32(t), b.baseAddress, Int32(t), 0, r.baseAddress, Int32(p))
                }
            }
        }
        var fractions = [Float](repeating: 0, count: n * p)
        var residual = [Double](repeating: 0, count: n)
        let g = gram, r = rhs, mask = problem.mask, xs = problem.normalised
        fractions.withUnsafeMutableBufferPointer { fb in
            let out = SharedPointer(fb.baseAddress!)
            residual.withUnsafeMutableBufferPointer { rb in
                let res = SharedPointer(rb.baseAddress!)
                parallelFor(n) { i in
                    let allowed = (0..<p).filter { mask[i * p + $0] > 0 && g[$0 * p + $0] > 0 }
                    var alpha = [Double](repeating: 0, count: p)
                    var grad = (0..<p).map { -Double(r[i * p + $0]) }  // Gα − b
                    for _ in 0..<sweeps {
                        var change = 0.0
                        for k in allowed {
                            let gkk = Double(g[k * p + k])
                            let new = max(0, alpha[k] - grad[k] / gkk)
                            let d = new - alpha[k]
                            if d != 0 {
                                alpha[k] = new
                                for j in allowed { grad[j] += d * Double(g[k * p + j]) }
                                change = max(change, abs(d))
                            }
                        }
                        if change < 1e-6 { break }
                    }
                    let total = alpha.reduce(0, +)
                    for k in 0..<p { out[i * p + k] = total > 0 ? Float(alpha[k] / total) : 0 }
                    // ‖x − Bᵀα‖² = xᵀx − 2αᵀb + αᵀGα = xᵀx + αᵀ(Gα − b) − αᵀb
                    var xx = 0.0
                    for j in 0..<t { xx += Double(xs[i * t + j]) * Double(xs[i * t + j]) }
                    var q = 0.0
                    for k in allowed { q += alpha[k] * (grad[k] - Double(r[i * p + k])) }
                    res[i] = xx > 0 ? (max(0, xx + q) / xx).squareRoot() : 0
                }
            }
        }
        var usage = [Double](repeating: 0, count: p)
        for i in 0..<n { for k in 0..<p where fractions[i * p + k] > 0.01 { usage[k] += Double(fractions[i * p + k]) } }
        return CandidateScreening(fractions: fractions, usage: usage, residual: residual)
    }
}
