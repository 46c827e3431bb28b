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
    /// C = op(A)·op(B) (+ β·C), row-major (C m×n, sum over k), on the device queue: our
    /// `skinny_gemm.cl` kernels when the batch dimension (m, or k for Aᵀ·B) is at most
    /// `configuration.skinnyRows`, else CLBlast's SGEMM.
    func sgemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, a: DeviceBuffer<Float>, aOffset: Int, lda: Int,
        b: DeviceBuffer<Float>, bOffset: Int, ldb: Int, beta: Float,
        c: DeviceBuffer<Float>, cOffset: Int, ldc: Int
    ) throws(OpenCLError) {
        let short = transA ? k : m
        if configuration.skinnyRows > 0, short <= configuration.skinnyRows, !(transA && transB), m > 0, n > 0 {
            let lanes = configuration.lanes, chunks = (n + lanes - 1) / lanes
            // Kernel arguments (M, N, K) as each kernel's formula names them.
            let (kernel, dims, items): (Kernel, (Int, Int, Int), Int) =
                transA
                ? (gemmTNKernel, (k, n, m), m * chunks)
                : (transB ? (gemmNTKernel, (m, k, n), n) : (gemmNNKernel, (m, n, k), chunks))
            let group = configuration.gemmGroup
            try kernel.launch(
                [
                    .int(dims.0), .int(dims.1), .int(dims.2), .buffer(a), .int(aOffset), .int(lda), .buffer(b), .int(bOffset),
                    .int(ldb), .float(beta), .buffer(c), .int(cOffset), .int(ldc)
                ],
                groups: (items + group - 1) / group, local: group, profile: profile)
            return
        }
        try clblastSgemm(
            transA: transA, transB: transB, m: m, n: n, k: k, a: a, aOffset: aOffset, lda: lda, b: b, bOffset: bOffset,
            ldb: ldb, beta: beta, c: c, cOffset: cOffset, ldc: ldc)
    }

    /// C = op(A)·op(B) (+ β·C), row-major, through CLBlast on the device queue.
    func clblastSgemm(
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
            let acts = try activationBuffers(network, batch: batch, sharedInput: nil)
            try acts[0].write(input)
            try enqueueLayers(network, acts, batch: batch)
            let out = try acts[network.layerCount].read(batch * network.outputWidth)
            profile?.drain()
            return out
        }
    }

    /// The forward pass of the seam in one host synchronisation: X is uploaded once into
    /// `passInput` (or gathered there from the held patterns when `inputRows` are given), which
    /// every network of the pass reads as its layer-0 activation; the
    /// networks' outputs and the gathered θ rows are downloads enqueued behind the kernels and
    /// completed by one finish.
    public func forwardPass(
        networks: [DenseNetwork], input: [Float], inputRows: [Int32], batch: Int, gathers: [ParameterRows]
    ) -> ForwardPassOutputs {
        let fallback = ForwardPassOutputs(
            outputs: networks.map { [Float](repeating: 0, count: batch * $0.outputWidth) },
            gathered: gathers.map { [Float](repeating: 0, count: $0.rows.count * $0.width) })
        return guarded(fallback) { () throws(OpenCLError) in
            var outputReads: [PendingRead<Float>] = []
            if !networks.isEmpty {
                if !(try gatherHeldPatterns(rows: inputRows, into: passInput)) {
                    try passInput.reserve(input.count)
                    try passInput.write(input)
                }
                for network in networks {
                    let acts = try activationBuffers(network, batch: batch, sharedInput: passInput)
                    try enqueueLayers(network, acts, batch: batch)
                    outputReads.append(try acts[network.layerCount].readLater(batch * network.outputWidth))
                }
            }
            var gatherReads: [PendingRead<Float>] = []
            for request in gathers { gatherReads.append(try enqueueGather(rows: request.rows, width: request.width)) }
            try device.finish()
            profile?.drain()
            return ForwardPassOutputs(outputs: outputReads.map(\.values), gathered: gatherReads.map(\.values))
        }
    }

    /// The activation buffers of `network` for a batch (acts[0] = input, acts[l] = layer l's
    /// output, B×width each), kept for `denseBackward`. With `sharedInput`, acts[0] is that buffer
    /// (a forward pass's common X); otherwise the network's own.
    private func activationBuffers(_ network: DenseNetwork, batch: Int, sharedInput: DeviceBuffer<Float>?) throws(OpenCLError)
        -> [DeviceBuffer<Float>]
    {
        var acts = activations[network.offset] ?? []
        if acts.count != network.widths.count {
            acts = []
            for w in network.widths { acts.append(try DeviceBuffer<Float>(device, count: max(batch, 16) * w)) }
        }
        if let sharedInput {
            acts[0] = sharedInput
        } else if acts[0] === passInput {
            acts[0] = try DeviceBuffer<Float>(device, count: max(batch, 16) * network.widths[0])
        }
        for (l, w) in network.widths.enumerated() where l > 0 || sharedInput == nil { try acts[l].reserve(batch * w) }
        activations[network.offset] = acts
        activationBatch[network.offset] = batch
        return acts
    }

    /// Enqueues Y = relu(…relu(X·W₁ + b₁)…)·W_L + b_L from acts[0] into acts[L].
    private func enqueueLayers(_ network: DenseNetwork, _ acts: [DeviceBuffer<Float>], batch: Int) throws(OpenCLError) {
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
    }

    /// Enqueues θ[r ..< r + width] for every r in `rows` (one range: a direct download; several:
    /// `gather_rows` into `rowsOut`, then its download). Later gathers may reuse `rowsBuf` and
    /// `rowsOut`: the queue is in order, so each download runs before the next gather.
    private func enqueueGather(rows: [Int], width: Int) throws(OpenCLError) -> PendingRead<Float> {
        if rows.count == 1 { return try theta.readLater(width, at: rows[0]) }
        try enqueueGatherRows(from: theta, offsets: rows.map { Int32($0) }, width: width, into: rowsOut)
        return try rowsOut.readLater(rows.count * width)
    }

    /// Enqueues out[i·width + c] = source[offsets[i] + c] (`gather_rows`; the offsets go up
    /// through `rowsBuf`): θ rows for the latents, held pattern rows for a batch.
    func enqueueGatherRows(from source: DeviceBuffer<Float>, offsets: [Int32], width: Int, into out: DeviceBuffer<Float>)
        throws(OpenCLError)
    {
        try rowsBuf.write(offsets)
        try out.reserve(offsets.count * width)
        try gatherKernel.launch(
            [.buffer(source), .buffer(rowsBuf), .int(width), .int(offsets.count), .buffer(out)],
            groups: elementGroups(offsets.count * width), local: configuration.elementGroup, profile: profile)
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
            let pending = try enqueueGather(rows: rows, width: width)
            try device.finish()
            return pending.values
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
