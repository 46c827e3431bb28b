import DRNetCrystal
import DRNetEngine
import DRNetIO

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
    /// Every random choice (peak widths, background scales, noise) flows from this seed.
    public var seed: UInt64 = 1

    public enum NoiseKind: String, Sendable, Codable, CaseIterable { case none, poisson, gaussian }

    public init() {}

    /// Throws `ConfigurationError` naming the first bad setting.
    public func validate() throws {
        func need(_ ok: Bool, _ what: String) throws { if !ok { throw ConfigurationError("invalid synth option: \(what)") } }
        try need(divisions >= 2 && divisions <= 200, "divisions must be in 2…200, got \(divisions)")
        try need(
            qMin > 0 && qMax > qMin && qStep > 0 && (qMax - qMin) / qStep <= 20000,
            "need 0 < qmin < qmax and 0 < qstep with at most 20000 grid points")
        try need(
            logVarianceMin <= logVarianceMax && logVarianceMin >= -10 && logVarianceMax <= 2,
            "peak log-variance range must be within −10…2 and ordered")
        switch noise {
        case .none: break
        case .poisson: try need(noiseLevel >= 1 && noiseLevel.isFinite, "Poisson noise level (counts at the maximum) must be ≥ 1")
        case .gaussian: try need(noiseLevel >= 0 && noiseLevel < 1, "Gaussian noise level (σ relative to the maximum) must be in [0, 1)")
        }
        try need(background >= 0 && background <= 10, "background must be in [0, 10]")
    }
}
