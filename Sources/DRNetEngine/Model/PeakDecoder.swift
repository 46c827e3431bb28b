import Foundation

/// The differentiable peak renderer (method.md §3, "Decoder"), windowed and SIMD-vectorised.
///
/// For sample i, phase k, stick j and grid point q_t (nm⁻¹):
///
///     μ_kj = s_k·q⁰_kj,   v_kj = v_k + f·q⁰_kj/Q_max   (f = tanh|g| with fattening, else 0)
///     (with instrument offsets z, δ of the sample and the axis wavenumber K: μ_kj =
///     `InstrumentOffset.position`(s_k·q⁰_kj) = K·sin(θ + (z + δ·cos θ)/2), sin θ = s_k·q⁰_kj/K)
///     B̃_k(q_t) = Σ_j ĉ_kj·IS_kj·e^{−v_kj/2}·[(1 − η_k)·G(q_t − μ_kj) + η_k·L(q_t − μ_kj)]
///     G(d) = exp(−d²/(2σ²)),  L(d) = κ/(1 + d²/γ²),  σ² = e^{v_kj},  γ² = 2 ln 2·σ²,
///     κ = σ√(2π)/(πγ) = 1/√(π ln 2)
///     B_k = B̃_k / (max_t B̃_k + ε)                      (each phase max-normalised)
///     m(q_t) = Σ_k w_k B_k(q_t) + b(q_t),  x̂ = m / (max_t m + ε)   (mixture max-normalised)
///
/// with b the sample's fitted background (`BackgroundBasis`: Σ_c β_c·φ_c(q), when the decoder has
/// a basis and the caller passes the C coefficients β; else b = 0).
///
/// The peak is a pseudo-Voigt with mixing η_k ∈ [0, 1] per phase (`mixing`; absent: η = 0, the
/// reference's Gaussian): G and L have the same FWHM 2√(2 ln 2)·σ and the same area σ√(2π), so
/// a phase's fractions and widths mean the same for every η. The Gaussian part is evaluated only
/// on grid points within ±`windowSigmas`·σ of μ (σ = e^{v/2}), which is exact to float
/// precision for windowSigmas ≥ 6 and makes the cost scale with the sticks' support instead of
/// the Q range; the Lorentzian part, whose tails fall only as 1/d², in a window of ±316γ (where
/// L has fallen to 10⁻⁵ of its height: `lorentzianReach`; the tails beyond hold 0.2 % of its
/// area), which on most grids is the whole grid (one division per grid point and stick, only for
/// phases with η > 0) and on fine grids of sharp peaks a fraction of it. Gradients go through both max-normalisations at the grid argmax.
/// The decoder is immutable and shared; per-sample state lives in a `SampleRender` workspace.
public final class PeakDecoder: @unchecked Sendable {
    public let sticks: StickTable
    /// Q grid padded with +∞-like values to a multiple of the lane width plus one extra lane.
    public let grid: [Float]
    /// Number of real grid points T.
    public let gridCount: Int
    /// Padded row length (≥ T + 8, multiple of 8).
    public let stride: Int
    public let windowSigmas: Float
    public let epsilon: Float
    /// Q_max, the fattening term's scale.
    public let qMax: Float
    /// The background's spline basis (C×T), nil when no background is fitted.
    public let background: BackgroundBasis?
    /// K = 4π/λ (nm⁻¹) of the axis the Q grid came from, when instrument offsets are fitted
    /// (`InstrumentOffset`); nil: peaks at s·q⁰.
    public let wavenumber: Float?

    /// - Parameters:
    ///   - backgroundCoefficients: C of the fitted background (0: none).
    ///   - offsetWavelength: λ (Å) of the 2θ axis the grid came from, to fit instrument offsets
    ///     (nil: none).
    public init(
        phases: [CandidatePhase], q: [Float], windowSigmas: Double = 6, epsilon: Double = 1e-9, backgroundCoefficients: Int = 0,
        offsetWavelength: Double? = nil
    ) {
        self.sticks = StickTable(phases: phases)
        self.gridCount = q.count
        self.stride = ((q.count + 7) / 8) * 8 + 8
        var g = q
        let far = (q.last ?? 0) + 1e6
        g.append(contentsOf: repeatElement(far, count: stride - q.count))
        self.grid = g
        self.windowSigmas = Float(windowSigmas)
        self.epsilon = Float(epsilon)
        self.qMax = q.last ?? 1
        self.background = backgroundCoefficients > 0 ? BackgroundBasis(q: q, count: backgroundCoefficients) : nil
        self.wavenumber = offsetWavelength.map { InstrumentOffset.wavenumber(wavelengthAngstrom: $0) }
    }

