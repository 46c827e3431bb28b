import Foundation

/// How much of the patterns' intensity lies under a smooth baseline, measured before solving
/// (issue 12, defaults from the data): whether a library still carries its background or came
/// with it already subtracted.
///
/// For each max-normalised pattern x̃ (T points on grid `q`, nm⁻¹), the baseline is the
/// morphological opening of x̃ with a flat window of ±h points, h = ⌈w / Δq⌉, w the half-window
/// in nm⁻¹ (wider than a peak's base, so that no peak fits inside it): b = max over the windows
/// containing t of (min of x̃ over that window). It is the largest curve below x̃ that no peak
/// narrower than 2w can rise into, so a smooth background survives it and peaks do not. The
/// pattern's baseline share is Σ_t b_t / Σ_t x̃_t; the estimate is the median share over the
/// patterns (at most `sampleLimit` of them, evenly spaced, since the decision is library-wide).
///
/// Measured with the default window (w = max(2 nm⁻¹, 4 × the median peak FWHM)): Bi-Cu-V's
/// instance patterns (background-subtracted, 19 % of their points zero) 0.2 %; Al-Li-Fe
/// (synthetic, noise-free, no background) 5.2 %; Ta-Rh-Pd 3.4 %; `drnet demo`'s library (no
/// background) 4.8 % on its 501-point grid, 3.8 % on 4 001 points and 5.2 % on 251; `drnet synth
/// --background 0.05 / 0.2` 18.5 / 42.5 %; the seven PANalytical scans of `dara-scans/` 65 %.
/// Overlapping peaks hold some intensity up, which is why a library with no background still
/// measures a few per cent; one whose background was subtracted measures almost none.
/// `DataDefaults` fits no background below `noBackgroundShare`.
public struct BaselineEstimate: Sendable, Equatable {
    /// The median baseline share Σb/Σx̃ over the measured patterns (dimensionless, 0…1).
    public var share: Double
    /// The opening's half-window w, nm⁻¹.
    public var halfWindow: Double
    /// How many patterns were measured.
    public var patterns: Int

    /// A library whose baseline share is below this has no background worth fitting (it was
    /// subtracted before): `DataDefaults` then sets `backgroundCoefficients` to 0.
    public static let noBackgroundShare = 0.01
    /// At most this many patterns are measured (evenly spaced over the library).
    public static let sampleLimit = 512

    /// The default half-window: max(2 nm⁻¹, 4 × FWHM), FWHM the data's median peak width
    /// (`PeakWidthEstimate`) when it was measured: wide enough that a cluster of overlapping
    /// peaks does not hold the opening up.
    public static func halfWindow(peakWidth: PeakWidthEstimate?) -> Double {
        max(2, 4 * (peakWidth?.fwhm ?? 0))
    }

    /// The estimate over `patterns` (N×T, max-normalised) on the uniform-enough grid `q` (nm⁻¹;
    /// the window in points uses the mean step); nil when the grid has fewer than 3 points, the
    /// window covers the whole grid, or no pattern has intensity.
    public static func measure(patterns x: [Float], q: [Float], halfWindow w: Double) -> BaselineEstimate? {
        let t = q.count
        guard t >= 3, x.count >= t, w > 0 else { return nil }
        let step = Double(q[t - 1] - q[0]) / Double(t - 1)
        guard step > 0 else { return nil }
        let h = Int((w / step).rounded(.up))
        guard 2 * h + 1 < t else { return nil }
        let n = x.count / t
        let count = min(n, sampleLimit)
        var shares: [Double] = []
        shares.reserveCapacity(count)
        for c in 0..<count {
            let i = count == n ? c : c * n / count
            let row = Array(x[(i * t)..<((i + 1) * t)])
            let total = row.reduce(0.0) { $0 + Double(max($1, 0)) }
            guard total > 0 else { continue }
            // Erosion (the minimum over [s − h, s + h], clipped to the grid), then its dilation:
            // the opening, the baseline below the pattern.
            let eroded = windowExtremum(row, halfWidth: h, by: <)
            let opened = windowExtremum(eroded, halfWidth: h, by: >)
            shares.append(opened.reduce(0.0) { $0 + Double(max($1, 0)) } / total)
        }
        guard !shares.isEmpty else { return nil }
        shares.sort()
        return BaselineEstimate(share: shares[shares.count / 2], halfWindow: w, patterns: shares.count)
    }

    /// y_s = the extreme (the least under `precedes` = `<`, the greatest under `>`) of
    /// a[max(0, s − h) … min(T − 1, s + h)], for every s, in O(T) whatever h (van Herk 1992,
    /// Gil & Werman 1993): over blocks of 2h + 1 points of the array padded by h on each side,
    /// running extremes from each block's start (g) and from its end (r); each window spans at
    /// most two blocks, so y_s = extreme(r[s], g[s + 2h]) in padded indices. The padding is
    /// neutral (+∞ for a minimum, −∞ for a maximum), so each window is clipped to the grid.
    static func windowExtremum(_ a: [Float], halfWidth h: Int, by precedes: (Float, Float) -> Bool) -> [Float] {
        let t = a.count, k = 2 * h + 1
        guard t > 0, h > 0 else { return a }
        func pick(_ u: Float, _ v: Float) -> Float { precedes(v, u) ? v : u }
        // Neutral padding: +∞ for a minimum, −∞ for a maximum.
        let neutral: Float = precedes(0, 1) ? .infinity : -.infinity
        let padded = [Float](repeating: neutral, count: h) + a + [Float](repeating: neutral, count: h + k)
        let m = padded.count
        var g = padded, r = padded
        for i in 1..<m where i % k != 0 { g[i] = pick(g[i - 1], padded[i]) }
        for i in stride(from: m - 2, through: 0, by: -1) where (i + 1) % k != 0 { r[i] = pick(r[i + 1], padded[i]) }
        return (0..<t).map { pick(r[$0], g[$0 + 2 * h]) }
    }
}
