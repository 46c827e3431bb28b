import DRNetEngine
import DRNetIO

/// A phase-mapping solution in the community's key=value solution format (Le Bras et al.,
/// AAAI 2014; the format IAFD and the challenge's tools write). Indices in the file are 1-based;
/// in this struct 0-based. All matrices are row-major flat arrays.
///
/// | key | here | meaning |
/// |---|---|---|
/// | `K=` | `phaseCount` | number of phases (bases) K |
/// | `BName<k>=` | `phaseNames[k−1]` | name of basis k (for us: the candidate's name in the stick file) |
/// | `Q=` | `q` | the grid, nm⁻¹ (T values; matches the instance file) |
/// | `B<k>=` | `bases[(k−1)·T…]` | basis pattern k on Q (for us: the phase's stick pattern rendered unshifted with its median peak width, max = 1) |
/// | `C<i>=` | `concentrations[(i−1)·K…]` | K phase concentrations at sample i (for us: fractions, rows sum to 1; IAFD: unnormalised activations) |
/// | `S<i>=` | `shifts[(i−1)·K…]` | K multiplicative shifts at sample i (peak positions s·q; 0 where absent) |
/// | `R<i>_<k>=` | `contributions[((i−1)·K + k−1)·T…]` | phase k as reconstructed at sample i, in the instance's intensity units (Σ_k R<i>_k is the reconstruction of I<i>) |
/// | `BG<i>=` | `background[(i−1)·T…]` | drnet's extension: the fitted background at sample i, in the instance's units (Σ_k R<i>_k + BG<i> is then the reconstruction); absent without a fitted background |
/// | `L=` | `loss` | per-sample reconstruction error: mean over Q of \|x̃ − x̂\| with x̃ = I/max I and x̂ = (Σ_k R + BG)/max I (N values) |
/// | `L_proportion=` | `lossProportion` | per-sample share Σ_t\|x̃ − x̂\| / Σ_t x̃ (N values) |
///
/// Other keys (`Description`, `UUID`, `Format_Version`, `Params`, IAFD's `H[*](k,n)`) are kept
/// in `otherKeys` (value text only for the short ones) and otherwise ignored.
public struct CommunitySolution: Sendable, Equatable {
    public var description: String
    public var uuid: String
    public var sampleCount: Int
    public var phaseCount: Int
    /// Basis names, K entries; nil when the file names none.
    public var phaseNames: [String]?
    /// Q grid (nm⁻¹), T values; empty when the file gives none.
    public var q: [Float]
    /// K×T basis patterns; nil when absent.
    public var bases: [Float]?
    /// N×K concentrations (C).
    public var concentrations: [Double]
    /// N×K multiplicative shifts (S); nil when absent.
    public var shifts: [Double]?
    /// N×K×T per-phase reconstructions (R); nil when absent.
    public var contributions: [Float]?
    /// N×T fitted backgrounds (BG) in the instance's units; nil when absent.
    public var background: [Float]?
    /// Per-sample L1 error and its share (L, L_proportion); nil when absent.
    public var loss: [Double]?
    public var lossProportion: [Double]?
    /// The `Params=` line as written ("[Q,R,C],[Q,B,C,S]"), empty when absent.
    public var params: String

    public init(
        description: String = "", uuid: String = "", sampleCount: Int, phaseCount: Int,
        phaseNames: [String]? = nil, q: [Float] = [], bases: [Float]? = nil, concentrations: [Double],
        shifts: [Double]? = nil, contributions: [Float]? = nil, loss: [Double]? = nil,
        lossProportion: [Double]? = nil, params: String = "", background: [Float]? = nil
    ) {
        self.background = background
        self.description = description
        self.uuid = uuid
        self.sampleCount = sampleCount
        self.phaseCount = phaseCount
        self.phaseNames = phaseNames
        self.q = q
        self.bases = bases
        self.concentrations = concentrations
        self.shifts = shifts
        self.contributions = contributions
        self.loss = loss
        self.lossProportion = lossProportion
        self.params = params
    }

    public var gridCount: Int { q.count }

    /// Concentrations of sample i normalised to sum 1 (all zero when the row is zero): the
    /// fractions the checks use, so that unnormalised activations (IAFD) compare with ours.
    public func fractions(of i: Int) -> [Double] {
        let row = Array(concentrations[(i * phaseCount)..<((i + 1) * phaseCount)])
        let total = row.reduce(0) { $0 + max($1, 0) }
        return total > 0 ? row.map { max($0, 0) / total } : row.map { _ in 0 }
    }

    /// The reconstruction of sample i, Σ_k R<i>_k (+ BG<i> when present; T values), or nil without R.
    public func reconstruction(of i: Int) -> [Float]? {
        guard let r = contributions, !q.isEmpty else { return nil }
        let t = q.count
        var out = [Float](repeating: 0, count: t)
        for k in 0..<phaseCount {
            let base = (i * phaseCount + k) * t
            for j in 0..<t { out[j] += r[base + j] }
        }
        if let bg = background, bg.count == sampleCount * t { for j in 0..<t { out[j] += bg[i * t + j] } }
        return out
    }

    /// BG<i> as an array slice (T values), or nil without a background.
    public func background(sample i: Int) -> ArraySlice<Float>? {
        guard let bg = background, !q.isEmpty, bg.count == sampleCount * q.count else { return nil }
        return bg[(i * q.count)..<((i + 1) * q.count)]
    }

    /// R<i>_<k> as an array slice (T values), or nil without R.
    public func contribution(sample i: Int, phase k: Int) -> ArraySlice<Float>? {
        guard let r = contributions else { return nil }
        let t = q.count, base = (i * phaseCount + k) * t
        return r[base..<(base + t)]
    }
}
