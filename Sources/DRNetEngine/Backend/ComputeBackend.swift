/// The seam between the DRNet (latents, constraint terms, schedule, refine) and the hardware
/// that runs its heavy operations. Narrow, at the level of our operations (design.md):
///
/// - the batched peak decoder with the reconstruction loss and its gradient;
/// - a parameter store: the model's flat parameter vector θ, its gradient g and the Adam moments
///   live where the backend computes (device memory for OpenCL) for the whole run;
/// - the encoder's dense layers, run on the stored parameters (GEMM + bias + ReLU and back);
/// - row gathers / gradient scatters for free per-sample latents;
/// - the Adam update.
///
/// Per training step only the minibatch's patterns (B×T) go in and the head outputs and their
/// gradients (B×P each, for the host-side constraint terms) and the loss parts cross the seam;
/// θ, g and the moments cross only on `loadParameters` / `parameterValues` (switch of model,
/// checkpoint, export). `CPUBackend` is the specification; `OpenCLBackend` (DRNetOpenCL)
/// implements the same contract with the kernels in `Kernels/`.
public protocol ComputeBackend: AnyObject {
    /// Human-readable device name (recorded in solutions and benchmarks).
    var deviceName: String { get }

    /// The first device error of the run, if any (an OpenCL call that failed mid-run). Results
    /// computed after it are not valid; the solver stops and reports it.
    var failure: (any Error)? { get }

    /// For every sample b of the batch: render the phases `phases[b]` with shifts s, log-variances
    /// v and fractions w (rows of P), optional intensity factors (P×n_max per sample) and the
    /// fattening f, the background coefficients β (B×C, when the decoder fits a background) and
    /// the phases' pseudo-Voigt mixing η (P values, when given) and the samples' instrument
    /// offsets (B×2: z, δ in radians, when given and the decoder has a wavenumber); evaluate the
    /// reconstruction loss against `patterns` (B×T, max-normalised); with `gradients`, write
    /// gradScale·d loss/d(w, s, v, IS, f, β, η, z, δ) into `result`.
    func decodeAndReconstruct(_ batch: DecoderBatch, wantGradients: Bool, gradScale: Double) -> DecoderBatchResult

    /// The decoder state of batch position b after the last `decodeAndReconstruct` (rendered
    /// phase rows, mixture, reconstruction), copied out as a value; diagnostics and tests.
    func renderedSample(_ b: Int) -> RenderedSample

    /// Each of `phases`' contribution to batch position b's reconstruction after the last
    /// `decodeAndReconstruct`, K×T row-major (K = phases.count):
    ///
    ///     c_k(q_t) = w_k·B_k(q_t) / (M + ε),   w = `fractions` (P values of the sample)
    ///
    /// zero rows for phases with w_k = 0 or not rendered. The export pass's operation: only the
    /// K rows cross the seam.
    func phaseContributions(_ b: Int, phases: [Int], fractions: ArraySlice<Float>) -> [Float]

    /// The fitted background's contribution to batch position b's reconstruction after the last
    /// `decodeAndReconstruct`: b(q_t)/(M + ε), T values (zeros without a background).
    func backgroundContribution(_ b: Int) -> [Float]

    /// x̂ of batch position b (T values) after the last `decodeAndReconstruct`.
    func reconstruction(_ b: Int) -> [Float]

    // MARK: Parameter store

    /// Replaces θ by `values`, zeroes g, and binds `optimiser` (hyper-parameters, step count and
    /// moments: its `firstMoment`/`secondMoment` are copied in).
    func loadParameters(_ values: [Float], optimiser: AdamOptimizer)
    /// θ as it is now (copied out of the store).
    func parameterValues() -> [Float]
    /// The Adam moments as they are now (copied out; checkpoints).
    func optimiserMoments() -> (first: [Float], second: [Float])
    /// g as it is now (copied out; agreement tests compare gradients before the optimiser).
    func parameterGradient() -> [Float]
    /// g ← 0.
    func zeroGradient()
    /// Y = relu(…relu(X·W₁ + b₁)…)·W_L + b_L of `network` on the stored θ for a batch X
    /// (B×in row-major); keeps the activations for `denseBackward`. Returns Y (B×out).
    func denseForward(_ network: DenseNetwork, input: [Float], batch: Int) -> [Float]
    /// g += d loss/d θ of `network` given d loss/d Y (B×out) of its last `denseForward`.
    func denseBackward(_ network: DenseNetwork, outputGradient: [Float], batch: Int)
    /// θ[r ..< r + width] for every r in `rows`, concatenated (|rows|·width values).
    func gatherParameters(rows: [Int], width: Int) -> [Float]
    /// One model forward pass: every network of `networks` on the same input X (B×in row-major,
    /// kept for `denseBackward`) and the θ rows of each request of `gathers`. Returns the
    /// networks' outputs (B×out each, in order) and the gathered values (|rows|·width each, in
    /// order): the values of `denseForward` per network and `gatherParameters` per request. A
    /// device backend uploads X once (or, when `inputRows` names X's rows of the held patterns,
    /// gathers it where it is) and brings every result back in one host synchronisation.
    func forwardPass(
        networks: [DenseNetwork], input: [Float], inputRows: [Int32], batch: Int, gathers: [ParameterRows]
    ) -> ForwardPassOutputs

