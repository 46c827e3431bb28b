import Foundation

/// A sample's instrument offsets (issue 12): a zero error z of the 2θ axis and a sample
/// displacement δ (both in radians of 2θ), the misalignments every diffractometer scan carries
/// (typically 0.1–0.3°). On a library whose Q axis came from a 2θ axis with wavelength λ
/// (K = 4π/λ, nm⁻¹), a reflection at Q⁰ = K·sin θ (after the alloying shift: Q⁰ = s·q⁰) is seen at
///
///     Δ2θ = z + δ·cos θ,   μ = K·sin(θ + Δ2θ/2)
///
/// (the displacement's cos θ law: a sample h below the focusing circle of radius R moves the peak
/// by −2(h/R)·cos θ). A common offset moves every peak of a sample by ≈ (K/2)·cos θ·Δ2θ, falling
/// with Q, while an alloying shift moves them by (s − 1)·q⁰, growing with Q: the two are told
/// apart by the peaks' positions across the Q range, so that an instrument offset is not mistaken
/// for an alloying shift of every phase.
///
/// The offsets are latents of each sample, bounded: z = z_max·tanh(o_z), δ = δ_max·tanh(o_δ)
/// (`SolverOptions.zeroOffsetMax`, `.displacementMax`, in degrees).
public enum InstrumentOffset {
    /// μ and its derivatives with respect to Q⁰, z and δ for a reflection at Q⁰ (nm⁻¹) on an
    /// axis of wavenumber K = 4π/λ (nm⁻¹). A reflection beyond the axis (Q⁰ ≥ K: no Bragg angle)
    /// keeps its position (μ = Q⁰, derivatives 1, 0, 0).
    ///
    ///     ∂μ/∂Q⁰ = cos(θ + Δ/2)·(1 − (δ/2)·sin θ)/cos θ,  ∂μ/∂z = (K/2)·cos(θ + Δ/2),
    ///     ∂μ/∂δ = (K/2)·cos(θ + Δ/2)·cos θ
    @inline(__always)
    public static func position(_ q: Float, wavenumber k: Float, zero z: Float, displacement delta: Float) -> (
        mu: Float, dQ: Float, dZero: Float, dDisplacement: Float
    ) {
        let x = q / k
        guard x < 1, x > -1 else { return (q, 1, 0, 0) }
        let cosTheta = (1 - x * x).squareRoot()
        let theta = Foundation.asin(x)
        let half = 0.5 * (z + delta * cosTheta)
        let c = Foundation.cos(theta + half)
        return (k * Foundation.sin(theta + half), c * (1 - 0.5 * delta * x) / cosTheta, 0.5 * k * c, 0.5 * k * c * cosTheta)
    }

    /// K = 4π/λ in nm⁻¹ for λ in Å.
    public static func wavenumber(wavelengthAngstrom lambda: Double) -> Float { Float(4 * Double.pi / (lambda / 10)) }

    /// Offset pre-activations (o_z, o_δ) to radians: z = z_max·tanh(o_z), δ = δ_max·tanh(o_δ),
    /// with the bounds in degrees; returns the values and their derivatives.
    @inline(__always)
    public static func offsets(_ oz: Float, _ od: Float, zeroMaxDegrees: Double, displacementMaxDegrees: Double) -> (
        zero: Float, displacement: Float, dZero: Float, dDisplacement: Float
    ) {
        let zMax = Float(zeroMaxDegrees * Double.pi / 180), dMax = Float(displacementMaxDegrees * Double.pi / 180)
        let tz = Foundation.tanh(oz), td = Foundation.tanh(od)
        return (zMax * tz, dMax * td, zMax * (1 - tz * tz), dMax * (1 - td * td))
    }
}
