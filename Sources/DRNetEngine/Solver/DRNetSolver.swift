import Foundation

/// Trains a DRNet on a prepared problem and exports its phase map (method.md §5):
/// random-walk minibatches, Adam, the warm-up schedule of the constraint terms, convergence
/// detection, the refine step and a fine-tune with frozen shifts under the refined mask.
/// Deterministic for a given seed (one seeded generator; fixed-order reductions).
public final class DRNetSolver {
    public let problem: PreparedProblem
    public let options: SolverOptions
    public let seed: UInt64
    public internal(set) var model: LatentModel
    public let loss: DRNetLoss
    public internal(set) var optimiser: AdamOptimizer
    /// The model's parameters θ, copied out of the backend's store (resident on the device with
    /// OpenCL; reading this property is a transfer).
    public var parameters: [Float] { backend.parameterValues() }
    /// Where the decoder, the loss, the dense layers, θ and Adam run; built by the solver from
    /// the factory it is given (the CPU path by default) and owned by it for the whole run.
    public let backend: ComputeBackend
    let walks: WalkPool
    var rng: SeededGenerator
    /// Per-candidate switch (P): 0 once pruned.
    public internal(set) var candidateSwitch: [Float]
    /// Hard mask from the refine step (N×P), nil before refine.
    public internal(set) var refinedMask: [Float]?
    public internal(set) var step = 0
    /// Where `solve()` stands (stage, walk position, loss history, convergence state): with the
    /// parameters, optimiser and generator, everything that determines the rest of the run
    /// (`SolverCheckpoint`). Restored by `restore(_:)` to resume.
    public internal(set) var run = SolverRunState()
    /// The export pass's per-phase contributions (see `phaseContributions(phases:)`).
    var exported: ExportedContributions?
    /// Asked at every step boundary of `solve()`: true when a checkpoint is due (time-based).
    public var checkpointDue: () -> Bool = { false }
    /// Receives a checkpoint when one is due and when a stop is requested (before anything else
    /// happens), at a step boundary.
    public var onCheckpoint: ((SolverCheckpoint) -> Void)?
    /// Free-form facts stored in every checkpoint (the CLI's library path and flags).
    public var checkpointContext: [String: String] = [:]
    public var progress: ((TrainingProgress) -> Void)?
    public var progressInterval: Double = 2
    /// Called at the end of each stage that `solve()` runs, with its `StageSeconds` name
    /// ("training", "polish", "fineTune", "export"): benchmarks record memory per stage.
    public var onStageEnd: ((String) -> Void)?
    /// Set from a signal handler to stop training early but still export a result.
    public var shouldStop: () -> Bool = { false }
    /// The first non-finite value the run met (nil while every loss term is finite): the run
    /// stops there without a checkpoint (its parameters are no longer valid), and its solution's
    /// `stoppedBy` is `.diverged`.
    public internal(set) var divergence: Divergence?

    /// What the solver decided from the library itself (`DataDefaults`: peak shape, peak widths),
    /// and, when a device cannot keep the patterns resident, why they travel with every batch;
    /// one line each; the CLI prints them.
    public let settingsNotes: [String]
    /// Where the library's patterns live for the run (resident on a device, or uploaded with
    /// every batch when the device cannot keep them; the CPU path reads its own copies).
    public let patternResidency: PatternResidency