    /// Keeps the library's max-normalised patterns (N×`width` row-major) where the backend
    /// computes, for the whole run: a `DecoderBatch` whose `patternRows` are given (and a forward
    /// pass whose `inputRows` are) reads them there instead of uploading its copy. The CPU path
    /// reads the batch's own copy (the same values) and ignores this. Returns where the patterns
    /// are for the run: a device that cannot keep them (too large for its memory or its largest
    /// buffer) says why and uploads each batch's rows instead, with the same results.
    @discardableResult func holdPatterns(_ patterns: [Float], width: Int) -> PatternResidency
    /// g[r ..< r + width] += values[i·width ..< (i+1)·width] for the i-th r of `rows`; rows
    /// must not overlap (callers merge repeated samples first).
    func addToGradient(rows: [Int], width: Int, values: [Float])
    /// One Adam step of θ by g with the bound optimiser (its step count advances); parameters in
    /// `scaled.range` move at learning rate × `scaled.factor`.
    func adamStep(scaled: (range: Range<Int>, factor: Float)?)

    /// Waits until every enqueued operation has finished (a no-op for synchronous backends);
    /// called once per training step so that step timings are honest.
    func synchronise()

    // MARK: Profiling (benchmarks)

    /// Starts recording the device time of every kernel launched from now on (backends with
    /// kernels and a profiling queue; a no-op elsewhere).
    func startKernelTiming()
    /// Stops recording and returns the device seconds per kernel name since `startKernelTiming`
    /// (empty for backends without kernels).
    func stopKernelTiming() -> [String: Double]

    /// Device operations so far (kernel launches, host synchronisations, bytes each way), for
    /// backends with a device queue; nil on the CPU path (no host–device boundary).
    var deviceOperations: DeviceTraffic? { get }
}

/// What a device backend's queue has done so far: kernel launches, host synchronisations
/// (blocking reads and finishes: the host waits for the device) and the bytes moved each way.
public struct DeviceTraffic: Sendable, Equatable {
    public var kernelLaunches: Int
    public var hostSynchronisations: Int
    public var uploadBytes: Int
    public var downloadBytes: Int
    public init(kernelLaunches: Int, hostSynchronisations: Int, uploadBytes: Int, downloadBytes: Int) {
        self.kernelLaunches = kernelLaunches
        self.hostSynchronisations = hostSynchronisations
        self.uploadBytes = uploadBytes
        self.downloadBytes = downloadBytes
    }

    /// What happened since `earlier`: every count minus `earlier`'s.
    public func since(_ earlier: DeviceTraffic) -> DeviceTraffic {
        DeviceTraffic(
            kernelLaunches: kernelLaunches - earlier.kernelLaunches,
            hostSynchronisations: hostSynchronisations - earlier.hostSynchronisations,
            uploadBytes: uploadBytes - earlier.uploadBytes, downloadBytes: downloadBytes - earlier.downloadBytes)
    }
}

/// θ rows that a forward pass reads: θ[r ..< r + width] for every r in `rows`.
public struct ParameterRows: Sendable {
    public var rows: [Int]
    public var width: Int
    public init(rows: [Int], width: Int) {
        self.rows = rows
        self.width = width
    }
}

/// What `forwardPass` returns: each network's output (B×out) and each request's gathered rows.
public struct ForwardPassOutputs: Sendable {
    public var outputs: [[Float]]
    public var gathered: [[Float]]
    public init(outputs: [[Float]], gathered: [[Float]]) {
        self.outputs = outputs
        self.gathered = gathered
    }
}

