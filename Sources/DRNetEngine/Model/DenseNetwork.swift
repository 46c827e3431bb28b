import CBLAS
import Foundation

/// A multilayer perceptron y = W_L·relu(…relu(W_1·x + b_1)…) + b_L with ReLU hidden layers and a
/// linear output (method.md §3, "Encoder"). Parameters live in a caller-owned flat buffer (so
/// the optimiser updates every network with one loop); this type knows only their offsets.
///
/// Layer l maps `widths[l]` → `widths[l+1]`; its weight is stored in×out row-major (so a batch
/// X, B×in row-major, gives Y = X·W + b with one GEMM), followed by its bias (out).
/// `forward`/`backward` here are the CPU reference (OpenBLAS); a backend runs them through
/// `ComputeBackend.denseForward`/`denseBackward` on its own parameter store.
public struct DenseNetwork: Sendable {
    public let widths: [Int]
    /// Offset of this network's first parameter in the shared buffer.
    public let offset: Int
    public let weightOffsets: [Int]
    public let biasOffsets: [Int]
    public let parameterCount: Int

    public init(widths: [Int], offset: Int) {
        precondition(widths.count >= 2 && widths.allSatisfy { $0 > 0 })
        self.widths = widths
        self.offset = offset
        var w: [Int] = [], b: [Int] = [], at = offset
        for l in 0..<(widths.count - 1) {
            w.append(at); at += widths[l] * widths[l + 1]
            b.append(at); at += widths[l + 1]
        }
        weightOffsets = w
        biasOffsets = b
        parameterCount = at - offset
    }

    public var layerCount: Int { widths.count - 1 }
    public var inputWidth: Int { widths[0] }
    public var outputWidth: Int { widths[widths.count - 1] }

    /// Xavier-uniform weights U(−√(6/(in+out)), +√(6/(in+out))), zero biases (the reference's init).
    public func initialise(_ params: UnsafeMutablePointer<Float>, rng: inout some RandomNumberGenerator) {
        for l in 0..<layerCount {
            let fanIn = widths[l], fanOut = widths[l + 1]
            let limit = Float((6.0 / Double(fanIn + fanOut)).squareRoot())
            let w = params + weightOffsets[l]
            for i in 0..<(fanIn * fanOut) { w[i] = Float.random(in: -limit...limit, using: &rng) }
            let b = params + biasOffsets[l]
            for i in 0..<fanOut { b[i] = 0 }
        }
    }

    /// Activations kept by the forward pass for the backward pass: acts[0] = input (B×in),
    /// acts[l+1] = output of layer l (after ReLU for hidden layers).
    public final class Activations: @unchecked Sendable {
        public var batch = 0
        public var acts: [[Float]] = []
        public init() {}
        public var output: [Float] { acts.last ?? [] }
    }

    /// Forward pass for a batch of `batch` rows of `input` (B×in).
    public func forward(_ params: UnsafePointer<Float>, input: [Float], batch: Int, into a: Activations) {
        a.batch = batch
        if a.acts.count != widths.count { a.acts = widths.map { [Float](repeating: 0, count: $0 * batch) } }
        for l in 0..<widths.count where a.acts[l].count != widths[l] * batch {
            a.acts[l] = [Float](repeating: 0, count: widths[l] * batch)
        }
        a.acts[0] = input
        for l in 0..<layerCount {
            let n = widths[l], m = widths[l + 1]
            let bias = params + biasOffsets[l]
            let xin = a.acts[l]
            a.acts[l + 1].withUnsafeMutableBufferPointer { y in
                // Y = broadcast(b); Y += X·W
                for r in 0..<batch { for c in 0..<m { y[r * m + c] = bias[c] } }
                xin.withUnsafeBufferPointer { x in
                    ParallelGEMM.sgemm(
                        transA: false, transB: false, m: batch, n: m, k: n, alpha: 1, a: x.baseAddress!, lda: n,
                        b: params + weightOffsets[l], ldb: m, beta: 1, c: y.baseAddress!, ldc: m)
                }
                if l < layerCount - 1 { for i in 0..<(batch * m) where y[i] < 0 { y[i] = 0 } }
            }
        }
    }

    /// Backward pass: given dL/dY (B×out) of the last forward, ACCUMULATES dL/dparams into
    /// `grads` (same layout as params) — or, with `overwrite`, writes them (the network's part of
    /// `grads` need not be zeroed first: the weight products run with β = 0). Returns dL/dinput
    /// only if `wantInputGradient`.
    @discardableResult
    public func backward(
        _ params: UnsafePointer<Float>, activations a: Activations, outputGradient: [Float],
        grads: UnsafeMutablePointer<Float>, wantInputGradient: Bool = false, overwrite: Bool = false
    ) -> [Float] {
        let batch = a.batch
        var delta = outputGradient
        for l in stride(from: layerCount - 1, through: 0, by: -1) {
            let n = widths[l], m = widths[l + 1]
            // dW += Xᵀ·Δ (n×m), db += Σ_rows Δ
            a.acts[l].withUnsafeBufferPointer { x in
                delta.withUnsafeBufferPointer { d in
                    ParallelGEMM.sgemm(
                        transA: true, transB: false, m: n, n: m, k: batch, alpha: 1, a: x.baseAddress!, lda: n,
                        b: d.baseAddress!, ldb: m, beta: overwrite ? 0 : 1, c: grads + weightOffsets[l], ldc: m)
                }
            }
            let gb = grads + biasOffsets[l]
            if overwrite { for c in 0..<m { gb[c] = 0 } }
            for r in 0..<batch { for c in 0..<m { gb[c] += delta[r * m + c] } }
            if l == 0 && !wantInputGradient { break }
            // Δ_prev = Δ·Wᵀ (B×n), then through the ReLU of layer l−1's output.
            var prev = [Float](repeating: 0, count: batch * n)
            delta.withUnsafeBufferPointer { d in
                prev.withUnsafeMutableBufferPointer { pv in
                    ParallelGEMM.sgemm(
                        transA: false, transB: true, m: batch, n: n, k: m, alpha: 1, a: d.baseAddress!, lda: m,
                        b: params + weightOffsets[l], ldb: m, beta: 0, c: pv.baseAddress!, ldc: n)
                }
            }
            if l > 0 {
                let act = a.acts[l]
                for i in 0..<(batch * n) where act[i] <= 0 { prev[i] = 0 }
            }
            delta = prev
        }
        return wantInputGradient ? delta : []
    }
}