    /// C, the number of background coefficients per sample (0 without a background).
    public var backgroundCount: Int { background?.count ?? 0 }

    public var phaseCount: Int { sticks.phaseCount }

    /// κ = 1/√(π ln 2): the Lorentzian's height factor that gives it the Gaussian's area.
    public static let lorentzianHeight: Float = Float(1 / (Double.pi * Foundation.log(2.0)).squareRoot())
    /// 1/(2 ln 2): x = d²/γ² = d²/(2 ln 2·σ²).
    static let lorentzianScale: Float = Float(1 / (2 * Foundation.log(2.0)))
    /// The Lorentzian window's half-width in units of γ: √(1/τ − 1) with τ = 10⁻⁵, the share of
    /// the peak height at which the window ends.
    public static let lorentzianReach: Float = Float((1 / 1e-5 - 1).squareRoot())

    /// The Lorentzian part's grid window [lo, hi) for a peak at μ with σ² = `variance`: within
    /// ±`lorentzianReach`·γ, γ = √(2 ln 2)·σ.
    @inline(__always)
    func lorentzianWindow(mu: Float, variance: Float, grid g: UnsafePointer<Float>) -> (lo: Int, hi: Int) {
        let reach = Self.lorentzianReach * (variance / Self.lorentzianScale).squareRoot()
        return (lowerIndex(mu - reach, g), lowerIndex(mu + reach, g))
    }

