/// Where a run's numbers stopped being finite (`DRNetSolver.divergence`): the step and stage,
/// the first non-finite loss term (or latent) and its value. A diverged run writes no solution.
public struct Divergence: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The solver's step count when it was found, as in the progress lines: the step that produced
    /// the value was the `step`-th (1-based).
    public var step: Int
    /// `train`, `polish` or `fineTune`.
    public var stage: String
    /// The first non-finite term: `reconstruction`, `gibbs`, `smoothness`, `composition`,
    /// `intensity regulariser`, `background smoothness`, `alloy`, `total`, or a latent
    /// (`fractions`, `shifts`, `log-variances`, `background`).
    public var term: String
    public var value: Double

    public init(step: Int, stage: String, term: String, value: Double) {
        self.step = step
        self.stage = stage
        self.term = term
        self.value = value
    }

    public var description: String { "the \(term) term is \(value) at step \(step) (\(stage))" }

    /// The first non-finite part of a step's report, nil when everything is finite.
    static func firstNonFinite(_ r: LossReport) -> (String, Double)? {
        let alloy = r.constraints.alloy.reduce(0, +)
        for (name, value) in [
            ("reconstruction", r.reconstruction), ("gibbs", r.gibbs), ("smoothness", r.smoothness),
            ("composition", r.composition), ("intensity regulariser", r.intensityRegulariser),
            ("background smoothness", r.backgroundPenalty), ("alloy", alloy),
            ("total", r.total)
        ] where !value.isFinite {
            return (name, value)
        }
        for (name, values) in [
            ("fractions", r.fractions), ("shifts", r.shifts), ("log-variances", r.logVariances), ("background", r.background),
            ("peak mixing", r.mixing)
        ] {
            if let bad = values.first(where: { !$0.isFinite }) { return (name, Double(bad)) }
        }
        return nil
    }
}
