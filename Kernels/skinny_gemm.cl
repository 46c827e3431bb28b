// Matrix products of the encoder's dense layers with one short dimension (the minibatch, at most
// `skinnyRows` rows; OpenCLBackend.Configuration), in place of CLBlast's SGEMM (CPU
// specification: Sources/DRNetEngine/Model/DenseNetwork.swift, OpenBLAS SGEMM). All matrices are
// row-major with leading dimensions lda, ldb, ldc (elements); sums run over the long dimension in
// index order in float, so results are deterministic for a device and configuration.
//
// Work-items own LANES consecutive output columns (explicit floatN on CPUs, scalar on GPUs) and
// the batch rows in tiles of GEMM_ROWS: every tile row is computed unconditionally (rows past M
// repeat row M − 1 and are not stored) so that the accumulators stay in registers.

#define GEMM_ROWS 16

// C (M×N) = A (M×K)·B (K×N) + beta·C: the forward product Y = X·W (M = batch).
// Work-item c: columns [c·LANES, c·LANES + LANES) of every row.
__kernel void gemm_rows_nn(const int M, const int N, const int K, __global const float* A, const int aOffset,
                           const int lda, __global const float* B, const int bOffset, const int ldb, const float beta,
                           __global float* C, const int cOffset, const int ldc)
{
    const int j0 = get_global_id(0) * LANES;
    if (j0 >= N) return;
    A += aOffset; B += bOffset; C += cOffset;
    for (int r0 = 0; r0 < M; r0 += GEMM_ROWS) {
        if (j0 + LANES <= N) {
            floatv acc[GEMM_ROWS];
            for (int r = 0; r < GEMM_ROWS; r++) acc[r] = (floatv)(0.0f);
            for (int k = 0; k < K; k++) {
                const floatv b = VLOAD(B + (size_t)k * ldb + j0);
                for (int r = 0; r < GEMM_ROWS; r++) acc[r] += A[(size_t)min(r0 + r, M - 1) * lda + k] * b;
            }
            for (int r = 0; r < GEMM_ROWS && r0 + r < M; r++) {
                __global float* c = C + (size_t)(r0 + r) * ldc + j0;
                VSTORE(beta == 0.0f ? acc[r] : acc[r] + beta * VLOAD(c), c);
            }
        } else {
            for (int j = j0; j < N; j++) {
                for (int r = r0; r < min(r0 + GEMM_ROWS, M); r++) {
                    float acc = 0.0f;
                    for (int k = 0; k < K; k++) acc += A[(size_t)r * lda + k] * B[(size_t)k * ldb + j];
                    __global float* c = C + (size_t)r * ldc + j;
                    *c = beta == 0.0f ? acc : acc + beta * *c;
                }
            }
        }
    }
}

// C (K×N) = Aᵀ·B + beta·C with A (M×K), B (M×N): the weight gradient dW += Xᵀ·Δ (M = batch,
// the short sum). Work-item i: row i / ⌈N/LANES⌉ of C, columns from (i mod ⌈N/LANES⌉)·LANES.
__kernel void gemm_rows_tn(const int M, const int N, const int K, __global const float* A, const int aOffset,
                           const int lda, __global const float* B, const int bOffset, const int ldb, const float beta,
                           __global float* C, const int cOffset, const int ldc)
{
    const int chunks = (N + LANES - 1) / LANES;
    const int i = get_global_id(0);
    if (i >= K * chunks) return;
    const int k = i / chunks, j0 = (i % chunks) * LANES;
    A += aOffset; B += bOffset; C += cOffset;
    __global float* c = C + (size_t)k * ldc + j0;
    if (j0 + LANES <= N) {
        floatv acc = (floatv)(0.0f);
        for (int m = 0; m < M; m++) acc += A[(size_t)m * lda + k] * VLOAD(B + (size_t)m * ldb + j0);
        VSTORE(beta == 0.0f ? acc : acc + beta * VLOAD(c), c);
    } else {
        for (int j = j0; j < N; j++) {
            float acc = 0.0f;
            for (int m = 0; m < M; m++) acc += A[(size_t)m * lda + k] * B[(size_t)m * ldb + j];
            c[j - j0] = beta == 0.0f ? acc : acc + beta * c[j - j0];
        }
    }
}

// C (M×K) = A (M×N)·Bᵀ + beta·C with B (K×N): the input gradient Δ_prev = Δ·Wᵀ (M = batch).
// Work-item k: column k of C for every row, a dot product along row k of B (LANES at a time).
__kernel void gemm_rows_nt(const int M, const int N, const int K, __global const float* A, const int aOffset,
                           const int lda, __global const float* B, const int bOffset, const int ldb, const float beta,
                           __global float* C, const int cOffset, const int ldc)
{
    const int k = get_global_id(0);
    if (k >= K) return;
    A += aOffset; B += bOffset; C += cOffset;
    __global const float* brow = B + (size_t)k * ldb;
    const int vectorEnd = (N / LANES) * LANES;
    for (int r0 = 0; r0 < M; r0 += GEMM_ROWS) {
        floatv acc[GEMM_ROWS];
        for (int r = 0; r < GEMM_ROWS; r++) acc[r] = (floatv)(0.0f);
        for (int j = 0; j < vectorEnd; j += LANES) {
            const floatv b = VLOAD(brow + j);
            for (int r = 0; r < GEMM_ROWS; r++) acc[r] += VLOAD(A + (size_t)min(r0 + r, M - 1) * lda + j) * b;
        }
        for (int r = 0; r < GEMM_ROWS && r0 + r < M; r++) {
            float s = HSUM(acc[r]);
            for (int j = vectorEnd; j < N; j++) s += A[(size_t)(r0 + r) * lda + j] * brow[j];
            __global float* c = C + (size_t)(r0 + r) * ldc + k;
            *c = beta == 0.0f ? s : s + beta * *c;
        }
    }
}