    /// First grid index with q_t ≥ x (T if none).
    @inline(__always)
    func lowerIndex(_ x: Float, _ g: UnsafePointer<Float>) -> Int {
        var lo = 0, hi = gridCount
        while lo < hi {
            let mid = (lo + hi) >> 1
            if g[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Renders one sample: every phase in `phases` (the allowed ones) with its shift s_k and
    /// log-variance v_k (rows of length P), then the mixture with fractions w (length P).
    /// `intensityFactors`, if given, is P×n_max (row k, column = stick rank within the phase);
    /// `background`, if given (and the decoder has a basis), the C coefficients β ≥ 0;
    /// `mixing`, if given, the pseudo-Voigt η_k of every phase (P values in [0, 1]); `offsets`, if
    /// given (and the decoder has a wavenumber), the sample's zero offset z and displacement δ
    /// (2 values, radians of 2θ).
    public func render(
        phases: [Int32], shifts s: UnsafePointer<Float>, logVariances v: UnsafePointer<Float>,
        fractions w: UnsafePointer<Float>, intensityFactors: UnsafePointer<Float>? = nil,
        fattening f: Float = 0, background beta: UnsafePointer<Float>? = nil, mixing eta: UnsafePointer<Float>? = nil,
        offsets: UnsafePointer<Float>? = nil, into r: SampleRender
    ) {
        let offset = wavenumber != nil ? offsets.map { ($0[0], $0[1]) } : nil
        r.reset(phases: phases)
        grid.withUnsafeBufferPointer { gb in
            let g = gb.baseAddress!
            for k32 in phases {
                let k = Int(k32)
                let row = r.basisRow(k)
                for t in 0..<stride { row[t] = 0 }
                renderPhaseUnnormalised(
                    k, shift: s[k], logVariance: v[k], factors: intensityFactors.map { $0 + k * sticks.maxSticks },
                    fattening: f, mixing: eta?[k] ?? 0, offset: offset, grid: g, into: row)
                // Max-normalise over the T real grid points.
                var m: Float = -1, at = 0
                for t in 0..<gridCount where row[t] > m { m = row[t]; at = t }
                let norm = m + epsilon
                r.normaliser[k] = norm
                r.argmax[k] = Int32(at)
                let inv = 1 / norm
                for t in 0..<gridCount { row[t] *= inv }
            }
        }
        // Mixture and its max-normalisation.
        let mix = r.mixture
        for t in 0..<stride { mix[t] = 0 }
        for k32 in phases {
            let k = Int(k32)
            let wk = w[k]
            if wk == 0 { continue }
            let row = r.basisRow(k)
            for t in 0..<gridCount { mix[t] += wk * row[t] }
        }
        let bg = r.backgroundCurve
        for t in 0..<stride { bg[t] = 0 }
        if let basis = background, let beta {
            basis.accumulate(coefficients: beta, into: bg)
            for t in 0..<gridCount { mix[t] += bg[t] }
        }
        var m: Float = -1, at = 0
        for t in 0..<gridCount where mix[t] > m { m = mix[t]; at = t }
        r.mixtureNormaliser = m + epsilon
        r.mixtureArgmax = at
        let inv = 1 / r.mixtureNormaliser
        for t in 0..<gridCount { r.reconstruction[t] = mix[t] * inv }
    }

    /// One stick's Gaussian: centre μ = s·q⁰, variance σ² = e^{v_j} (v_j = v + f·q⁰/Q_max),
    /// amplitude ĉ·IS·e^{−v_j/2}, and the Gaussian's grid window [lo, hi) within ±windowSigmas·σ
    /// of μ; nil when the window misses the grid — unless the stick has a Lorentzian part
    /// (`lorentzian`), whose tails reach the grid from anywhere: then an empty window (lo = hi).
    /// With instrument offsets μ comes from `InstrumentOffset.position`, and the window carries
    /// ∂μ/∂s (= q⁰ without offsets), ∂μ/∂z and ∂μ/∂δ.
    struct StickWindow {
        var lo: Int, hi: Int, mu: Float, variance: Float, amplitude: Float, logVariance: Float
        var dMuDShift: Float, dMuDZero: Float = 0, dMuDDisplacement: Float = 0
    }

    @inline(__always)
    func window(
        q0: Float, height: Float, shift sk: Float, logVariance vk: Float, factor: Float?, fattening f: Float,
        lorentzian: Bool = false, offset: (zero: Float, displacement: Float)? = nil, grid g: UnsafePointer<Float>
    ) -> StickWindow? {
        let vj = vk + f * q0 / qMax
        let variance = Foundation.exp(vj)
        var mu = sk * q0, dMuDShift = q0, dZero: Float = 0, dDisplacement: Float = 0
        if let offset, let k = wavenumber {
            let p = InstrumentOffset.position(mu, wavenumber: k, zero: offset.zero, displacement: offset.displacement)
            (mu, dMuDShift, dZero, dDisplacement) = (p.mu, p.dQ * q0, p.dZero, p.dDisplacement)
        }
        let half = windowSigmas * variance.squareRoot()
        let amp = height * Foundation.exp(-0.5 * vj) * (factor ?? 1)
        var lo = lowerIndex(mu - half, g)
        var hi = lo >= gridCount ? lo : lowerIndex(mu + half, g)
        if lo >= gridCount || hi <= lo {
            guard lorentzian else { return nil }
            lo = 0
            hi = 0
        }
        return StickWindow(
            lo: lo, hi: hi, mu: mu, variance: variance, amplitude: amp, logVariance: vj, dMuDShift: dMuDShift, dMuDZero: dZero,
            dMuDDisplacement: dDisplacement)
    }

    /// Accumulates B̃_k into `row` (length `stride`, zeroed by the caller).
    @inline(__always)
    func renderPhaseUnnormalised(
        _ k: Int, shift sk: Float, logVariance vk: Float, factors: UnsafePointer<Float>?,
        fattening f: Float, mixing eta: Float = 0, offset: (zero: Float, displacement: Float)? = nil, grid g: UnsafePointer<Float>,
        into row: UnsafeMutablePointer<Float>
    ) {
        let lane = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7)
        let range = sticks.sticks(of: k)
        sticks.position.withUnsafeBufferPointer { pos in
            sticks.height.withUnsafeBufferPointer { hgt in
                for (rank, j) in range.enumerated() {
                    let q0 = pos[j]
                    guard
                        let w = window(
                            q0: q0, height: hgt[j], shift: sk, logVariance: vk, factor: factors?[rank],
                            fattening: f, lorentzian: eta > 0, offset: offset, grid: g)
                    else { continue }
                    let (lo, hi, mu, variance) = (w.lo, w.hi, w.mu, w.variance)
                    let muV = FloatLanes(repeating: mu), aV = FloatLanes(repeating: -0.5 / variance)
                    let ampV = FloatLanes(repeating: (1 - eta) * w.amplitude)
                    let hiV = SIMD8<Int32>(repeating: Int32(hi))
                    if eta > 0 {
                        // The Lorentzian part in its window: η·A·κ/(1 + (q − μ)²/γ²).
                        let ampL = FloatLanes(repeating: eta * w.amplitude * Self.lorentzianHeight)
                        let cx = FloatLanes(repeating: Self.lorentzianScale / variance)
                        let (loL, hiL) = lorentzianWindow(mu: mu, variance: variance, grid: g)
                        let hiLV = SIMD8<Int32>(repeating: Int32(hiL))
                        var t = loL
                        while t < hiL {
                            let qv = UnsafeRawPointer(g + t).loadUnaligned(as: FloatLanes.self)
                            let d = qv - muV
                            var e = ampL / (1 + cx * d * d)
                            e.replace(with: 0, where: (lane &+ Int32(t)) .>= hiLV)
                            let dst = UnsafeMutableRawPointer(row + t)
                            dst.storeBytes(of: dst.loadUnaligned(as: FloatLanes.self) + e, as: FloatLanes.self)
                            t += 8
                        }
                    }
                    if eta >= 1 { continue }
                    var t = lo
                    while t < hi {
                        let qv = UnsafeRawPointer(g + t).loadUnaligned(as: FloatLanes.self)
                        let d = qv - muV
                        var e = ampV * simdExp(aV * d * d)
                        e.replace(with: 0, where: (lane &+ Int32(t)) .>= hiV)
                        let dst = UnsafeMutableRawPointer(row + t)
                        let old = dst.loadUnaligned(as: FloatLanes.self)
                        dst.storeBytes(of: old + e, as: FloatLanes.self)
                        t += 8
                    }
                }
            }
        }
    }

    /// Backward pass for one rendered sample. Given dL/dx̂ (length T), writes dL/dw, dL/ds and
    /// dL/dv (rows of length P, overwritten for the rendered phases, zero elsewhere), the gradient
    /// with respect to the intensity factors (P×n_max, if given) and to the background
    /// coefficients (C values, if given: dL/dβ_c = Σ_t g_m(t)·φ_c(t)) and to the pseudo-Voigt
    /// mixing (P values, if `mixing` and `gradMixing` are given; zero for phases not rendered) and
    /// to the sample's instrument offsets (2 values, if `offsets` and `gradOffsets` are given and
    /// the decoder has a wavenumber), and returns dL/df.
    @discardableResult
    public func backward(
        _ r: SampleRender, gradReconstruction gx: UnsafePointer<Float>, fractions w: UnsafePointer<Float>,
        shifts s: UnsafePointer<Float>, logVariances v: UnsafePointer<Float>,
        intensityFactors: UnsafePointer<Float>? = nil, fattening f: Float = 0, mixing eta: UnsafePointer<Float>? = nil,
        gradFractions gw: UnsafeMutablePointer<Float>, gradShifts gs: UnsafeMutablePointer<Float>,
        gradLogVariances gv: UnsafeMutablePointer<Float>,
        gradIntensityFactors gIS: UnsafeMutablePointer<Float>? = nil,
        gradBackground gBeta: UnsafeMutablePointer<Float>? = nil, gradMixing gEta: UnsafeMutablePointer<Float>? = nil,
        offsets: UnsafePointer<Float>? = nil, gradOffsets gOff: UnsafeMutablePointer<Float>? = nil
    ) -> Float {
        let p = phaseCount
        let offset = wavenumber != nil ? offsets.map { ($0[0], $0[1]) } : nil
        var dZero: Float = 0, dDisplacement: Float = 0
        for k in 0..<p { gw[k] = 0; gs[k] = 0; gv[k] = 0 }
        if let gEta { for k in 0..<p { gEta[k] = 0 } }
        // Through the mixture max: g_m = g/(M+ε) − δ_{t*}·Σ_t g_t x̂_t/(M+ε).
        let gm = r.scratch
        let invM = 1 / r.mixtureNormaliser
        var dot: Float = 0
        for t in 0..<gridCount { dot += gx[t] * r.reconstruction[t]; gm[t] = gx[t] * invM }
        for t in gridCount..<stride { gm[t] = 0 }
        gm[r.mixtureArgmax] -= dot * invM
        if let basis = background, let gBeta { basis.project(gm, into: gBeta) }
        var gradF: Float = 0
        grid.withUnsafeBufferPointer { gb in
            let g = gb.baseAddress!
            for k32 in r.phases {
                let k = Int(k32)
                let row = r.basisRow(k)
                var gwk: Float = 0
                for t in 0..<gridCount { gwk += gm[t] * row[t] }
                gw[k] = gwk
                let wk = w[k]
                if wk == 0 { continue }
                // Through the phase max: gB̃(t) = w_k·(g_m(t) − δ_{t*}·g_wk)/(M_k+ε).
                let gb = r.phaseGradient
                let scale = wk / r.normaliser[k]
                for t in 0..<stride { gb[t] = gm[t] * scale }
                gb[Int(r.argmax[k])] -= gwk * scale
                let factors = intensityFactors.map { $0 + k * sticks.maxSticks }
                let gFactors = gIS.map { $0 + k * sticks.maxSticks }
                let d = stickGradients(
                    k, shift: s[k], logVariance: v[k], factors: factors, fattening: f, mixing: eta?[k] ?? 0, offset: offset,
                    grid: g, upstream: gb, gradFactors: gFactors)
                gs[k] = d.shift
                gv[k] = d.logVariance
                gEta?[k] = d.mixing
                gradF += d.fattening
                dZero += d.zero
                dDisplacement += d.displacement
            }
        }
        if let gOff {
            gOff[0] = dZero
            gOff[1] = dDisplacement
        }
        return gradF
    }

    /// Σ over sticks and grid of gB̃(t)·∂B̃(t)/∂(s, v, f, IS, η) for one phase. Per stick, with
    /// A = ĉ·IS·e^{−v_j/2}, d = q − μ, r = 1/(1 + x), x = d²/γ²:
    ///
    ///     Gaussian sums (window):  S0 = Σ g·A·G,  S1 = Σ g·A·G·d,  S2 = Σ g·A·G·d²
    ///     Lorentzian sums (grid):  L0 = Σ g·A·κr,  L1 = Σ g·A·κr²·d,  Lx = Σ g·A·κr²·x
    ///     ∂/∂μ = (1−η)·S1/σ² + η·2L1/γ²,   ∂/∂v_j = (1−η)·(S2/(2σ²) − S0/2) + η·(Lx − L0/2)
    ///     ∂/∂η = L0 − S0,   ∂/∂IS = ((1−η)·S0 + η·L0)/IS,
    ///     ∂/∂s = ∂/∂μ·∂μ/∂s (q⁰ without offsets), ∂/∂z = ∂/∂μ·∂μ/∂z, ∂/∂δ = ∂/∂μ·∂μ/∂δ
    @inline(__always)
    func stickGradients(
        _ k: Int, shift sk: Float, logVariance vk: Float, factors: UnsafePointer<Float>?, fattening f: Float,
        mixing eta: Float = 0, offset: (zero: Float, displacement: Float)? = nil, grid g: UnsafePointer<Float>,
        upstream gb: UnsafeMutablePointer<Float>, gradFactors: UnsafeMutablePointer<Float>?
    ) -> (shift: Float, logVariance: Float, fattening: Float, mixing: Float, zero: Float, displacement: Float) {
        let range = sticks.sticks(of: k)
        var dS: Float = 0, dV: Float = 0, dF: Float = 0, dEta: Float = 0, dZ: Float = 0, dD: Float = 0
        let lane = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7)
        sticks.position.withUnsafeBufferPointer { pos in
            sticks.height.withUnsafeBufferPointer { hgt in
                for (rank, j) in range.enumerated() {
                    let q0 = pos[j]
                    guard
                        let w = window(
                            q0: q0, height: hgt[j], shift: sk, logVariance: vk, factor: factors?[rank],
                            fattening: f, lorentzian: eta > 0, offset: offset, grid: g)
                    else { continue }
                    let (lo, hi, mu, variance) = (w.lo, w.hi, w.mu, w.variance)
                    let muV = FloatLanes(repeating: mu), aV = FloatLanes(repeating: -0.5 / variance)
                    let ampV = FloatLanes(repeating: w.amplitude)
                    let hiV = SIMD8<Int32>(repeating: Int32(hi))
                    var L0: Float = 0, L1: Float = 0, Lx: Float = 0
                    if eta > 0 {
                        let ampL = FloatLanes(repeating: w.amplitude * Self.lorentzianHeight)
                        let cx = FloatLanes(repeating: Self.lorentzianScale / variance)
                        var l0 = FloatLanes(), l1 = FloatLanes(), lx = FloatLanes()
                        let (loL, hiL) = lorentzianWindow(mu: mu, variance: variance, grid: g)
                        let hiLV = SIMD8<Int32>(repeating: Int32(hiL))
                        var t = loL
                        while t < hiL {
                            let qv = UnsafeRawPointer(g + t).loadUnaligned(as: FloatLanes.self)
                            let up = UnsafeRawPointer(gb + t).loadUnaligned(as: FloatLanes.self)
                            let d = qv - muV
                            let x = cx * d * d
                            let r = 1 / (1 + x)
                            var e = up * ampL * r
                            e.replace(with: 0, where: (lane &+ Int32(t)) .>= hiLV)
                            l0 += e
                            l1 += e * r * d
                            lx += e * r * x
                            t += 8
                        }
                        L0 = l0.sum()
                        L1 = l1.sum()
                        Lx = lx.sum()
                    }
                    var s0 = FloatLanes(), s1 = FloatLanes(), s2 = FloatLanes()
                    var t = lo
                    while t < hi {
                        let qv = UnsafeRawPointer(g + t).loadUnaligned(as: FloatLanes.self)
                        let up = UnsafeRawPointer(gb + t).loadUnaligned(as: FloatLanes.self)
                        let d = qv - muV
                        var e = up * ampV * simdExp(aV * d * d)
                        e.replace(with: 0, where: (lane &+ Int32(t)) .>= hiV)
                        s0 += e
                        s1 += e * d
                        s2 += e * d * d
                        t += 8
                    }
                    let S0 = s0.sum(), S1 = s1.sum(), S2 = s2.sum()
                    let gaussian = 1 - eta
                    // 2/γ² = 2·cx/σ²… with cx = 1/(2 ln 2): ∂x/∂μ = −2d/γ² = −2d·cx/σ².
                    let dMu = (gaussian * S1 + eta * 2 * Self.lorentzianScale * L1) / variance
                    dS += dMu * w.dMuDShift
                    dZ += dMu * w.dMuDZero
                    dD += dMu * w.dMuDDisplacement
                    let dvj = gaussian * (S2 / (2 * variance) - 0.5 * S0) + eta * (Lx - 0.5 * L0)
                    dV += dvj
                    dF += dvj * q0 / qMax
                    dEta += L0 - S0
                    if let gradFactors, let factors { gradFactors[rank] = (gaussian * S0 + eta * L0) / factors[rank] }
                }
            }
        }
        return (dS, dV, dF, dEta, dZ, dD)
    }
}

/// Per-sample workspace of the renderer: normalised phase patterns B_k (P rows of `stride`),
/// their normalisers and argmax, the background b, the mixture m, the reconstruction x̂ and
/// scratch rows.
/// Allocated once per problem size and reused every step.
public final class SampleRender: @unchecked Sendable {
    public let phaseCount: Int
    public let stride: Int
    public let gridCount: Int
    public private(set) var phases: [Int32] = []
    let basis: UnsafeMutablePointer<Float>
    public let mixture: UnsafeMutablePointer<Float>
    public let reconstruction: UnsafeMutablePointer<Float>
    /// b(q_t), the fitted background of the last render (zeros without one), `stride` floats.
    public let backgroundCurve: UnsafeMutablePointer<Float>
    let scratch: UnsafeMutablePointer<Float>
    let phaseGradient: UnsafeMutablePointer<Float>
    public var normaliser: [Float]
    public var argmax: [Int32]
    public var mixtureNormaliser: Float = 1
    public var mixtureArgmax: Int = 0