    /// - Parameter options: the settings; those derived from the data (`DataDefaults`) are
    ///   resolved here, and `options` holds the values the run uses.
    /// - Parameter backend: builds the compute backend for the problem's decoder and loss
    ///   (default: the CPU backend).
    public init(
        problem: PreparedProblem, options given: SolverOptions, seed: UInt64,
        backend: ((PeakDecoder, ReconstructionLoss) throws -> ComputeBackend)? = nil
    ) throws {
        let constructionStart = ContinuousClock.now
        try given.validate()
        let (options, notes) = DataDefaults.resolve(given, for: problem)
        try options.validate()
        try Self.checkMemory(problem: problem, options: options)
        self.problem = problem
        self.options = options
        self.seed = seed
        let lib = problem.library
        var rng = SeededGenerator(seed: seed)
        let decoder = PeakDecoder(
            phases: lib.phases, q: lib.q, windowSigmas: options.windowSigmas, epsilon: options.epsilon,
            backgroundCoefficients: options.backgroundCoefficients,
            offsetWavelength: options.instrumentOffsets ? lib.axisWavelength : nil)
        let reconstruction = ReconstructionLoss(options: options)
        let compute = try backend?(decoder, reconstruction) ?? CPUBackend(decoder: decoder, reconstruction: reconstruction)
        self.backend = compute
        // The library's patterns stay where the backend computes (a device keeps them resident;
        // each batch then passes sample indices instead of its B×T patterns).
        let residency = compute.holdPatterns(problem.normalised, width: lib.gridCount)
        patternResidency = residency
        if case .uploadedPerBatch(let reason) = residency {
            settingsNotes = notes + ["patterns uploaded with every batch, not resident on the device: \(reason)"]
        } else {
            settingsNotes = notes
        }
        loss = DRNetLoss(
            options: options, decoder: decoder,
            phaseCompositions: options.compositionWeight > 0 ? lib.phaseCompositions : nil,
            elementCount: lib.elementCount, backend: compute)
        // Candidate screening (NNLS with broadened peaks): prunes candidates that no sample uses
        // and seeds the per-sample logits.
        var screening: CandidateScreening?
        var switches = [Float](repeating: 1, count: lib.phaseCount)
        if options.pruneUsage > 0 || options.nnlsInitialisation {
            let s = CandidateScreening.run(
                problem: problem,
                logVariance: Float(options.logVarianceCentre + options.logVarianceRange))
            screening = s
            if options.pruneUsage > 0 {
                for k in 0..<lib.phaseCount where s.usage[k] < options.pruneUsage { switches[k] = 0 }
            }
        }
        self.screening = screening
        switch options.model {
        case .amortised:
            model = AmortisedEncoder(
                gridCount: lib.gridCount, elementCount: lib.elementCount, phaseCount: lib.phaseCount,
                hidden: options.hiddenLayers, compositionInput: options.compositionInput,
                intensityOutputs: options.intensityFactorMax > 1 ? lib.phaseCount * decoder.sticks.maxSticks : 0,
                backgroundCount: options.backgroundCoefficients, mixing: options.pseudoVoigt,
                offsets: decoder.wavenumber != nil)
        case .perSample:
            let logits = options.nnlsInitialisation ? screening.map { $0.fractions.map { Foundation.log(max($0, 1e-3)) } } : nil
            model = PerSampleLatents(
                sampleCount: lib.sampleCount, phaseCount: lib.phaseCount, backgroundCount: options.backgroundCoefficients,
                mixing: options.pseudoVoigt, offsets: decoder.wavenumber != nil, initialLogits: logits)
        }
        let chosen = model
        var initial = [Float](repeating: 0, count: chosen.parameterCount)
        initial.withUnsafeMutableBufferPointer { chosen.initialise($0.baseAddress!, rng: &rng) }
        optimiser = AdamOptimizer(
            count: model.parameterCount, learningRate: options.learningRate,
            beta1: options.adamBeta1, beta2: options.adamBeta2, epsilon: options.adamEpsilon)
        self.backend.loadParameters(initial, optimiser: optimiser)
        walks = WalkPool(
            graph: problem.graph, count: options.walkPoolSize, length: options.walkLength,
            seed: rng.next())
        self.rng = rng
        candidateSwitch = switches
        setupSeconds = (ContinuousClock.now - constructionStart).inSeconds
    }

    /// Wall seconds the construction took (screening, walk pool, model: `StageSeconds.setup`).
    public private(set) var setupSeconds = 0.0

    /// The screening result, when screening ran.
    public let screening: CandidateScreening?

    var allPhases: [Int] { Array(0..<problem.phaseCount) }

    /// The mask of a batch: problem mask × candidate switch × refined mask.
    func batch(_ samples: [Int]) -> BatchData {
        var b = problem.batch(samples, phases: allPhases)
        let p = problem.phaseCount
        for (r, i) in samples.enumerated() {
            for k in 0..<p {
                var m = b.mask[r * p + k] * candidateSwitch[k]
                if let refined = refinedMask { m *= refined[i * p + k] }
                b.mask[r * p + k] = m
            }
            if !(0..<p).contains(where: { b.mask[r * p + $0] > 0 }) {
                // Never leave a sample without candidates: fall back to its problem mask.
                for k in 0..<p { b.mask[r * p + k] = problem.mask[i * p + k] }
            }
        }
        return b
    }

    /// One optimisation step on one minibatch (a concatenation of `walksPerStep` walks; pairwise
    /// terms still use consecutive samples). Returns the loss report.
    @discardableResult
    public func trainStep(samples: [Int], pairValid: [Bool]? = nil, freezeShifts: Bool = false) -> LossReport {
        var laps = StepLaps()
        var data = batch(samples)
        if let pairValid { data.pairValid = pairValid }
        let heads = model.forward(
            on: backend, samples: samples, patterns: data.patterns, compositions: data.compositions,
            patternRows: data.patternRows)
        laps.lap(&timings.encoderForward)
        var g = HeadOutputs.zeros(batch: samples.count, phases: problem.phaseCount)
        let report = loss.evaluate(heads: heads, batch: data, step: step, gradients: &g, freezeShifts: freezeShifts)
        laps.lap(&timings.lossAndDecoder)
        backend.zeroGradient()
        model.backward(on: backend, gradients: g)
        laps.lap(&timings.encoderBackward)
        optimiserStep(freezeShifts: freezeShifts)
        laps.lap(&timings.optimiser)
        timings.steps += 1
        step += 1
        return report
    }

