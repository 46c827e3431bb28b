// Reconstruction loss of each sample and its gradient (method.md §4; CPU specification:
// Sources/DRNetCore/Model/ReconstructionLoss.swift), in `real` (double) accumulation:
//
//   p = (x̃ + ε)/(Σ_t(x̃ + ε) + ε),  p̂ likewise from x̂
//   KL(a‖b) = S·Σ_t a_t·log((a_t + κ)/(b_t + κ))                       (S = lossScale)
//   metric 0, symmetric KL ("JS" of the reference): D = ½KL(p‖p̂) + ½KL(p̂‖p)
//   metric 1, Jensen–Shannon: D = ½KL(p‖μ) + ½KL(p̂‖μ), μ = ½(p + p̂)
//   loss = λ_D·D + λ_2·S·sqrt(ε + Σ(x̃ − x̂)²) + λ_1·S·Σ|x̃ − x̂|
//
// With wantGrad ≠ 0 it also writes gm = gradScale·d loss/d m, the gradient with respect to the
// unnormalised mixture (through x̂ = m/(M + ε) at the argmax), which decoder_backward consumes:
//   gx = gradScale·d loss/d x̂,  gm(t) = gx(t)/(M+ε) − δ_{t = argmax}·Σ_s gx(s)·x̂(s)/(M+ε)
//
// Index mapping: one work-group (WG_SAMPLE work-items) per sample; work-item lid handles t ≡ lid
// (mod WG_SAMPLE); sums are two-stage (per work-item in t order, then group_sum's fixed tree);
// the batch total is summed by the host in sample order.
// Buffers: patterns B×T (max-normalised input), xhat B×Tpad, mixNorm[B], mixArgmax[B],
// parts B×5 (KL(p‖·)·S, KL(p̂‖·)·S, λ_D·D, L2 term, L1 term), gm B×Tpad.
// d D/d p̂_t of the divergence at one grid point (metric 0: symmetric KL, 1: Jensen–Shannon):
//   symmetric KL: ½(−p/(p̂+κ) + log(p̂+κ) − log(p+κ) + p̂/(p̂+κ))
//   Jensen–Shannon (dμ/dp̂ = ½): ½(−½p/(μ+κ) + log(p̂+κ) − log(μ+κ) + p̂/(p̂+κ) − ½p̂/(μ+κ))
inline real divergence_gradient(real p, real ph, real ke, int metric) {
    const real lp = log(p + ke), lph = log(ph + ke);
    if (metric == 0) return 0.5 * (-p / (ph + ke) + lph - lp + ph / (ph + ke));
    const real mu = 0.5 * (p + ph), lm = log(mu + ke);
    return 0.5 * (-0.5 * p / (mu + ke) + (lph - lm) + ph / (ph + ke) - 0.5 * ph / (mu + ke));
}

__kernel void reconstruction_loss(
    const int T, const int Tpad, __global const float* patterns, __global const float* xhat,
    __global const float* mixNorm, __global const int* mixArgmax,
    const int metric, const float divergenceWeight, const float l2Weight, const float l1Weight,
    const float lossScale, const float klEpsilon, const float epsilon, const float gradScale, const int wantGrad,
    __global float* parts, __global float* gm)
{
    __local real scratch[4 * WG_SAMPLE];
    const int b = get_group_id(0), lid = get_local_id(0);
    __global const float* x = patterns + (size_t)b * T;
    __global const float* xh = xhat + (size_t)b * Tpad;
    const real eps = epsilon, ke = klEpsilon, S = lossScale;
    real s[4] = {0, 0, 0, 0};
    for (int t = lid; t < T; t += WG_SAMPLE) {
        const real xv = x[t], hv = xh[t];
        s[0] += xv + eps;
        s[1] += hv + eps;
        const real d = xv - hv;
        s[2] += d * d;
        s[3] += fabs(d);
    }
    group_sum(scratch, s, 4);
    const real zX = s[0] + eps, zH = s[1] + eps, sq = s[2], abs1 = s[3];
    real kl[2] = {0, 0};
    for (int t = lid; t < T; t += WG_SAMPLE) {
        const real p = (x[t] + eps) / zX, ph = (xh[t] + eps) / zH;
        const real lp = log(p + ke), lph = log(ph + ke);
        if (metric == 0) {
            kl[0] += p * (lp - lph);
            kl[1] += ph * (lph - lp);
        } else {
            const real mu = 0.5 * (p + ph), lm = log(mu + ke);
            kl[0] += p * (lp - lm);
            kl[1] += ph * (lph - lm);
        }
    }
    group_sum(scratch, kl, 2);
    const real root = sqrt(eps + sq);
    if (lid == 0) {
        parts[b * 5 + 0] = (float)(S * kl[0]);
        parts[b * 5 + 1] = (float)(S * kl[1]);
        parts[b * 5 + 2] = (float)(divergenceWeight * S * 0.5 * (kl[0] + kl[1]));
        parts[b * 5 + 3] = (float)(l2Weight * S * root);
        parts[b * 5 + 4] = (float)(l1Weight * S * abs1);
    }
    if (!wantGrad) return;
    // d D/d p̂_t, then through p̂ = y/(Y + ε), y = x̂ + ε: dD/dx̂_s = gP_s/zH − Σ_t gP_t·y_t/zH².
    real dotY[1] = {0};
    for (int t = lid; t < T; t += WG_SAMPLE) {
        const real p = (x[t] + eps) / zX, ph = (xh[t] + eps) / zH;
        const real gP = divergence_gradient(p, ph, ke, metric);
        dotY[0] += gP * (xh[t] + eps);
    }
    group_sum(scratch, dotY, 1);
    const real cD = divergenceWeight * S;
    const real cL2 = root > 0 ? l2Weight * S / root : 0;
    const float invM = 1.0f / mixNorm[b];
    __global float* out = gm + (size_t)b * Tpad;
    real dot[1] = {0};
    for (int t = lid; t < T; t += WG_SAMPLE) {
        const real p = (x[t] + eps) / zX, ph = (xh[t] + eps) / zH;
        const real gP = divergence_gradient(p, ph, ke, metric);
        const real d = (real)x[t] - (real)xh[t];
        real gr = cD * (gP / zH - dotY[0] / (zH * zH)) - cL2 * d;
        if (l1Weight > 0) gr += d > 0 ? -l1Weight * S : (d < 0 ? l1Weight * S : 0);
        const float gx = (float)(gr * gradScale);
        dot[0] += gx * xh[t];
        out[t] = gx * invM;
    }
    group_sum(scratch, dot, 1);
    barrier(CLK_GLOBAL_MEM_FENCE);
    if (lid == 0) out[mixArgmax[b]] -= (float)dot[0] * invM;
}