    public init(decoder: PeakDecoder) {
        phaseCount = decoder.phaseCount
        stride = decoder.stride
        gridCount = decoder.gridCount
        basis = .allocate(capacity: phaseCount * stride)
        basis.initialize(repeating: 0, count: phaseCount * stride)
        mixture = .allocate(capacity: stride); mixture.initialize(repeating: 0, count: stride)
        reconstruction = .allocate(capacity: stride); reconstruction.initialize(repeating: 0, count: stride)
        scratch = .allocate(capacity: stride); scratch.initialize(repeating: 0, count: stride)
        backgroundCurve = .allocate(capacity: stride); backgroundCurve.initialize(repeating: 0, count: stride)
        phaseGradient = .allocate(capacity: stride); phaseGradient.initialize(repeating: 0, count: stride)
        normaliser = Array(repeating: 1, count: phaseCount)
        argmax = Array(repeating: 0, count: phaseCount)
    }

    deinit {
        basis.deallocate(); mixture.deallocate(); reconstruction.deallocate()
        scratch.deallocate(); phaseGradient.deallocate(); backgroundCurve.deallocate()
    }

    func reset(phases: [Int32]) {
        guard phases != self.phases else { return }
        // Rows of phases no longer rendered are zeroed so that `basisRow` reads 0 for them.
        var rendered = [Bool](repeating: false, count: phaseCount)
        for k in phases { rendered[Int(k)] = true }
        for k in self.phases where !rendered[Int(k)] {
            let row = basisRow(Int(k))
            for t in 0..<stride { row[t] = 0 }
        }
        self.phases = phases
    }

