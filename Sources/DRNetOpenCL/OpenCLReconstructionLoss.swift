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

    /// The loss parts of the last launch, per sample (reads B×5 floats: KL(p‖p̂), KL(p̂‖p), the
    /// divergence, L2, L1).
    func readLossParts(samples b: Int) throws(OpenCLError) -> [ReconstructionLoss.Parts] {
        let v = try parts.read(b * 5)
        return (0..<b).map { i in
            ReconstructionLoss.Parts(
                klForward: Double(v[i * 5]), klReverse: Double(v[i * 5 + 1]),
                divergence: Double(v[i * 5 + 2]), l2: Double(v[i * 5 + 3]), l1: Double(v[i * 5 + 4]))
        }
    }
}