    /// One Adam step over θ from the accumulated gradient, then the backend's synchronisation:
    /// with frozen shifts (the fine-tune) the shift parameters stay put; free per-sample latents
    /// move their shifts at `perSampleShiftRate` times the rate (Adam moves every parameter by
    /// about its learning rate per step, and a per-sample shift that moves by lr·δ per step
    /// cannot resolve the alloying threshold).
    func optimiserStep(freezeShifts: Bool) {
        let shiftFactor: Float = freezeShifts ? 0 : (model is PerSampleLatents ? Float(options.perSampleShiftRate) : 1)
        backend.adamStep(scaled: shiftFactor == 1 ? nil : (model.shiftParameters, shiftFactor))
        backend.synchronise()
    }

    /// Adds the wall time of each part of a step to its `StepTimings` slot: `lap` adds the
    /// seconds since the previous lap (or the start).
    struct StepLaps {
        private let clock = ContinuousClock()
        private var mark: ContinuousClock.Instant
        init() { mark = clock.now }
        mutating func lap(_ slot: inout Double) {
            let now = clock.now
            slot += (now - mark).inSeconds
            mark = now
        }
    }

    /// Seconds spent in each part of `trainStep`, summed over steps (for `drnet bench`).
    public struct StepTimings: Sendable, Codable {
        public var steps = 0
        public var encoderForward = 0.0, lossAndDecoder = 0.0, encoderBackward = 0.0, optimiser = 0.0
        public init() {}
    }
    public var timings = StepTimings()

    /// Runs the current model over the whole library in chunks of `SolveLoop.inferenceChunk`
    /// samples, handing each chunk's samples, batch data and head outputs to `body`.
    func forEachChunk(_ body: ([Int], BatchData, HeadOutputs) -> Void) {
        let n = problem.sampleCount
        let chunk = SolveLoop.inferenceChunk
        for start in stride(from: 0, to: n, by: chunk) {
            let samples = Array(start..<min(n, start + chunk))
            let data = batch(samples)
            let heads = model.forward(
                on: backend, samples: samples, patterns: data.patterns, compositions: data.compositions,
                patternRows: data.patternRows)
            body(samples, data, heads)
        }
    }

    /// Latents for every sample (in chunks through the model and the renderer).
    public func inferAll() -> (
        fractions: [Float], shifts: [Float], logVariances: [Float], recon: [ReconstructionLoss.Parts], reconstructions: [Float]
    ) {
        let n = problem.sampleCount, p = problem.phaseCount, t = problem.gridCount
        var w = [Float](), s = [Float](), v = [Float](), parts = [ReconstructionLoss.Parts](), xh = [Float]()
        w.reserveCapacity(n * p); s.reserveCapacity(n * p); v.reserveCapacity(n * p); xh.reserveCapacity(n * t)
        forEachChunk { samples, data, heads in
            let r = loss.evaluate(heads: heads, batch: data, step: step)
            w += r.fractions; s += r.shifts; v += r.logVariances; parts += r.reconstructionPerSample
            for b in 0..<samples.count { xh += backend.reconstruction(b) }
        }
        return (w, s, v, parts, xh)
    }

    /// Replaces the encoder by free per-sample latents initialised with the encoder's current head
    /// outputs (so the solution is unchanged at the switch), with a fresh Adam at
    /// `fineTuneLearningRate`.
    func switchToPerSampleLatents() {
        let n = problem.sampleCount, p = problem.phaseCount
        let latents = PerSampleLatents(
            sampleCount: n, phaseCount: p, backgroundCount: options.backgroundCoefficients, mixing: options.pseudoVoigt,
            offsets: loss.decoder.wavenumber != nil)
        var params = [Float](repeating: 0, count: latents.parameterCount)
        var fixedIS = [Float]()
        forEachChunk { samples, _, h in
            for (blockIndex, part) in latents.blocks.enumerated() where part.width > 0 {
                let values = h[keyPath: part.head], width = part.width, start = latents.blockOffset(blockIndex)
                guard values.count == samples.count * width else { continue }
                for (b, i) in samples.enumerated() {
                    for j in 0..<width { params[start + i * width + j] = values[b * width + j] }
                }
            }
            params[latents.parameterCount - 1] = h.fattening
            for k in 0..<latents.mixingCount where h.mixingPre.count == p { params[latents.mixingOffset + k] = h.mixingPre[k] }
            fixedIS += h.intensityPre
        }
        if !fixedIS.isEmpty {
            latents.fixedIntensityPre = fixedIS
            latents.intensityWidth = fixedIS.count / n
        }
        model = latents
        optimiser = AdamOptimizer(
            count: params.count, learningRate: options.fineTuneLearningRate,
            beta1: options.adamBeta1, beta2: options.adamBeta2, epsilon: options.adamEpsilon)
        backend.loadParameters(params, optimiser: optimiser)
    }

