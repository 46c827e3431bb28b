/// One sample's decoder state after `ComputeBackend.decodeAndReconstruct`, copied out of the
/// backend's workspace as plain arrays (a backend-neutral value, for plots, diagnostics and
/// tests; the solver's hot paths never need it).
///
/// For the K rendered phases (`phases`, in the batch's order): the max-normalised rows B_k
/// (K×T, row-major), their normalisers max_t of the unnormalised row, and argmaxes; the mixture
/// m = Σ_k w_k·B_k + b (T), its maximum M + ε and argmax, the reconstruction x̂ = m/(M + ε) (T),
/// and the fitted background b (T; zeros when none is fitted).
public struct RenderedSample: Sendable, Equatable {
    public var gridCount: Int
    public var phases: [Int]
    public var rows: [Float]
    public var normalisers: [Float]
    public var argmaxes: [Int]
    public var mixture: [Float]
    public var reconstruction: [Float]
    public var mixtureNormaliser: Float
    public var mixtureArgmax: Int
    public var background: [Float]

    public init(
        gridCount: Int, phases: [Int], rows: [Float], normalisers: [Float], argmaxes: [Int], mixture: [Float],
        reconstruction: [Float], mixtureNormaliser: Float, mixtureArgmax: Int, background: [Float]? = nil
    ) {
        self.background = background ?? [Float](repeating: 0, count: gridCount)
        self.gridCount = gridCount
        self.phases = phases
        self.rows = rows
        self.normalisers = normalisers
        self.argmaxes = argmaxes
        self.mixture = mixture
        self.reconstruction = reconstruction
        self.mixtureNormaliser = mixtureNormaliser
        self.mixtureArgmax = mixtureArgmax
    }

    /// B_k of phase k (T values), nil when k was not rendered.
    public func row(ofPhase k: Int) -> ArraySlice<Float>? {
        guard let i = phases.firstIndex(of: k) else { return nil }
        return rows[(i * gridCount)..<((i + 1) * gridCount)]
    }

    /// The normaliser and argmax of phase k, nil when k was not rendered.
    public func normaliser(ofPhase k: Int) -> Float? { phases.firstIndex(of: k).map { normalisers[$0] } }
    public func argmax(ofPhase k: Int) -> Int? { phases.firstIndex(of: k).map { argmaxes[$0] } }
}
