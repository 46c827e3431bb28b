/// Per-sample reconstruction error on max-normalised patterns:
///
///     x̃_t = I_t / max_t I_t,   x̂_t = (Σ_k R_k,t) / max_t I_t
///     l1 = (1/T)·Σ_t |x̃_t − x̂_t|        (mean absolute error per grid point)
///     share = Σ_t |x̃_t − x̂_t| / Σ_t x̃_t  (the error's share of the pattern's L1 mass)
///
/// Both patterns are scaled by the *measured* maximum, so a reconstruction that is too weak or
/// too strong overall is penalised (our R are in the instance's units, as are IAFD's).
public enum ReconstructionError {
    public struct Sample: Sendable, Codable, Equatable {
        public var l1: Double
        public var share: Double
        public init(l1: Double, share: Double) { self.l1 = l1; self.share = share }
    }

    /// One sample: `pattern` and `reconstruction` of equal length T ≥ 1, in the same units.
    public static func sample(pattern: ArraySlice<Float>, reconstruction: [Float]) -> Sample {
        let mx = Double(pattern.max() ?? 0)
        let inv = mx > 0 ? 1 / mx : 0
        return accumulate(zip(pattern, reconstruction).lazy.map { (Double($0) * inv, Double($1) * inv) }, count: reconstruction.count)
    }

    /// One sample already in max-normalised units: x̃ (`normalisedPattern`) and x̂ (the
    /// decoder's reconstruction), as the solver has them at export.
    public static func sample(normalisedPattern: ArraySlice<Float>, reconstruction: ArraySlice<Float>) -> Sample {
        accumulate(zip(normalisedPattern, reconstruction).lazy.map { (Double($0), Double($1)) }, count: reconstruction.count)
    }

    /// l1 and share from (x̃_t, x̂_t) pairs, summed in grid order.
    static func accumulate(_ pairs: some Sequence<(Double, Double)>, count: Int) -> Sample {
        var l1 = 0.0, mass = 0.0
        for (xt, rt) in pairs {
            l1 += abs(xt - rt)
            mass += abs(xt)
        }
        return Sample(l1: l1 / Double(max(count, 1)), share: mass > 0 ? l1 / mass : 0)
    }
}