extension ComputeBackend {
    /// The specification of `forwardPass`: one `denseForward` per network, one
    /// `gatherParameters` per request (the CPU path, where nothing crosses a bus).
    public func forwardPass(
        networks: [DenseNetwork], input: [Float], inputRows: [Int32], batch: Int, gathers: [ParameterRows]
    ) -> ForwardPassOutputs {
        ForwardPassOutputs(
            outputs: networks.map { denseForward($0, input: input, batch: batch) },
            gathered: gathers.map { gatherParameters(rows: $0.rows, width: $0.width) })
    }

    @discardableResult public func holdPatterns(_ patterns: [Float], width: Int) -> PatternResidency { .batchCopies }
    public var failure: (any Error)? { nil }
    public func synchronise() {}
    public func startKernelTiming() {}
    public func stopKernelTiming() -> [String: Double] { [:] }
    public var deviceOperations: DeviceTraffic? { nil }
}

/// Where a run's library patterns live (`ComputeBackend.holdPatterns`).
public enum PatternResidency: Equatable, Sendable {
    /// The backend reads each batch's own copy (the CPU path: nothing crosses a bus).
    case batchCopies
    /// Resident on the device for the whole run; batches pass sample indices.
    case resident
    /// Not resident: every batch uploads its B×T rows (the same results, more traffic); `reason`
    /// says why (e.g. the patterns exceed the device's largest buffer).
    case uploadedPerBatch(reason: String)
}

/// Inputs of one batched decoder + loss evaluation. Matrices are row-major: B×P latents,
/// B×T patterns, B×(P·n_max) intensity factors and B×C background coefficients, and the P
/// pseudo-Voigt mixings η_k shared by every sample, and B×2 instrument offsets (z, δ) (each empty
/// when unused).
public struct DecoderBatch {
    public var phases: [[Int32]]
    public var fractions: [Float]
    public var shifts: [Float]
    public var logVariances: [Float]
    public var intensityFactors: [Float]
    public var fattening: Float
    public var patterns: [Float]
    public var background: [Float]
    public var mixing: [Float]
    public var offsets: [Float]
    /// Which rows of the held patterns (`ComputeBackend.holdPatterns`) `patterns` are (B values),
    /// or empty when they are not held (a backend then uses `patterns`).
    public var patternRows: [Int32] = []
    public var count: Int { phases.count }

    public init(
        phases: [[Int32]], fractions: [Float], shifts: [Float], logVariances: [Float],
        intensityFactors: [Float], fattening: Float, patterns: [Float], background: [Float] = [], mixing: [Float] = [],
        offsets: [Float] = []
    ) {
        self.offsets = offsets
        self.background = background
        self.mixing = mixing
        self.phases = phases
        self.fractions = fractions
        self.shifts = shifts
        self.logVariances = logVariances
        self.intensityFactors = intensityFactors
        self.fattening = fattening
        self.patterns = patterns
    }
}

/// Outputs of `decodeAndReconstruct`: loss parts per sample and, with gradients, d loss / d
/// latents (B×P), d loss / d intensity factors (B×P·n_max), d loss / d f per sample and
/// d loss / d background coefficients (B×C; empty without a background) and d loss / d η per
/// sample and phase (B×P; empty without mixing) and d loss / d (z, δ) per sample (B×2; empty
/// without offsets).
public struct DecoderBatchResult {
    public var parts: [ReconstructionLoss.Parts]
    public var gradFractions: [Float]
    public var gradShifts: [Float]
    public var gradLogVariances: [Float]
    public var gradIntensityFactors: [Float]
    public var gradFattening: [Float]
    public var gradBackground: [Float]
    public var gradMixing: [Float]
    public var gradOffsets: [Float]

    public init(
        parts: [ReconstructionLoss.Parts], gradFractions: [Float], gradShifts: [Float], gradLogVariances: [Float],
        gradIntensityFactors: [Float], gradFattening: [Float], gradBackground: [Float] = [], gradMixing: [Float] = [],
        gradOffsets: [Float] = []
    ) {
        self.gradOffsets = gradOffsets
        self.gradBackground = gradBackground
        self.gradMixing = gradMixing
        self.parts = parts
        self.gradFractions = gradFractions
        self.gradShifts = gradShifts
        self.gradLogVariances = gradLogVariances
        self.gradIntensityFactors = gradIntensityFactors
        self.gradFattening = gradFattening
    }
}
