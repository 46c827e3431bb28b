import CBLAS
import Foundation

/// Row-major SGEMM C = α·A·op(B) + β·C (A: M×K not transposed, or K×M with `transA`; op(B): K×N)
/// split over the cores by blocks of C's N columns, each block one single-threaded OpenBLAS call.
///
/// The dense layers' products have few rows (a minibatch, M ≈ 10) and are bound by streaming
/// the weights; one thread cannot draw the memory bandwidth of a socket, and OpenBLAS's own
/// threads spin against the renderer's `parallelFor` (measured slower). Splitting N gives every
/// core a disjoint slice of the weights and of C; each element of C is the same length-K dot
/// product in every split, and the split depends only on N and the core count, so a run is
/// reproducible on a machine.
enum ParallelGEMM {
    /// Products smaller than this (M·N·K) run in one call: the split would cost more than it saves.
    static let minimumWork = 1 << 20
    /// Column blocks are multiples of this (the SIMD kernels' width).
    static let blockAlignment = 16
    static let cores = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 16))

    static func sgemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let ta = transA ? CblasTrans : CblasNoTrans, tb = transB ? CblasTrans : CblasNoTrans
        let blocks = min(cores, n / blockAlignment)
        guard blocks > 1, m * n * k >= minimumWork else {
            cblas_sgemm(
                CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
            return
        }
        let width = ((n + blocks - 1) / blocks + blockAlignment - 1) / blockAlignment * blockAlignment
        let bp = SharedPointer(b), cp = SharedPointer(c)
        parallelFor((n + width - 1) / width) { block in
            let j0 = block * width, cols = min(width, n - j0)
            // op(B)'s columns j0…: B + j0 (K×N stored), or B's rows j0… (N×K stored, transposed).
            let bSlice = UnsafePointer(transB ? bp + j0 * ldb : bp + j0)
            cblas_sgemm(
                CblasRowMajor, ta, tb, Int32(m), Int32(cols), Int32(k), alpha, a, Int32(lda), bSlice, Int32(ldb), beta,
                cp + j0, Int32(ldc))
        }
    }
}
