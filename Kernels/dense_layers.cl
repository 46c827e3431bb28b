// Element-wise parts of the encoder MLPs (method.md §3 "Encoder"; CPU specification:
// Sources/DRNetCore/Model/DenseNetwork.swift) around CLBlast's SGEMMs, and the row gathers /
// scatters of free per-sample latents. θ and g are the parameter store's flat buffers; layer
// offsets index into them. One work-item per element unless stated.

// Y (batch×width, row-major) ← Y + b (b = θ[biasOffset ..< +width]), then ReLU when relu ≠ 0.
__kernel void add_bias_relu(__global float* y, __global const float* theta, const int biasOffset,
                            const int width, const int count, const int relu)
{
    const int i = get_global_id(0);
    if (i >= count) return;
    float v = y[i] + theta[biasOffset + i % width];
    if (relu && v < 0.0f) v = 0.0f;
    y[i] = v;
}

// g[biasOffset + c] += Σ_r Δ[r, c] over the batch rows in order (one work-item per column c).
__kernel void bias_gradient(__global const float* delta, const int width, const int batch,
                            __global float* grad, const int biasOffset)
{
    const int c = get_global_id(0);
    if (c >= width) return;
    float acc = grad[biasOffset + c];
    for (int r = 0; r < batch; r++) acc += delta[r * width + c];
    grad[biasOffset + c] = acc;
}

// Δ ← Δ where the layer's output was positive, else 0 (ReLU backward; count = batch×width).
__kernel void relu_backward(__global float* delta, __global const float* activation, const int count)
{
    const int i = get_global_id(0);
    if (i >= count) return;
    if (activation[i] <= 0.0f) delta[i] = 0.0f;
}

// out[i·width + c] = θ[rows[i] + c] (rows×width).
__kernel void gather_rows(__global const float* theta, __global const int* rows, const int width, const int count,
                          __global float* out)
{
    const int i = get_global_id(0);
    if (i >= count * width) return;
    out[i] = theta[rows[i / width] + i % width];
}

// g[rows[i] + c] += values[i·width + c]; rows do not overlap (the host merges repeats).
__kernel void scatter_add_rows(__global float* grad, __global const int* rows, const int width, const int count,
                               __global const float* values)
{
    const int i = get_global_id(0);
    if (i >= count * width) return;
    grad[rows[i / width] + i % width] += values[i];
}
