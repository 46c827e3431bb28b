import DRNetEngine
import Foundation

/// A plain renderer of powder patterns with the effects of measured scans (pseudo-Voigt peaks,
/// the Kα2 line, Q-dependent widths, a 2θ zero offset), used by `SynthGenerator` when any of
/// them is on. Written for clarity, not speed: no SIMD, no window, no gradients.
///
/// Units: Q in nm⁻¹, λ in nm (Q = 4π sin θ / λ), 2θ and its offset in degrees.
///
/// Phase k with shift s_k and log-variance v_k (σ_k = e^{v_k/2}, nm⁻¹): every stick j (position
/// q⁰_j, height ĉ_j = I⁰_j / max_j I⁰_j, as the decoder's `StickTable`) and every line ℓ (Kα1:
/// r_1 = 1, a_1 = 1; with the second line: r_2 = λ₂/λ₁, a_2 = I₂/I₁) gives one peak
///
///     Q⁰ = r_ℓ·s_k·q⁰_j                                     nominal position (Q axis of λ₁)
///     μ  = 4π·sin((2θ⁰ + z)/2)/λ₁,  2θ⁰ = 2·asin(Q⁰λ₁/4π)   zero offset z (μ = Q⁰ when z = 0)
///     σ  = σ_k·max(0.05, 1 + a_w·(q⁰_j − q_lo)/(q_hi − q_lo))   width slope a_w (q_lo…q_hi: `widthRange`)
///     A  = √(2π)·a_ℓ·ĉ_j                                     area
///     B̃_k(q) = Σ_{j,ℓ} A·pV(q − μ; σ, η)
///
/// with the area-normalised pseudo-Voigt (`pseudoVoigt`)
///
///     pV(d) = (1 − η)·exp(−d²/2σ²)/(σ√(2π)) + η·(γ/π)/(d² + γ²),   γ = FWHM/2 = √(2 ln 2)·σ,
///
/// so a peak's FWHM (2√(2 ln 2)·σ) and area (A) do not depend on η. The width uses the stick's
/// listed position q⁰_j for both lines (as the decoder's fattening term); the 0.05 floor only
/// matters for sticks far below q_lo. Peaks with Q⁰λ₁/4π > 1 (beyond back-scattering) are left
/// out when z ≠ 0. With η = 0, a_w = 0, one line and z = 0, B̃_k is the decoder's
/// Σ_j ĉ_j·e^{−v_k/2}·exp(−(q − s_k q⁰_j)²/2σ_k²). Every peak is evaluated on the whole grid (the
/// Lorentzian tails are exact).
///
/// Mixture (as the decoder's): B_k = B̃_k / max_t B̃_k(q_t), m = Σ_k w_k B_k, x̂ = m / max_t m(q_t)
/// (a pattern whose maximum is 0 is left at 0).
public struct RealisticPatternRenderer: Sendable {
    /// The effects rendered.
    public struct Settings: Sendable, Equatable {
        /// Pseudo-Voigt mixing η ∈ [0, 1] (0: Gaussian peaks).
        public var peakMixing: Double = 0
        /// Width slope a_w ≥ 0 (dimensionless).
        public var widthSlope: Double = 0
        /// q_lo…q_hi of the width slope, nm⁻¹ (the library's Q range).
        public var widthRange: ClosedRange<Double>
        /// The second line: λ₂/λ₁ and I₂/I₁; nil: one line.
        public var secondLine: SecondLine?
        /// λ₁ in nm, the wavelength of the Q axis and of the zero offset.
        public var wavelength: Double = SynthOptions.kAlpha1Angstrom / 10

        public struct SecondLine: Sendable, Equatable {
            public var qRatio: Double
            public var intensityRatio: Double
            public init(qRatio: Double, intensityRatio: Double) {
                self.qRatio = qRatio
                self.intensityRatio = intensityRatio
            }
        }

        public init(widthRange: ClosedRange<Double>) { self.widthRange = widthRange }

        /// The settings `options` asks for (Cu Kα1/Kα2 when `kAlpha2`).
        public init(options: SynthOptions) {
            widthRange = options.qMin...options.qMax
            peakMixing = options.peakMixing
            widthSlope = options.widthSlope
            if options.kAlpha2 {
                secondLine = SecondLine(
                    qRatio: SynthOptions.kAlpha2Angstrom / SynthOptions.kAlpha1Angstrom, intensityRatio: SynthOptions.kAlpha2Ratio)
            }
        }
    }

    /// One phase of a mixture: candidate index, shift s_k, log-variance v_k (σ_k² = e^{v_k},
    /// nm⁻²) and fraction w_k.
    public struct Component: Sendable, Equatable {
        public var phase: Int
        public var shift: Double
        public var logVariance: Double
        public var fraction: Double
        public init(phase: Int, shift: Double, logVariance: Double, fraction: Double) {
            self.phase = phase
            self.shift = shift
            self.logVariance = logVariance
            self.fraction = fraction
        }
    }

