import DRNetCrystal
import DRNetEngine
import DRNetIO
import Foundation

/// Settings of the synthetic-library generator (`SynthGenerator`, `drnet synth`).
public struct SynthOptions: Sendable, Codable, Equatable {
    /// Steps per side of the ternary composition grid: (D+1)(D+2)/2 samples, compositions
    /// (a, b, c)/D with a + b + c = D.
    public var divisions: Int = 15
    /// Q grid, nm⁻¹: qMin, qMin + qStep, … ≤ qMax.
    public var qMin: Double = 15
    public var qMax: Double = 65
    public var qStep: Double = 0.1
    /// Per-phase peak log-variance v (σ² = e^v, nm⁻²), drawn uniformly from this range once per
    /// phase (the decoder's Gaussian peaks; −3…−2 is σ ≈ 0.22–0.37 nm⁻¹).
    public var logVarianceMin: Double = -3
    public var logVarianceMax: Double = -2
    /// Noise model applied to the max-normalised pattern x (plus background):
    /// `poisson`: x ← Poisson(x·noiseLevel)/noiseLevel, noiseLevel = counts at the strongest peak;
    /// `gaussian`: x ← max(0, x + N(0, noiseLevel²)), noiseLevel = σ relative to the maximum;
    /// `none`: noise-free.
    public var noise: NoiseKind = .poisson
    public var noiseLevel: Double = 2000
    /// Smooth background added before the noise: b(q) = A·u_i·exp(−(q − qMin)/20 nm⁻¹) with A
    /// this amplitude (relative to the pattern maximum) and u_i uniform in [0.5, 1.5] per sample.
    public var background: Double = 0
    /// Every random choice (peak widths, background scales, 2θ offsets, noise) flows from this seed.
    public var seed: UInt64 = 1

    // MARK: Effects of measured scans (all off by default; `RealisticPatternRenderer`)
    /// Pseudo-Voigt mixing η ∈ [0, 1] (dimensionless, `--peak-mixing`): every peak is
    /// (1 − η)·Gaussian + η·Lorentzian with the same FWHM = 2√(2 ln 2)·σ and the same area.
    public var peakMixing: Double = 0
    /// Render the Cu Kα2 line (`--kalpha2`): every stick also at Q·λ₂/λ₁ with `kAlpha2Ratio` of
    /// its intensity; the written library records it (`import.json`) so `drnet solve` renders it.
    public var kAlpha2: Bool = false
    /// Q-dependent widths (dimensionless, 0…5, `--width-slope`): a stick at q⁰ (nm⁻¹) has
    /// σ = σ_k·(1 + widthSlope·(q⁰ − qMin)/(qMax − qMin)).
    public var widthSlope: Double = 0
    /// Per-sample instrument zero offset (`--two-theta-offset`, degrees 2θ, 0…1): z_i uniform in
    /// [−max, +max], applied to every peak through λ₁ (`RealisticPatternRenderer.offsetQ`).
    public var twoThetaOffsetMax: Double = 0

    /// Cu Kα1 and Kα2 wavelengths (Å) and the intensity ratio I(Kα2)/I(Kα1) of `kAlpha2`; λ₁ is
    /// also the wavelength of the 2θ offset.
    public static let kAlpha1Angstrom = 1.540598
    public static let kAlpha2Angstrom = 1.544426
    public static let kAlpha2Ratio = 0.5

    /// Whether any effect of measured scans is on: then patterns come from
    /// `RealisticPatternRenderer`, otherwise from the solver's own decoder (`PeakDecoder`).
    public var hasScanEffects: Bool { peakMixing > 0 || kAlpha2 || widthSlope > 0 || twoThetaOffsetMax > 0 }

    /// The effects that are on, for the description in `instance.txt` ("" when none):
    /// ", pseudo-Voigt η 0.5, Cu Kα2 (λ₂/λ₁ 1.002485, ratio 0.5), width slope 1.0, 2θ offset ±0.05°".
    public var scanEffectsDescription: String {
        var parts: [String] = []
        if peakMixing > 0 { parts.append("pseudo-Voigt η \(peakMixing)") }
        if kAlpha2 {
            let ratio = String(format: "%.6f", Self.kAlpha2Angstrom / Self.kAlpha1Angstrom)
            parts.append("Cu Kα2 (λ₂/λ₁ \(ratio), ratio \(Self.kAlpha2Ratio))")
        }
        if widthSlope > 0 { parts.append("width slope \(widthSlope)") }
        if twoThetaOffsetMax > 0 { parts.append("2θ offset ±\(twoThetaOffsetMax)°") }
        return parts.map { ", " + $0 }.joined()
    }

    public enum NoiseKind: String, Sendable, Codable, CaseIterable { case none, poisson, gaussian }

    public init() {}

    /// Throws `ConfigurationError` naming the first bad setting.
    public func validate() throws {
        func need(_ ok: Bool, _ what: String) throws { if !ok { throw ConfigurationError("invalid synth option: \(what)") } }
        try need(divisions >= 2 && divisions <= 200, "divisions must be in 2…200, got \(divisions)")
        try need(
            qMin > 0 && qMax > qMin && qStep > 0 && (qMax - qMin) / qStep <= 20000,
            "need 0 < qmin < qmax and 0 < --q-step with at most 20000 grid points; got Q \(qMin)…\(qMax) nm⁻¹, step \(qStep)")
        try need(
            logVarianceMin <= logVarianceMax && logVarianceMin >= -10 && logVarianceMax <= 2,
            "peak log-variance range must be within −10…2 and ordered")
        switch noise {
        case .none: break
        case .poisson: try need(noiseLevel >= 1 && noiseLevel.isFinite, "Poisson noise level (counts at the maximum) must be ≥ 1")
        case .gaussian: try need(noiseLevel >= 0 && noiseLevel < 1, "Gaussian noise level (σ relative to the maximum) must be in [0, 1)")
        }
        try need(background >= 0 && background <= 10, "background must be in [0, 10]")
        try need(peakMixing >= 0 && peakMixing <= 1, "--peak-mixing (pseudo-Voigt η) must be in [0, 1], got \(peakMixing)")
        try need(widthSlope >= 0 && widthSlope <= 5, "--width-slope must be in [0, 5], got \(widthSlope)")
        try need(
            twoThetaOffsetMax >= 0 && twoThetaOffsetMax <= 1,
            "--two-theta-offset must be in [0, 1] degrees 2θ, got \(twoThetaOffsetMax)")
    }
}
