import Foundation

/// The peak width the patterns themselves show (issue 12, defaults from the data), measured
/// before solving: in every max-normalised pattern x̃, each local maximum at t with
/// x̃_t ≥ `minimumHeight` whose half-maximum crossings on both sides lie inside the grid (linear
/// interpolation between grid points) and which is the highest point between them (so that the
/// noise wiggles on a peak's top or shoulder, a local maximum every few points on a fine grid,
/// are not measured: before this rule a 4 001-point grid measured σ̂ 10–50 % wider than a
/// 251-point one of the same library) gives a full width at half maximum; the estimate is the
/// median over all of them, as a Gaussian σ = FWHM/(2√(2 ln 2)) in nm⁻¹. Overlapping peaks widen
/// some widths, so the median is an upper-side estimate; a doublet or a Lorentzian share widens it
/// too. Used to warn when the settings' width range cannot reach the data's peaks.
public struct PeakWidthEstimate: Sendable, Equatable {
    /// The median σ (nm⁻¹) and FWHM (nm⁻¹) of the measured peaks.
    public var sigma: Double
    public var fwhm: Double
    /// How many peaks were measured.
    public var peaks: Int

    /// Peaks lower than this share of their pattern's maximum are not measured (noise).
    public static let minimumHeight: Float = 0.25

    /// FWHM = 2√(2 ln 2)·σ.
    public static let fwhmPerSigma = 2 * (2 * Foundation.log(2.0)).squareRoot()

    /// The estimate over `patterns` (N×T, max-normalised) on grid `q` (nm⁻¹); nil when no peak
    /// can be measured.
    public static func measure(patterns x: [Float], q: [Float]) -> PeakWidthEstimate? {
        let t = q.count
        guard t >= 3 else { return nil }
        let n = x.count / t
        var widths: [Double] = []
        for i in 0..<n {
            let row = x[(i * t)..<((i + 1) * t)]
            let base = row.startIndex
            for j in 1..<(t - 1) {
                let v = row[base + j]
                guard v >= minimumHeight, v > row[base + j - 1], v >= row[base + j + 1] else { continue }
                let half = v / 2
                // Walk down each side to the first point below half maximum.
                var l = j
                while l > 0 && row[base + l] > half { l -= 1 }
                var r = j
                while r < t - 1 && row[base + r] > half { r += 1 }
                guard row[base + l] <= half, row[base + r] <= half, l < j, r > j else { continue }
                // Only the highest point between its own half-maximum crossings is a peak: a
                // noise wiggle on a peak's top or shoulder (every few points on a fine grid) is not.
                guard !row[(base + l)...(base + r)].contains(where: { $0 > v }) else { continue }
                // Linear interpolation of the crossings.
                func crossing(_ a: Int, _ b: Int) -> Double {
                    let ya = Double(row[base + a]), yb = Double(row[base + b])
                    let f = yb == ya ? 0 : (Double(half) - ya) / (yb - ya)
                    return Double(q[a]) + f * Double(q[b] - q[a])
                }
                let width = crossing(r - 1, r) - crossing(l + 1, l)
                if width > 0 { widths.append(width) }
            }
        }
        guard !widths.isEmpty else { return nil }
        widths.sort()
        let fwhm = widths[widths.count / 2]
        return PeakWidthEstimate(sigma: fwhm / fwhmPerSigma, fwhm: fwhm, peaks: widths.count)
    }

    /// The peak σ range the settings allow: e^{(v₀ ± r)/2} nm⁻¹.
    public static func range(_ o: SolverOptions) -> ClosedRange<Double> {
        exp(0.5 * (o.logVarianceCentre - o.logVarianceRange))...exp(0.5 * (o.logVarianceCentre + o.logVarianceRange))
    }

    /// A warning when the measured σ lies outside the settings' range, with the setting that
    /// would centre the range on it; nil when it is inside.
    public func warning(for o: SolverOptions) -> String? {
        let allowed = Self.range(o)
        guard !allowed.contains(sigma) else { return nil }
        func f(_ v: Double) -> String { String(format: "%.3g", v) }
        return "the patterns' peaks have a median width σ ≈ \(f(sigma)) nm⁻¹ (FWHM \(f(fwhm)) nm⁻¹, \(peaks) peaks measured), "
            + "outside the peak widths the settings allow (σ \(f(allowed.lowerBound))…\(f(allowed.upperBound)) nm⁻¹, "
            + "logVarianceCentre \(f(o.logVarianceCentre)) ± logVarianceRange \(f(o.logVarianceRange))); a range centred on the "
            + "data is logVarianceCentre \(f(2 * Foundation.log(sigma))) (= 2 ln σ)"
    }
}
