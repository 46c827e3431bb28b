// Adam over the flat parameter store (CPU specification: Sources/DRNetCore/Solver/AdamOptimizer.swift):
//   m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²,  θ ← θ − r·m/(sqrt(v·c₂) + ε)
// with r = lr/(1 − β₁ᵗ) (× factor for i in [scaledLo, scaledHi)), c₂ = 1/(1 − β₂ᵗ) computed by
// the host. Work-item i updates elements [i·LANES, i·LANES + LANES) (explicit vectors on CPUs);
// element-wise, hence deterministic.
__kernel void adam_update(__global float* theta, __global const float* grad, __global float* m1, __global float* m2,
                          const int n, const float beta1, const float beta2, const float rate, const float invC2,
                          const float eps, const int scaledLo, const int scaledHi, const float factor)
{
    const int i0 = get_global_id(0) * LANES;
    if (i0 >= n) return;
    if (i0 + LANES <= n && (i0 + LANES <= scaledLo || i0 >= scaledHi)) {
        const floatv g = VLOAD(grad + i0);
        const floatv m = beta1 * VLOAD(m1 + i0) + (1.0f - beta1) * g;
        const floatv v = beta2 * VLOAD(m2 + i0) + (1.0f - beta2) * g * g;
        VSTORE(m, m1 + i0);
        VSTORE(v, m2 + i0);
        VSTORE(VLOAD(theta + i0) - rate * m / (sqrt(v * invC2) + eps), theta + i0);
        return;
    }
    for (int i = i0; i < min(i0 + LANES, n); i++) {
        const float g = grad[i];
        const float m = beta1 * m1[i] + (1.0f - beta1) * g;
        const float v = beta2 * m2[i] + (1.0f - beta2) * g * g;
        m1[i] = m;
        m2[i] = v;
        const float r = (i >= scaledLo && i < scaledHi) ? rate * factor : rate;
        theta[i] = theta[i] - r * m / (sqrt(v * invC2) + eps);
    }
}
