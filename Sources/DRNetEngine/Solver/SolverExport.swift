extension DRNetSolver {
    /// Each of `phases`' contribution to every sample's reconstruction under the current model
    /// (after `solve()`: the exported solution), N×K×T row-major (K = phases.count):
    ///
    ///     c_ik(q_t) = w_ik·B_ik(q_t) / max_t m_i(q_t),   Σ_k c_ik = x̂_i when `phases` holds every
    ///                                                   phase with w_ik > 0
    ///
    /// in the units of the max-normalised pattern x̃_i. Rendered by the backend in chunks of `SolveLoop.inferenceChunk`
    /// samples, like `inferAll` (intensity factors and fattening included).
    /// After `solve()` the values come from its export pass (no second pass over the library).
    public func phaseContributions(phases: [Int]) -> [Float] {
        let p = problem.phaseCount, t = problem.gridCount, k = phases.count
        if let exported, exported.step == step, let columns = Optional(phases.map { exported.phases.firstIndex(of: $0) }),
            columns.allSatisfy({ $0 != nil })
        {
            let c = exported.phases.count
            var out = [Float](repeating: 0, count: problem.sampleCount * k * t)
            for i in 0..<problem.sampleCount {
                for (j, column) in columns.enumerated() {
                    let from = (i * c + column!) * t, to = (i * k + j) * t
                    for q in 0..<t { out[to + q] = exported.values[from + q] }
                }
            }
            return out
        }
        var out = [Float](repeating: 0, count: problem.sampleCount * k * t)
        forEachChunk { samples, data, heads in
            let r = loss.evaluate(heads: heads, batch: data, step: step)
            for (b, i) in samples.enumerated() {
                let rows = backend.phaseContributions(b, phases: phases, fractions: r.fractions[(b * p)..<((b + 1) * p)])
                for q in 0..<(k * t) { out[i * k * t + q] = rows[q] }
            }
        }
        return out
    }

    /// Each sample's fitted background in the units of its max-normalised pattern,
    /// b_i(q_t)/max_t m_i (N×T, so that Σ_k c_ik + b_i/max m_i = x̂_i), under the current model
    /// (after `solve()`: from its export pass); nil when the run fits no background.
    public func backgroundContributions() -> [Float]? {
        guard loss.decoder.backgroundCount > 0 else { return nil }
        if let exported, exported.step == step, let background = exported.background { return background }
        let t = problem.gridCount
        var out = [Float](repeating: 0, count: problem.sampleCount * t)
        forEachChunk { samples, data, heads in
            _ = loss.evaluate(heads: heads, batch: data, step: step)
            for (b, i) in samples.enumerated() {
                let curve = backend.backgroundContribution(b)
                for q in 0..<t { out[i * t + q] = curve[q] }
            }
        }
        return out
    }
}
