import Foundation

/// The SNIP background estimate (Statistics-sensitive Non-linear Iterative Peak-clipping; Ryan,
/// Clayton, Griffin, Sie & Cousens, Nucl. Instrum. Methods B 34, 396 (1988), in the form of
/// Morháč et al., NIM A 401, 113 (1997)), for `drnet import --background snip[:W]`: a smooth
/// curve under the peaks, subtracted from each pattern before solving.
///
/// On a uniform grid of T points with intensities y ≥ 0:
///   v = log(log(√(y + 1) + 1) + 1)                     (the LLS transform: compresses peaks)
///   for p = 1, 2, …, m:   v_i ← min(v_i, ½(v_{i−p} + v_{i+p}))   for p ≤ i < T − p
///   background b = (exp(exp(v) − 1) − 1)² − 1           (the inverse transform)
/// with m = round(W / Δq), the clipping half-window W (nm⁻¹) over the grid step Δq: W should be
/// about the width of the widest peak's base (default 1 nm⁻¹ ≈ 1.2° 2θ at Cu Kα near 30°).
/// Points nearer the ends than p keep their value for that pass. b ≤ y everywhere.
public enum SNIPBackground {
    /// The default clipping half-window, nm⁻¹.
    public static let defaultWindow = 1.0

    /// The background of `y` (same length): with `window` points (m ≥ 1).
    public static func estimate(_ y: [Double], windowPoints m: Int) -> [Double] {
        let t = y.count
        guard t >= 3, m >= 1 else { return y }
        var v = y.map { log(log((max($0, 0) + 1).squareRoot() + 1) + 1) }
        var next = v
        for p in 1...min(m, (t - 1) / 2) {
            for i in p..<(t - p) { next[i] = min(v[i], 0.5 * (v[i - p] + v[i + p])) }
            swap(&v, &next)
            for i in p..<(t - p) { next[i] = v[i] }
        }
        return v.map { x in
            let r = exp(exp(x) - 1) - 1
            return max(0, r * r - 1)
        }
    }
}
