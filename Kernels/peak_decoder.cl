// The batched, windowed peak decoder (method.md §3 "Decoder"; CPU specification:
// Sources/DRNetCore/Model/PeakDecoder.swift). For sample b, phase k, stick j, grid point t:
//
//   μ = s_bk·q⁰_j,  v_j = v_bk + f·q⁰_j/Q_max,  σ² = e^{v_j},  γ² = 2 ln 2·σ²,  κ = 1/√(π ln 2)
//   B̃_bk(t) = Σ_j ĉ_j·IS_bkj·e^{−v_j/2}·[(1 − η_k)·exp(−(q_t − μ)²/(2σ²)) + η_k·κ/(1 + (q_t − μ)²/γ²)]
//   the Gaussian part over |q_t − μ| within ±W·σ, the Lorentzian part (η_k > 0) within ±R·γ
//   (R = LORENTZIAN_REACH, where L is 10⁻⁵ of its height, as PeakDecoder.lorentzianReach);
//   with instrument offsets (useOffsets ≠ 0; InstrumentOffset.swift) μ = K·sin(θ + (z_b + δ_b·cos θ)/2),
//   sin θ = s_bk·q⁰_j/K, K = 4π/λ (nm⁻¹), z_b, δ_b the sample's zero offset and displacement (radians)
//   B_bk = B̃_bk/(max_t B̃_bk + ε),  m_b = Σ_k w_bk·B_bk + b_b,  x̂_b = m_b/(max_t m_b + ε)
//   with the fitted background b_b(t) = Σ_c β_bc·φ_c(t) (BackgroundBasis.swift; C = 0: none)
//
// Buffers (row-major; Tpad = T rounded up to a multiple of LANES, grid padded with far values):
//   q[Tpad]; stickQ[S], stickH[S], phaseStart[P+1] (sticks of phase k: phaseStart[k] ..< [k+1]);
//   the batch's rendered (sample, phase) pairs, sample-major: pairSample[L], pairPhase[L],
//   sampleStart[B+1] (pairs of sample b: sampleStart[b] ..< [b+1], phases ascending);
//   fractions, shifts, logVar: B×P; factors: B×P×nmax (rank of the stick within its phase),
//   read only when useFactors ≠ 0; mixing: P (η_k), read only when useMixing ≠ 0;
//   offsets: B×2 (z_b, δ_b), read only when useOffsets ≠ 0;
//   basis: L×Tpad (B_bk of pair i in row i), normaliser[L], argmaxOut[L];
//   mixture, xhat: B×Tpad; mixNorm[B], mixArgmax[B];
//   background basis φ: C×T (bgBasis), coefficients β: B×C (bgCoeff), the curves b: B×Tpad (bgCurve).

// One stick's Gaussian (as PeakDecoder.window): v_j = v + f·q⁰/Q_max, σ² = e^{v_j}, μ = s·q⁰,
// amplitude ĉ·IS·e^{−v_j/2} (`height` = ĉ·IS), and the grid window [lo, hi) within ±W·σ of μ;
// returns 0 when the window misses the grid, unless the stick has a Lorentzian part
// (lorentzian ≠ 0): then an empty Gaussian window lo = hi = 0.
// The observed position of a reflection at Q⁰ = s·q⁰ with instrument offsets, and ∂μ/∂Q⁰,
// ∂μ/∂z, ∂μ/∂δ (as InstrumentOffset.position; Q⁰ ≥ K keeps its position).
inline float observed_position(float q, float K, float z, float delta, float* dQ, float* dZ, float* dD) {
    const float x = q / K;
    if (!(x < 1.0f && x > -1.0f)) { *dQ = 1.0f; *dZ = 0.0f; *dD = 0.0f; return q; }
    const float cosTheta = sqrt(1.0f - x * x), theta = asin(x);
    const float shift = 0.5f * (z + delta * cosTheta), c = cos(theta + shift);
    *dQ = c * (1.0f - 0.5f * delta * x) / cosTheta;
    *dZ = 0.5f * K * c;
    *dD = 0.5f * K * c * cosTheta;
    return K * sin(theta + shift);
}

