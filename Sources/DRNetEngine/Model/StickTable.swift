/// The candidate stick library laid out for rendering: all sticks of all phases in one flat
/// array, phase k's sticks at `offsets[k] ..< offsets[k+1]`, sorted by position.
public struct StickTable: Sendable {
    public let phaseCount: Int
    /// P + 1 offsets into `position` / `height`.
    public let offsets: [Int]
    /// q⁰_kj, nm⁻¹.
    public let position: [Float]
    /// ĉ_kj = I⁰_kj / max_j I⁰_kj.
    public let height: [Float]
    /// Largest number of sticks of any phase (n_max).
    public let maxSticks: Int

    public init(phases: [CandidatePhase]) {
        var offsets = [0], position: [Float] = [], height: [Float] = []
        for phase in phases {
            let c = phase.normalisedIntensity
            let order = phase.q.indices.sorted { phase.q[$0] < phase.q[$1] }
            for j in order { position.append(phase.q[j]); height.append(c[j]) }
            offsets.append(position.count)
        }
        self.phaseCount = phases.count
        self.offsets = offsets
        self.position = position
        self.height = height
        self.maxSticks = zip(offsets.dropFirst(), offsets).map { $0 - $1 }.max() ?? 0
    }

    public func sticks(of k: Int) -> Range<Int> { offsets[k]..<offsets[k + 1] }
}