    /// The Q grid, nm⁻¹ (T points).
    public let q: [Double]
    /// The candidates' sticks, laid out as the decoder's.
    public let sticks: StickTable
    public let settings: Settings

    public init(phases: [CandidatePhase], q: [Float], settings: Settings) {
        self.q = q.map(Double.init)
        self.sticks = StickTable(phases: phases)
        self.settings = settings
    }

    /// FWHM / σ of a Gaussian: 2√(2 ln 2) ≈ 2.3548.
    public static let fwhmPerSigma = 2 * (2 * log(2.0)).squareRoot()

    /// The area-normalised pseudo-Voigt at distance d from the centre (nm⁻¹): (1 − η)·G + η·L
    /// with G the Gaussian of standard deviation σ and L the Lorentzian of the same FWHM
    /// (HWHM γ = FWHM/2 = √(2 ln 2)·σ); both integrate to 1 over the real line. Units nm.
    public static func pseudoVoigt(_ d: Double, sigma: Double, eta: Double) -> Double {
        let gaussian = exp(-d * d / (2 * sigma * sigma)) / (sigma * (2 * Double.pi).squareRoot())
        guard eta > 0 else { return gaussian }
        let gamma = fwhmPerSigma * sigma / 2
        let lorentzian = gamma / (Double.pi * (d * d + gamma * gamma))
        return (1 - eta) * gaussian + eta * lorentzian
    }

    /// Where a peak at Q⁰ (nm⁻¹) appears with a 2θ zero offset of z degrees at wavelength λ
    /// (nm): 2θ⁰ = 2·asin(Q⁰λ/4π), Q = 4π·sin((2θ⁰ + z)/2)/λ. Q⁰ itself when z = 0; nil when
    /// Q⁰λ/4π > 1 (no such reflection).
    public static func offsetQ(_ q0: Double, twoThetaOffset z: Double, wavelength lambda: Double) -> Double? {
        if z == 0 { return q0 }
        let sinTheta = q0 * lambda / (4 * Double.pi)
        guard abs(sinTheta) <= 1 else { return nil }
        let twoTheta = 2 * asin(sinTheta)
        return 4 * Double.pi * sin((twoTheta + z * Double.pi / 180) / 2) / lambda
    }

    /// B̃_k on the grid (T values, not normalised) for phase k with shift s, log-variance v and
    /// zero offset z (degrees 2θ).
    public func phasePattern(_ k: Int, shift s: Double, logVariance v: Double, twoThetaOffset z: Double) -> [Double] {
        var row = [Double](repeating: 0, count: q.count)
        let sigmaK = exp(v / 2)
        let span = settings.widthRange.upperBound - settings.widthRange.lowerBound
        var lines = [(ratio: 1.0, intensity: 1.0)]
        if let second = settings.secondLine { lines.append((second.qRatio, second.intensityRatio)) }
        for j in sticks.sticks(of: k) {
            let q0 = Double(sticks.position[j])
            let widthFactor = max(0.05, 1 + settings.widthSlope * (q0 - settings.widthRange.lowerBound) / span)
            let sigma = sigmaK * widthFactor
            for line in lines {
                guard let mu = Self.offsetQ(line.ratio * s * q0, twoThetaOffset: z, wavelength: settings.wavelength) else { continue }
                let area = (2 * Double.pi).squareRoot() * line.intensity * Double(sticks.height[j])
                for t in 0..<q.count { row[t] += area * Self.pseudoVoigt(q[t] - mu, sigma: sigma, eta: settings.peakMixing) }
            }
        }
        return row
    }

    /// The max-normalised mixture x̂ (T values) of `components` with zero offset z (degrees 2θ),
    /// and the grid index of its maximum (the first, as the decoder's `mixtureArgmax`).
    public func render(_ components: [Component], twoThetaOffset z: Double) -> (pattern: [Double], argmax: Int) {
        var mixture = [Double](repeating: 0, count: q.count)
        for c in components where c.fraction != 0 {
            let row = phasePattern(c.phase, shift: c.shift, logVariance: c.logVariance, twoThetaOffset: z)
            let top = row.max() ?? 0
            guard top > 0 else { continue }
            for t in 0..<q.count { mixture[t] += c.fraction * row[t] / top }
        }
        var top = -1.0, argmax = 0
        for t in 0..<q.count where mixture[t] > top { (top, argmax) = (mixture[t], t) }
        if top > 0 { for t in 0..<q.count { mixture[t] /= top } }
        return (mixture, argmax)
    }
}