// With offsets (useOffsets ≠ 0) μ is observed_position(s·q⁰) and dMu = (∂μ/∂s, ∂μ/∂z, ∂μ/∂δ);
// without, μ = s·q⁰ and dMu = (q⁰, 0, 0).
inline int stick_window(float q0, float height, float sk, float vk, float fattening, float qMax, float windowSigmas,
                        int lorentzian, const int useOffsets, float K, float z, float delta,
                        __global const float* q, int T,
                        float* vj, float* variance, float* mu, float* amp, int* lo, int* hi, float* dMu) {
    *vj = vk + fattening * q0 / qMax;
    *variance = exp(*vj);
    *mu = sk * q0;
    dMu[0] = q0; dMu[1] = 0.0f; dMu[2] = 0.0f;
    if (useOffsets) {
        float dQ;
        *mu = observed_position(*mu, K, z, delta, &dQ, dMu + 1, dMu + 2);
        dMu[0] = dQ * q0;
    }
    *amp = height * exp(-0.5f * *vj);
    const float reach = windowSigmas * sqrt(*variance);
    *lo = lower_index(*mu - reach, q, T);
    *hi = *lo >= T ? *lo : lower_index(*mu + reach, q, T);
    if (*lo >= T || *hi <= *lo) {
        if (!lorentzian) return 0;
        *lo = 0;
        *hi = 0;
    }
    return 1;
}

// κ = 1/√(π ln 2) (the Lorentzian with the Gaussian's area) and 1/(2 ln 2) (x = d²·that/σ²), as
// PeakDecoder.lorentzianHeight and .lorentzianScale.
#define LORENTZIAN_HEIGHT 0.67766101f
#define LORENTZIAN_SCALE 0.72134752f
#define LORENTZIAN_REACH 316.226181f

// The Lorentzian part's window [lo, hi) within ±LORENTZIAN_REACH·γ of μ (γ² = σ²/LORENTZIAN_SCALE).
inline void lorentzian_window(float mu, float variance, __global const float* q, int T, int* lo, int* hi) {
    const float reach = LORENTZIAN_REACH * sqrt(variance / LORENTZIAN_SCALE);
    *lo = lower_index(mu - reach, q, T);
    *hi = lower_index(mu + reach, q, T);
}

