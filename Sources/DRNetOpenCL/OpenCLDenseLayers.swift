import CCLBlast
import COpenCL
import DRNetCore

/// Host side of `Kernels/dense_layers.cl` (CPU specification: `DenseNetwork.swift`,
/// `AmortisedEncoder.swift`): the encoder's dense layers on the stored θ — CLBlast SGEMMs for the
/// matrix products, our kernels for bias + ReLU, the bias gradient and the ReLU backward — and
/// the row gathers / gradient scatters of free per-sample latents.
///
/// Activations stay on the device between `denseForward` and `denseBackward`, one buffer per
/// layer and network (keyed by the network's parameter offset), B×width row-major.
extension OpenCLBackend {
    /// C = op(A)·op(B) (+ β·C), row-major, through CLBlast on the device queue.
    func sgemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, a: DeviceBuffer<Float>, aOffset: Int, lda: Int,
        b: DeviceBuffer<Float>, bOffset: Int, ldb: Int, beta: Float,
        c: DeviceBuffer<Float>, cOffset: Int, ldc: Int
    ) throws(OpenCLError) {
        var queue: cl_command_queue? = device.queue
        var event: cl_event?
        let wantEvent = profile != nil
        let ta = transA ? CLBlastTransposeYes : CLBlastTransposeNo, tb = transB ? CLBlastTransposeYes : CLBlastTransposeNo
        device.operations.kernelLaunches += 1
        let status =
            wantEvent
            ? CLBlastSgemm(
                CLBlastLayoutRowMajor, ta, tb, m, n, k, 1, a.mem, aOffset, lda, b.mem, bOffset, ldb, beta,
                c.mem, cOffset, ldc, &queue, &event)
            : CLBlastSgemm(
                CLBlastLayoutRowMajor, ta, tb, m, n, k, 1, a.mem, aOffset, lda, b.mem, bOffset, ldb, beta,
                c.mem, cOffset, ldc, &queue, nil)
        if status.rawValue != 0 { throw .clblast("SGEMM \(m)×\(n)×\(k)", Int32(status.rawValue)) }
        if let event, let profile { profile.record("clblast_sgemm", event) }
    }

    public func denseForward(_ network: DenseNetwork, input: [Float], batch: Int) -> [Float] {
        guarded([Float](repeating: 0, count: batch * network.outputWidth)) { () throws(OpenCLError) in
            var acts = activations[network.offset] ?? []
            if acts.count != network.widths.count {
                acts = []
                for w in network.widths { acts.append(try DeviceBuffer<Float>(device, count: max(batch, 16) * w)) }
                activations[network.offset] = acts
            }
            for (l, w) in network.widths.enumerated() { try acts[l].reserve(batch * w) }
            activationBatch[network.offset] = batch
            try acts[0].write(input)
            for l in 0..<network.layerCount {
                let n = network.widths[l], m = network.widths[l + 1]
                try sgemm(
                    transA: false, transB: false, m: batch, n: m, k: n, a: acts[l], aOffset: 0, lda: n,
                    b: theta, bOffset: network.weightOffsets[l], ldb: m, beta: 0, c: acts[l + 1], cOffset: 0, ldc: m)
                try biasReluKernel.launch(
                    [
                        .buffer(acts[l + 1]), .buffer(theta), .int(network.biasOffsets[l]),
                        .int(m), .int(batch * m), .flag(l < network.layerCount - 1)
                    ],
                    groups: elementGroups(batch * m), local: configuration.elementGroup, profile: profile)
            }
            let out = try acts[network.layerCount].read(batch * network.outputWidth)
            profile?.drain()
            return out
        }
    }

    public func denseBackward(_ network: DenseNetwork, outputGradient: [Float], batch: Int) {
        guarded(()) { () throws(OpenCLError) in
            guard let acts = activations[network.offset], activationBatch[network.offset] == batch else {
                preconditionFailure("denseBackward without a matching denseForward")
            }
            var delta = deltaA, spare = deltaB
            try delta.write(outputGradient)
            for l in stride(from: network.layerCount - 1, through: 0, by: -1) {
                let n = network.widths[l], m = network.widths[l + 1]
                // dW += Xᵀ·Δ (n×m), db += Σ_rows Δ
                try sgemm(
                    transA: true, transB: false, m: n, n: m, k: batch, a: acts[l], aOffset: 0, lda: n,
                    b: delta, bOffset: 0, ldb: m, beta: 1, c: grad, cOffset: network.weightOffsets[l], ldc: m)
                try biasGradKernel.launch(
                    [.buffer(delta), .int(m), .int(batch), .buffer(grad), .int(network.biasOffsets[l])],
                    groups: elementGroups(m), local: configuration.elementGroup, profile: profile)
                if l == 0 { break }
                // Δ_prev = Δ·Wᵀ (B×n), through the ReLU of layer l−1's output.
                try spare.reserve(batch * n)
                try sgemm(
                    transA: false, transB: true, m: batch, n: n, k: m, a: delta, aOffset: 0, lda: m,
                    b: theta, bOffset: network.weightOffsets[l], ldb: m, beta: 0, c: spare, cOffset: 0, ldc: n)
                try reluBackKernel.launch(
                    [.buffer(spare), .buffer(acts[l]), .int(batch * n)],
                    groups: elementGroups(batch * n), local: configuration.elementGroup, profile: profile)
                swap(&delta, &spare)
            }
        }
    }

    public func gatherParameters(rows: [Int], width: Int) -> [Float] {
        guarded([Float](repeating: 0, count: rows.count * width)) { () throws(OpenCLError) in
            if rows.count == 1 { return try theta.read(width, at: rows[0]) }
            try rowsBuf.write(rows.map { Int32($0) })
            try rowsOut.reserve(rows.count * width)
            try gatherKernel.launch(
                [.buffer(theta), .buffer(rowsBuf), .int(width), .int(rows.count), .buffer(rowsOut)],
                groups: elementGroups(rows.count * width), local: configuration.elementGroup, profile: profile)
            return try rowsOut.read(rows.count * width)
        }
    }

    public func addToGradient(rows: [Int], width: Int, values: [Float]) {
        guarded(()) { () throws(OpenCLError) in
            try rowsBuf.write(rows.map { Int32($0) })
            try rowsOut.write(values)
            try scatterKernel.launch(
                [.buffer(grad), .buffer(rowsBuf), .int(width), .int(rows.count), .buffer(rowsOut)],
                groups: elementGroups(rows.count * width), local: configuration.elementGroup, profile: profile)
        }
    }
}