    /// B_k for phase k (max-normalised after `render`), `stride` floats.
    @inline(__always)
    public func basisRow(_ k: Int) -> UnsafeMutablePointer<Float> { basis + k * stride }

    /// Fills the workspace from another backend's results (e.g. device buffers): for each
    /// rendered phase k (ascending) its normalised row (`gridCount` values, rows concatenated),
    /// normaliser and argmax; the mixture m and x̂ (`gridCount` values each), M + ε and its argmax,
    /// and the background b (`gridCount` values, or nil for none).
    public func load(
        phases: [Int32], rows: [Float], normalisers: [Float], argmaxes: [Int32], mixture m: [Float],
        reconstruction xh: [Float], mixtureNormaliser: Float, mixtureArgmax: Int, background: [Float]? = nil
    ) {
        reset(phases: phases)
        for (i, k32) in phases.enumerated() {
            let k = Int(k32), row = basisRow(k)
            for t in 0..<stride { row[t] = t < gridCount ? rows[i * gridCount + t] : 0 }
            normaliser[k] = normalisers[i]
            argmax[k] = argmaxes[i]
        }
        for t in 0..<stride {
            mixture[t] = t < gridCount ? m[t] : 0
            reconstruction[t] = t < gridCount ? xh[t] : 0
            backgroundCurve[t] = t < gridCount ? (background?[t] ?? 0) : 0
        }
        self.mixtureNormaliser = mixtureNormaliser
        self.mixtureArgmax = mixtureArgmax
    }

    /// Copies x̂ (T values) out.
    public var reconstructionArray: [Float] { Array(UnsafeBufferPointer(start: reconstruction, count: gridCount)) }

    /// The workspace as a backend-neutral value (the rendered phases' rows only).
    public var value: RenderedSample {
        let ks = phases.map { Int($0) }
        var rows: [Float] = []
        rows.reserveCapacity(ks.count * gridCount)
        for k in ks { rows += UnsafeBufferPointer(start: basisRow(k), count: gridCount) }
        return RenderedSample(
            gridCount: gridCount, phases: ks, rows: rows, normalisers: ks.map { normaliser[$0] },
            argmaxes: ks.map { Int(argmax[$0]) }, mixture: Array(UnsafeBufferPointer(start: mixture, count: gridCount)),
            reconstruction: reconstructionArray, mixtureNormaliser: mixtureNormaliser, mixtureArgmax: mixtureArgmax,
            background: Array(UnsafeBufferPointer(start: backgroundCurve, count: gridCount)))
    }
}