// Index mapping: work-group g handles pairs g, g + groups, … (one pair per group on GPUs; a few
// groups per core on CPUs, where a launch per pair costs more than the pair). Work-item lid owns the chunks
// c ≡ lid (mod WG_PAIR) of LANES consecutive grid points, so accumulation needs no barrier.
__kernel void render_phases(
    __global const float* q, const int T, const int Tpad,
    __global const float* stickQ, __global const float* stickH, __global const int* phaseStart, const int nmax,
    __global const int* pairSample, __global const int* pairPhase, const int pairCount, const int P,
    __global const float* shifts, __global const float* logVar,
    __global const float* factors, const int useFactors, __global const float* mixing, const int useMixing,
    const float K, __global const float* offsets, const int useOffsets,
    const float fattening, const float qMax, const float windowSigmas, const float epsilon,
    __global float* basis, __global float* normaliser, __global int* argmaxOut)
{
    __local float smax[WG_PAIR];
    __local int sarg[WG_PAIR];
    const int lid = get_local_id(0);
    const int chunks = Tpad / LANES;
    for (int pair = get_group_id(0); pair < pairCount; pair += get_num_groups(0)) {
    const int b = pairSample[pair], k = pairPhase[pair];
    __global float* row = basis + (size_t)pair * Tpad;
    for (int c = lid; c < chunks; c += WG_PAIR) VSTORE((floatv)(0.0f), row + c * LANES);
    const float sk = shifts[b * P + k], vk = logVar[b * P + k];
    const float eta = useMixing ? mixing[k] : 0.0f;
    const float z = useOffsets ? offsets[2 * b] : 0.0f, delta = useOffsets ? offsets[2 * b + 1] : 0.0f;
    const int first = phaseStart[k], last = phaseStart[k + 1];
    for (int j = first; j < last; j++) {
        const size_t at = (size_t)(b * P + k) * nmax + (j - first);
        const float factor = useFactors ? factors[at] : 1.0f;
        float vj, variance, mu, amp, dMu[3];
        int lo, hi;
        if (!stick_window(stickQ[j], stickH[j] * factor, sk, vk, fattening, qMax, windowSigmas, eta > 0.0f, useOffsets, K, z,
                          delta, q, T, &vj, &variance, &mu, &amp, &lo, &hi, dMu)) continue;
        if (eta > 0.0f) {
            // The Lorentzian part in its window (the chunks of it this work-item owns).
            const float ampL = eta * amp * LORENTZIAN_HEIGHT, cx = LORENTZIAN_SCALE / variance;
            int loL, hiL;
            lorentzian_window(mu, variance, q, T, &loL, &hiL);
            const int l0 = loL / LANES, l1 = hiL > loL ? (hiL - 1) / LANES : l0 - 1;
            for (int c = l0 + (((lid - l0) % WG_PAIR) + WG_PAIR) % WG_PAIR; c <= l1; c += WG_PAIR) {
                const int t = c * LANES;
                const intv idx = t + LANE_INDEX;
                const floatv d = VLOAD(q + t) - mu;
                floatv e = ampL / (1.0f + cx * d * d);
                e = select((floatv)(0.0f), e, (idx >= loL) & (idx < hiL));
                VSTORE(VLOAD(row + t) + e, row + t);
            }
        }
        if (hi <= lo || eta >= 1.0f) continue;
        amp *= 1.0f - eta;
        const float a = -0.5f / variance;
        const int c0 = lo / LANES, c1 = (hi - 1) / LANES;
        for (int c = c0 + (((lid - c0) % WG_PAIR) + WG_PAIR) % WG_PAIR; c <= c1; c += WG_PAIR) {
            const int t = c * LANES;
            const floatv d = VLOAD(q + t) - mu;
            floatv e = amp * exp(a * d * d);
            const intv idx = t + LANE_INDEX;
            e = select((floatv)(0.0f), e, (idx >= lo) & (idx < hi));
            VSTORE(VLOAD(row + t) + e, row + t);
        }
    }
    // Max-normalise over the T real grid points.
    float m = -1.0f;
    int at = 0x7fffffff;
    for (int c = lid; c < chunks; c += WG_PAIR) {
        for (int e = 0; e < LANES; e++) {
            const int t = c * LANES + e;
            if (t < T && row[t] > m) { m = row[t]; at = t; }
        }
    }
    group_argmax(smax, sarg, &m, &at);
    // A NaN row has no maximum (every comparison is false): keep the index inside the row, so
    // the backward pass reads row[0] (NaN, which the host reports as a divergence) instead of
    // memory past the buffer.
    if (at >= T) at = 0;
    const float norm = m + epsilon;
    if (lid == 0) { normaliser[pair] = norm; argmaxOut[pair] = at; }
    const float inv = 1.0f / norm;
    for (int c = lid; c < chunks; c += WG_PAIR) VSTORE(VLOAD(row + c * LANES) * inv, row + c * LANES);
    }
}

// Index mapping: one work-group (WG_SAMPLE work-items) per sample; work-item lid handles grid
// points t ≡ lid (mod WG_SAMPLE), summing the sample's pairs in ascending phase order, then the
// background's splines in ascending order (as PeakDecoder.render).
__kernel void mix_phases(
    const int T, const int Tpad, const int P,
    __global const int* sampleStart, __global const int* pairPhase,
    __global const float* basis, __global const float* fractions, const float epsilon,
    const int C, __global const float* bgBasis, __global const float* bgCoeff, __global float* bgCurve,
    __global float* mixture, __global float* xhat, __global float* mixNorm, __global int* mixArgmax)
{
    __local float smax[WG_SAMPLE];
    __local int sarg[WG_SAMPLE];
    const int b = get_group_id(0), lid = get_local_id(0);
    const int p0 = sampleStart[b], p1 = sampleStart[b + 1];
    float m = -1.0f;
    int at = 0x7fffffff;
    for (int t = lid; t < T; t += WG_SAMPLE) {
        float acc = 0.0f;
        for (int i = p0; i < p1; i++) {
            const float wk = fractions[b * P + pairPhase[i]];
            if (wk != 0.0f) acc += wk * basis[(size_t)i * Tpad + t];
        }
        if (C > 0) {
            float bg = 0.0f;
            for (int c = 0; c < C; c++) {
                const float beta = bgCoeff[b * C + c];
                if (beta != 0.0f) bg += beta * bgBasis[(size_t)c * T + t];
            }
            bgCurve[(size_t)b * Tpad + t] = bg;
            acc += bg;
        }
        mixture[(size_t)b * Tpad + t] = acc;
        if (acc > m) { m = acc; at = t; }
    }
    group_argmax(smax, sarg, &m, &at);
    if (at >= T) at = 0;  // a NaN mixture (no maximum): an index inside the buffers, as above
    const float norm = m + epsilon;
    if (lid == 0) { mixNorm[b] = norm; mixArgmax[b] = at; }
    const float inv = 1.0f / norm;
    for (int t = lid; t < T; t += WG_SAMPLE) xhat[(size_t)b * Tpad + t] = mixture[(size_t)b * Tpad + t] * inv;
}