    /// The memory a run needs, estimated before anything is allocated (bytes): the encoder's three
    /// networks (T(+M) → hidden… → P; θ, its gradient and Adam's two moments, 4 bytes each),
    /// their activations and gradients for a minibatch and an inference chunk, the per-sample
    /// latents, and the library's patterns (held twice: raw and normalised) with the export
    /// pass's contributions (N × P × T at most).
    public static func estimatedMemory(problem: PreparedProblem, options: SolverOptions) -> Double {
        let n = Double(problem.sampleCount), t = Double(problem.gridCount), p = Double(problem.phaseCount)
        let input = t + (options.compositionInput ? Double(problem.library.elementCount) : 0)
        let widths = [input] + options.hiddenLayers.map(Double.init) + [p]
        let perNetwork = zip(widths, widths.dropFirst()).reduce(0.0) { $0 + $1.0 * $1.1 + $1.1 }
        let batch = Double(max(options.walkLength * options.walksPerStep, SolveLoop.inferenceChunk))
        let activations = 3 * batch * widths.reduce(0, +) * 2
        return 4 * (3 * perNetwork * 4 + activations + 2 * n * t + 3 * n * p + n * p * t)
    }

    /// Refuses a run whose estimated memory (`estimatedMemory`) exceeds 90 % of the machine's.
    static func checkMemory(problem: PreparedProblem, options: SolverOptions) throws {
        let need = estimatedMemory(problem: problem, options: options)
        let have = Double(ProcessInfo.processInfo.physicalMemory)
        guard have > 0, need > 0.9 * have else { return }
        func gib(_ b: Double) -> String { String(format: "%.1f GiB", b / 1_073_741_824) }
        throw ConfigurationError(
            "the run needs about \(gib(need)) of memory (encoder \(options.hiddenLayers) on \(problem.gridCount) Q points, "
                + "\(problem.sampleCount) samples × \(problem.phaseCount) candidates), more than this machine's \(gib(have)): "
                + "use narrower hiddenLayers, fewer Q points (drnet import --q-step) or a machine with more memory")
    }

    /// Per-sample active phase sets (w > minActivation) of the current model.
    func phaseSets(_ w: [Float]) -> [[Int]] {
        let p = problem.phaseCount
        return (0..<problem.sampleCount).map { i in (0..<p).filter { Double(w[i * p + $0]) > options.minActivation } }
    }

    /// Runs the whole solve: training until converged (or the cap), polish and refine,
    /// fine-tune, export (each stage a method of `DRNetSolver+Stages.swift`). Continues from
    /// `run` (a fresh state starts at the beginning; a restored one resumes its stage at its
    /// step). Every piece of loop state lives in `run`, so that a checkpoint taken at a step
    /// boundary and restored gives the identical remainder.
    public func solve() -> PhaseMapSolution {
        let session = SolveSession(elapsedBefore: run.elapsedSeconds)
        run.stepAtStart = step
        if run.stageSeconds == nil { run.stageSeconds = StageSeconds(setup: setupSeconds) }
        /// Adds the wall time of `body` to the stage's entry of `run.stageSeconds`, then tells
        /// `onStageEnd`.
        func timed(_ stage: WritableKeyPath<StageSeconds, Double>, _ name: String, _ body: () -> Void) {
            let start = session.elapsed()
            body()
            run.stageSeconds?[keyPath: stage] += session.elapsed() - start
            onStageEnd?(name)
        }
        if run.stage == .train { timed(\.training, "training") { train(session) } }
        if run.stage == .polish { timed(\.polish, "polish") { polishAndRefine(session) } }
        if run.stage == .fineTune { timed(\.fineTune, "fineTune") { fineTune(session) } }
        if halted() { run.stoppedBy = haltReason }
        let exportStart = session.elapsed()
        var solution = export(session)
        run.stageSeconds?.export += session.elapsed() - exportStart
        onStageEnd?("export")
        solution.stageSeconds = run.stageSeconds
        solution.convergenceChecks = run.convergenceChecks
        solution.wallSeconds = session.elapsed()
        return solution
    }
}

extension Duration {
    /// The duration in seconds.
    public var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
