// Backward of the fitted background (CPU specification: BackgroundBasis.project, called by
// PeakDecoder.backward). Given gm = d loss/d m (B×Tpad, from reconstruction_loss, already through
// the mixture max) and the spline basis φ (C×T):
//
//   gradBg[b·C + c] = Σ_t gm_b(t)·φ_c(t)
//
// Index mapping: one work-group (WG_SAMPLE work-items) per sample; work-item lid sums t ≡ lid
// (mod WG_SAMPLE) for up to four splines at a time, reduced by group_sum's fixed tree.
__kernel void background_backward(
    const int T, const int Tpad, const int C, __global const float* bgBasis, __global const float* gm,
    __global float* gradBg)
{
    __local real scratch[4 * WG_SAMPLE];
    const int b = get_group_id(0), lid = get_local_id(0);
    __global const float* g = gm + (size_t)b * Tpad;
    for (int c0 = 0; c0 < C; c0 += 4) {
        const int n = min(4, C - c0);
        real acc[4] = {0, 0, 0, 0};
        for (int t = lid; t < T; t += WG_SAMPLE) {
            const real gt = g[t];
            for (int i = 0; i < n; i++) acc[i] += gt * bgBasis[(size_t)(c0 + i) * T + t];
        }
        group_sum(scratch, acc, n);
        if (lid == 0) for (int i = 0; i < n; i++) gradBg[b * C + c0 + i] = (float)acc[i];
    }
}