// Backward through the mixture's phase term and the renderer, given gm = d loss/d m (B×Tpad,
// from reconstruction_loss, already through the mixture max). Per pair (b, k):
//   gw_bk = Σ_t gm(t)·B_bk(t)
//   gB̃(t) = (w_bk/(M_bk+ε))·(gm(t) − δ_{t = argmax}·gw_bk)        (through the phase max)
//   per stick (A = ĉ·IS·e^{−v_j/2}, d = q − μ, x = d²/γ², r = 1/(1 + x)), over its window
//   S0 = Σ gB̃·A·G, S1 = Σ gB̃·A·G·d, S2 = Σ gB̃·A·G·d², and with η > 0 over the whole grid
//   L0 = Σ gB̃·A·κr, L1 = Σ gB̃·A·κr²·d, Lx = Σ gB̃·A·κr²·x:
//   gμ = ((1−η)S1 + 2η·L1/(2 ln 2))/σ²,  gs += gμ·∂μ/∂s (q⁰ without offsets),
//   gz += gμ·∂μ/∂z,  gδ += gμ·∂μ/∂δ,  gv_j = (1−η)(S2/(2σ²) − S0/2) + η(Lx − L0/2),
//   gv += gv_j,  gf += gv_j·q⁰/Q_max,  gIS_j = ((1−η)S0 + ηL0)/IS_j,  gη += L0 − S0
// Outputs: gradW, gradS, gradV (B×P, entries of the pair), gradIS (B×P×nmax), gradFPair[L] and
// gradEtaPair[L], gradOffPair[L×2] (the host sums a sample's pairs in order, and η's over the batch). Index mapping: one work-group (WG_PAIR work-items)
// per pair; gw_bk is reduced over owned grid chunks as in render_phases, the sticks are dealt
// to the work-items.
__kernel void decoder_backward(
    __global const float* q, const int T, const int Tpad,
    __global const float* stickQ, __global const float* stickH, __global const int* phaseStart, const int nmax,
    __global const int* pairSample, __global const int* pairPhase, const int pairCount, const int P,
    __global const float* fractions, __global const float* shifts, __global const float* logVar,
    __global const float* factors, const int useFactors, __global const float* mixing, const int useMixing,
    const float K, __global const float* offsets, const int useOffsets,
    const float fattening, const float qMax, const float windowSigmas,
    __global const float* basis, __global const float* normaliser, __global const int* argmaxIn,
    __global const float* gm,
    __global float* gradW, __global float* gradS, __global float* gradV, __global float* gradIS, __global float* gradFPair,
    __global float* gradEtaPair, __global float* gradOffPair)
{
    __local real scratch[4 * WG_PAIR];
    const int lid = get_local_id(0);
    const int chunks = Tpad / LANES;
    for (int pair = get_group_id(0); pair < pairCount; pair += get_num_groups(0)) {
    const int b = pairSample[pair], k = pairPhase[pair];
    __global const float* row = basis + (size_t)pair * Tpad;
    __global const float* g = gm + (size_t)b * Tpad;
    real acc[3];
    acc[0] = 0;
    for (int c = lid; c < chunks; c += WG_PAIR) {
        const int t = c * LANES;
        const intv idx = t + LANE_INDEX;
        const floatv prod = select((floatv)(0.0f), VLOAD(g + t) * VLOAD(row + t), idx < T);
        acc[0] += HSUM(prod);
    }
    group_sum(scratch, acc, 1);
    const float gwk = (float)acc[0];
    const float wk = fractions[b * P + k];
    if (lid == 0) gradW[b * P + k] = gwk;
    // Phases with w = 0 get zero gradients; no early exit, so every work-item reaches the
    // reduction's barriers on the same path (PoCL 3.1 mishandled barriers after a `continue`).
    const int active = wk != 0.0f;
    const float scale = wk / normaliser[pair];
    const int am = argmaxIn[pair];
    const float sk = shifts[b * P + k], vk = logVar[b * P + k];
    const float eta = useMixing ? mixing[k] : 0.0f;
    const float z = useOffsets ? offsets[2 * b] : 0.0f, delta = useOffsets ? offsets[2 * b + 1] : 0.0f;
    const int first = phaseStart[k], last = phaseStart[k + 1];
    // Sticks are dealt to the work-items (j ≡ lid mod WG_PAIR); each walks its stick's whole
    // window, so the loop has no barrier; the per-work-item sums are reduced once at the end.
    real dS = 0, dV = 0, dF = 0, dEta = 0, dZ = 0, dD = 0;
    for (int j = first + lid; active && j < last; j += WG_PAIR) {
        const float q0 = stickQ[j];
        const size_t at = (size_t)(b * P + k) * nmax + (j - first);
        const float factor = useFactors ? factors[at] : 1.0f;
        float vj, variance, mu, amp, dMu[3];
        int lo, hi;
        if (!stick_window(q0, stickH[j] * factor, sk, vk, fattening, qMax, windowSigmas, eta > 0.0f, useOffsets, K, z, delta,
                          q, T, &vj, &variance, &mu, &amp, &lo, &hi, dMu)) continue;
        real L0 = 0, L1 = 0, Lx = 0;
        if (eta > 0.0f) {
            const float ampL = amp * LORENTZIAN_HEIGHT, cx = LORENTZIAN_SCALE / variance;
            floatv l0 = (floatv)(0.0f), l1 = (floatv)(0.0f), lx = (floatv)(0.0f);
            int loL, hiL;
            lorentzian_window(mu, variance, q, T, &loL, &hiL);
            for (int c = loL / LANES; hiL > loL && c <= (hiL - 1) / LANES; c++) {
                const int t = c * LANES;
                const intv idx = t + LANE_INDEX;
                const floatv up = VLOAD(g + t) * scale - select((floatv)(0.0f), (floatv)(gwk * scale), idx == am);
                const floatv d = VLOAD(q + t) - mu;
                const floatv x = cx * d * d;
                const floatv r = 1.0f / (1.0f + x);
                floatv e = up * ampL * r;
                e = select((floatv)(0.0f), e, (idx >= loL) & (idx < hiL));
                l0 += e;
                l1 += e * r * d;
                lx += e * r * x;
            }
            L0 = HSUM(l0); L1 = HSUM(l1); Lx = HSUM(lx);
        }
        const float a = -0.5f / variance;
        floatv s0 = (floatv)(0.0f), s1 = (floatv)(0.0f), s2 = (floatv)(0.0f);
        for (int c = lo / LANES; hi > lo && c <= (hi - 1) / LANES; c++) {
            const int t = c * LANES;
            const intv idx = t + LANE_INDEX;
            const floatv up = VLOAD(g + t) * scale - select((floatv)(0.0f), (floatv)(gwk * scale), idx == am);
            const floatv d = VLOAD(q + t) - mu;
            floatv e = up * amp * exp(a * d * d);
            e = select((floatv)(0.0f), e, (idx >= lo) & (idx < hi));
            s0 += e;
            s1 += e * d;
            s2 += e * d * d;
        }
        const real S0 = HSUM(s0), S1 = HSUM(s1), S2 = HSUM(s2);
        const real gauss = 1 - (real)eta;
        const real gMu = (gauss * S1 + eta * 2 * (real)LORENTZIAN_SCALE * L1) / variance;
        dS += gMu * dMu[0];
        dZ += gMu * dMu[1];
        dD += gMu * dMu[2];
        const real dvj = gauss * (S2 / (2 * (real)variance) - 0.5 * S0) + eta * (Lx - 0.5 * L0);
        dV += dvj;
        dF += dvj * q0 / qMax;
        dEta += L0 - S0;
        if (useFactors) gradIS[at] = (float)((gauss * S0 + eta * L0) / factor);
    }
    real sums[4] = {dS, dV, dF, dEta};
    group_sum(scratch, sums, 4);
    dS = sums[0]; dV = sums[1]; dF = sums[2]; dEta = sums[3];
    real offs[2] = {dZ, dD};
    group_sum(scratch, offs, 2);
    if (lid == 0) {
        gradS[b * P + k] = (float)dS; gradV[b * P + k] = (float)dV; gradFPair[pair] = (float)dF;
        gradEtaPair[pair] = (float)dEta;
        gradOffPair[2 * pair] = (float)offs[0];
        gradOffPair[2 * pair + 1] = (float)offs[1];
    }
    }
}
