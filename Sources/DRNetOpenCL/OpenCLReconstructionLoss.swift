import DRNetCore

/// Host side of `Kernels/reconstruction_loss.cl` (CPU specification: `ReconstructionLoss.swift`):
/// one work-group per sample compares the max-normalised pattern with x̂ (symmetric KL or
/// Jensen–Shannon, L2, L1) and, with gradients, writes d loss/d mixture into `gm` (B×Tpad) for
/// the decoder's backward pass.
extension OpenCLBackend {
    /// Launches the loss over the first `samples` rows of `patterns`/`xhat` (after `mix_phases`).
    func launchReconstructionLoss(samples b: Int, gradScale: Double, wantGradients: Bool) throws(OpenCLError) {
        let r = reconstructionLoss
        try lossKernel.launch(
            [
                .int(T), .int(Tpad), .buffer(patterns), .buffer(xhat),
                .buffer(mixNorm), .buffer(mixArgmax),
                .int(r.metric == .symmetricKL ? 0 : 1), .float(r.divergenceWeight), .float(r.l2Weight), .float(r.l1Weight),
                .float(r.scale), .float(r.klEpsilon), .float(r.epsilon), .float(gradScale), .flag(wantGradients),
                .buffer(parts), .buffer(gm)
            ],
            groups: b, local: configuration.sampleGroup, profile: profile)
    }

    /// The loss parts of the last launch, per sample (B×5 floats: KL(p‖p̂), KL(p̂‖p), the
    /// divergence, L2, L1), as a download enqueued without waiting (`lossParts(from:samples:)`
    /// after the device's next finish).
    func enqueueLossPartsRead(samples b: Int) throws(OpenCLError) -> PendingRead<Float> {
        try parts.readLater(b * 5)
    }

    /// The per-sample loss parts from a completed `enqueueLossPartsRead`.
    func lossParts(from read: PendingRead<Float>, samples b: Int) -> [ReconstructionLoss.Parts] {
        let v = read.values
        return (0..<b).map { i in
            ReconstructionLoss.Parts(
                klForward: Double(v[i * 5]), klReverse: Double(v[i * 5 + 1]),
                divergence: Double(v[i * 5 + 2]), l2: Double(v[i * 5 + 3]), l1: Double(v[i * 5 + 4]))
        }
    }
}
