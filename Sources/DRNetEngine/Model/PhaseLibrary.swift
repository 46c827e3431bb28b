/// One candidate crystal phase: its stick pattern (peak positions in nm⁻¹, relative intensities).
public struct CandidatePhase: Sendable, Equatable {
    /// Name exactly as in the stick file (e.g. `22+Al2O3_04-015-8996_Rhombohedral`).
    public var name: String
    /// Stick positions q⁰_j, nm⁻¹, in file order.
    public var q: [Float]
    /// Stick intensities I⁰_j (relative; any positive scale), same length as `q`.
    public var intensity: [Float]

    public init(name: String, q: [Float], intensity: [Float]) {
        self.name = name
        self.q = q
        self.intensity = intensity
    }

    /// ĉ_j = I⁰_j / max_j I⁰_j (the reference's normalisation, ε omitted: max > 0 is validated).
    public var normalisedIntensity: [Float] {
        let m = intensity.max() ?? 1
        return intensity.map { $0 / m }
    }
}
