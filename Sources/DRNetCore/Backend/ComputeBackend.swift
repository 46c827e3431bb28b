/// The seam between the DRNet (latents, constraint terms, schedule, refine) and the hardware
/// that runs its heavy operations. Narrow, at the level of our operations (design.md): the
/// batched peak decoder with the reconstruction loss and its gradient, row-major SGEMM for the
/// encoder MLPs, and the Adam update. `CPUBackend` is the specification; an OpenCL conformance
/// implements the same contract with kernels from `Kernels/`.
public protocol ComputeBackend: AnyObject {
    /// Human-readable device name (recorded in solutions and benchmarks).
    var deviceName: String { get }

    /// For every sample b of the batch: render the phases `phases[b]` with shifts s, log-variances
    /// v and fractions w (rows of P), optional intensity factors (P×n_max per sample) and the
    /// fattening f; evaluate the reconstruction loss against `patterns` (B×T, max-normalised);
    /// with `gradients`, write gradScale·d loss/d(w, s, v, IS, f) into `result`.
    func decodeAndReconstruct(_ batch: DecoderBatch, wantGradients: Bool, gradScale: Double) -> DecoderBatchResult

    /// The rendered workspace of batch position b after the last `decodeAndReconstruct`
    /// (phase patterns, mixture and reconstruction), read by export and tests.
    func renderedSample(_ b: Int) -> SampleRender

    /// C = α·op(A)·op(B) + β·C, row-major, op = transpose when the flag is set.
    func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
              a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float,
              c: UnsafeMutablePointer<Float>, ldc: Int)

    /// One Adam update of `params` by `grads` with the optimiser's state and hyper-parameters;
    /// parameters in `scaled.range` move at learning rate × `scaled.factor`.
    func adamStep(_ optimiser: AdamOptimizer, params: UnsafeMutablePointer<Float>, grads: UnsafePointer<Float>,
                  scaled: (range: Range<Int>, factor: Float)?)
}

/// Inputs of one batched decoder + loss evaluation. Matrices are row-major: B×P latents,
/// B×T patterns, B×(P·n_max) intensity factors (empty when unused).
public struct DecoderBatch {
    public var phases: [[Int32]]
    public var fractions: [Float]
    public var shifts: [Float]
    public var logVariances: [Float]
    public var intensityFactors: [Float]
    public var fattening: Float
    public var patterns: [Float]
    public var count: Int { phases.count }
}

/// Outputs of `decodeAndReconstruct`: loss parts per sample and, with gradients, d loss / d
/// latents (B×P), d loss / d intensity factors (B×P·n_max) and d loss / d f per sample.
public struct DecoderBatchResult {
    public var parts: [ReconstructionLoss.Parts]
    public var gradFractions: [Float]
    public var gradShifts: [Float]
    public var gradLogVariances: [Float]
    public var gradIntensityFactors: [Float]
    public var gradFattening: [Float]
}
