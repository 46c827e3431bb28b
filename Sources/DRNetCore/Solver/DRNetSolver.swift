import CBLAS
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
    public var parameters: [Float] { loss.backend.parameterValues() }
    /// Where the decoder, the loss, the dense layers, θ and Adam run.
    public var backend: ComputeBackend { loss.backend }
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
    /// Asked at every step boundary of `solve()`: true when a checkpoint is due (time-based).
    public var checkpointDue: () -> Bool = { false }
    /// Receives a checkpoint when one is due and when a stop is requested (before anything else
    /// happens), at a step boundary.
    public var onCheckpoint: ((SolverCheckpoint) -> Void)?
    /// Free-form facts stored in every checkpoint (the CLI's library path and flags).
    public var checkpointContext: [String: String] = [:]
    public var progress: ((TrainingProgress) -> Void)?
    public var progressInterval: Double = 2
    /// Set from a signal handler to stop training early but still export a result.
    public var shouldStop: () -> Bool = { false }

    /// - Parameter backend: builds the compute backend for the problem's decoder and loss
    ///   (default: the CPU backend).
    public init(problem: PreparedProblem, options: SolverOptions, seed: UInt64,
                backend: ((PeakDecoder, ReconstructionLoss) throws -> ComputeBackend)? = nil) throws {
        try options.validate()
        // Minibatch GEMMs are small (B ≈ 10 rows); the solver parallelises over samples itself,
        // and OpenBLAS's own threads only spin against it (measured: 1 thread is faster).
        openblas_set_num_threads(1)
        self.problem = problem
        self.options = options
        self.seed = seed
        let lib = problem.library
        var rng = SeededGenerator(seed: seed)
        let decoder = PeakDecoder(phases: lib.phases, q: lib.q, windowSigmas: options.windowSigmas, epsilon: options.epsilon)
        loss = DRNetLoss(options: options, decoder: decoder,
                         phaseCompositions: options.compositionWeight > 0 ? lib.phaseCompositions : nil,
                         elementCount: lib.elementCount,
                         backend: try backend?(decoder, ReconstructionLoss(options: options)))
        // Candidate screening (NNLS with broadened peaks): prunes candidates that no sample uses
        // and seeds the per-sample logits.
        var screening: CandidateScreening?
        var switches = [Float](repeating: 1, count: lib.phaseCount)
        if options.pruneUsage > 0 || options.nnlsInitialisation {
            let s = CandidateScreening.run(problem: problem,
                                           logVariance: Float(options.logVarianceCentre + options.logVarianceRange))
            screening = s
            if options.pruneUsage > 0 {
                for k in 0..<lib.phaseCount where s.usage[k] < options.pruneUsage { switches[k] = 0 }
            }
        }
        self.screening = screening
        switch options.model {
        case .amortised:
            model = AmortisedEncoder(gridCount: lib.gridCount, elementCount: lib.elementCount, phaseCount: lib.phaseCount,
                                     hidden: options.hiddenLayers, compositionInput: options.compositionInput,
                                     intensityOutputs: options.intensityFactorMax > 1 ? lib.phaseCount * decoder.sticks.maxSticks : 0)
        case .perSample:
            let logits = options.nnlsInitialisation ? screening.map { $0.fractions.map { Foundation.log(max($0, 1e-3)) } } : nil
            model = PerSampleLatents(sampleCount: lib.sampleCount, phaseCount: lib.phaseCount, initialLogits: logits)
        }
        let chosen = model
        var initial = [Float](repeating: 0, count: chosen.parameterCount)
        initial.withUnsafeMutableBufferPointer { chosen.initialise($0.baseAddress!, rng: &rng) }
        optimiser = AdamOptimizer(count: model.parameterCount, learningRate: options.learningRate,
                                  beta1: options.adamBeta1, beta2: options.adamBeta2, epsilon: options.adamEpsilon)
        loss.backend.loadParameters(initial, optimiser: optimiser)
        walks = WalkPool(graph: problem.graph, count: options.walkPoolSize, length: options.walkLength,
                         seed: rng.next())
        self.rng = rng
        candidateSwitch = switches
    }

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
        let clock = ContinuousClock()
        var mark = clock.now
        func lap(_ slot: inout Double) {
            let now = clock.now
            let d = now - mark
            slot += Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
            mark = now
        }
        var data = batch(samples)
        if let pairValid { data.pairValid = pairValid }
        let heads = model.forward(on: backend, samples: samples, patterns: data.patterns, compositions: data.compositions)
        lap(&timings.encoderForward)
        var g = HeadOutputs.zeros(batch: samples.count, phases: problem.phaseCount)
        let report = loss.evaluate(heads: heads, batch: data, step: step, gradients: &g, freezeShifts: freezeShifts)
        lap(&timings.lossAndDecoder)
        backend.zeroGradient()
        model.backward(on: backend, gradients: g)
        lap(&timings.encoderBackward)
        // Frozen shifts, or the slower shift rate of free per-sample latents (Adam moves every
        // parameter by about its learning rate per step, and a per-sample shift that moves by
        // lr·δ per step cannot resolve the alloying threshold).
        let shiftFactor: Float = freezeShifts ? 0 : (model is PerSampleLatents ? Float(options.perSampleShiftRate) : 1)
        let scaled: (range: Range<Int>, factor: Float)? = shiftFactor == 1 ? nil : (model.shiftParameters, shiftFactor)
        backend.adamStep(scaled: scaled)
        backend.synchronise()
        lap(&timings.optimiser)
        timings.steps += 1
        step += 1
        return report
    }

    /// Seconds spent in each part of `trainStep`, summed over steps (for `drnet bench`).
    public struct StepTimings: Sendable, Codable {
        public var steps = 0
        public var encoderForward = 0.0, lossAndDecoder = 0.0, encoderBackward = 0.0, optimiser = 0.0
        public init() {}
    }
    public var timings = StepTimings()

    /// Runs the current model over the whole library in chunks of 256 samples, handing each
    /// chunk's samples, batch data and head outputs to `body`.
    func forEachChunk(_ body: ([Int], BatchData, HeadOutputs) -> Void) {
        let n = problem.sampleCount
        for start in stride(from: 0, to: n, by: 256) {
            let samples = Array(start..<min(n, start + 256))
            let data = batch(samples)
            let heads = model.forward(on: backend, samples: samples, patterns: data.patterns, compositions: data.compositions)
            body(samples, data, heads)
        }
    }

    /// Latents for every sample (chunks of 256 through the model and the renderer).
    public func inferAll() -> (fractions: [Float], shifts: [Float], logVariances: [Float], recon: [ReconstructionLoss.Parts], reconstructions: [Float]) {
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
        let latents = PerSampleLatents(sampleCount: n, phaseCount: p)
        var params = [Float](repeating: 0, count: latents.parameterCount)
        var fixedIS = [Float]()
        forEachChunk { samples, _, h in
            for (b, i) in samples.enumerated() {
                for k in 0..<p {
                    params[i * p + k] = h.logits[b * p + k]
                    params[n * p + i * p + k] = h.shiftPre[b * p + k]
                    params[2 * n * p + i * p + k] = h.widthPre[b * p + k]
                }
            }
            params[latents.parameterCount - 1] = h.fattening
            fixedIS += h.intensityPre
        }
        if !fixedIS.isEmpty {
            latents.fixedIntensityPre = fixedIS
            latents.intensityWidth = fixedIS.count / n
        }
        model = latents
        optimiser = AdamOptimizer(count: params.count, learningRate: options.fineTuneLearningRate,
                                  beta1: options.adamBeta1, beta2: options.adamBeta2, epsilon: options.adamEpsilon)
        backend.loadParameters(params, optimiser: optimiser)
    }

    /// Per-sample active phase sets (w > minActivation) of the current model.
    func phaseSets(_ w: [Float]) -> [[Int]] {
        let p = problem.phaseCount
        return (0..<problem.sampleCount).map { i in (0..<p).filter { Double(w[i * p + $0]) > options.minActivation } }
    }

    /// Runs the whole solve: training until converged (or the cap), refine, fine-tune, export.
    /// Continues from `run` (a fresh state starts at the beginning; a restored one resumes its
    /// stage at its step). Every piece of loop state lives in `run`, so that a checkpoint taken
    /// at a step boundary and restored gives the identical remainder.
    public func solve() -> PhaseMapSolution {
        let device = loss.backend.deviceName
        /// Interrupted, or the device failed (its error is in `backend.failure`).
        func halted() -> Bool { shouldStop() || backend.failure != nil }
        let clock = ContinuousClock()
        let start = clock.now
        let elapsedBefore = run.elapsedSeconds
        func elapsed() -> Double { let d = clock.now - start; return elapsedBefore + Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
        var lastReport = elapsed()
        let fullStrength = options.pretrainSteps + 10 * options.rampUnit
        let recordEvery = 50

        func record(stage: String, cap: Int) {
            guard run.acc.n > 0 else { return }
            let a = run.acc, n = Double(a.n)
            let rec = LossRecord(step: step, stage: stage, total: a.total / n, reconstruction: a.recon / n, gibbs: a.gibbs / n,
                                 smoothness: a.smooth / n, gibbsWeight: a.gamma / n, violatingShare: a.viol / n)
            run.history.append(rec)
            run.acc = SolverRunState.Accumulator()
            let now = elapsed()
            if let progress, now - lastReport >= progressInterval {
                lastReport = now
                let rate = (now - elapsedBefore) / Double(max(step - run.stepAtStart, 1))
                progress(TrainingProgress(stage: stage, step: step, stepCap: cap, record: rec, elapsedSeconds: now,
                                          etaSeconds: rate * Double(max(0, cap - step)),
                                          activeCandidates: candidateSwitch.filter { $0 > 0 }.count))
            }
        }

        func accumulate(_ r: LossReport) {
            run.acc.n += 1; run.acc.total += r.total; run.acc.recon += r.reconstruction; run.acc.gibbs += r.gibbs
            run.acc.smooth += r.smoothness; run.acc.viol += r.violatingShare; run.acc.gamma += r.gibbsWeight
        }

        /// A step boundary: hands out a checkpoint when one is due or a stop is requested (before
        /// the stop changes anything); true when the run must stop.
        var stopCheckpointed = false
        func boundary() -> Bool {
            // A failed device: stop without a checkpoint (its parameters are not valid).
            if backend.failure != nil { return true }
            let stop = shouldStop()
            // After a stop only the first boundary checkpoints: later ones sit after the early
            // exit changed the run (it is finished and exported as interrupted).
            if let onCheckpoint, !stopCheckpointed, stop || checkpointDue() {
                stopCheckpointed = stop
                run.elapsedSeconds = elapsed()
                onCheckpoint(checkpoint())
            }
            return stop
        }

        let cap = options.maxSteps
        run.stepAtStart = step
        /// The next `walksPerStep` walks, concatenated, and which consecutive pairs are edges.
        func nextSamples() -> (samples: [Int], pairValid: [Bool]) {
            var samples: [Int] = [], valid: [Bool] = []
            for _ in 0..<options.walksPerStep {
                let walk = walks.minibatch(run.walkIndex % walks.count)
                if !samples.isEmpty { valid.append(false) }
                valid += [Bool](repeating: true, count: max(walk.count - 1, 0))
                samples += walk
                run.walkIndex += 1
            }
            return (samples, valid)
        }

        if run.stage == .train {
            while step < cap {
                if boundary() { run.stoppedBy = backend.failure != nil ? "device error" : "interrupted"; break }
                let next = nextSamples()
                let r = trainStep(samples: next.samples, pairValid: next.pairValid)
                accumulate(r)
                if step % recordEvery == 0 { record(stage: "train", cap: cap) }
                if step % options.convergenceWindow == 0 && step >= fullStrength + options.convergenceWindow {
                    // Deterministic figures over the whole library (no minibatch noise): the mean
                    // reconstruction loss and the per-sample phase sets.
                    let inferred = inferAll()
                    let mean = inferred.recon.reduce(0) { $0 + $1.total } / Double(max(inferred.recon.count, 1))
                    let sets = phaseSets(inferred.fractions)
                    if let prevMean = run.previousWindowMean, let prev = run.previousSets {
                        let changed = zip(prev, sets).filter { $0 != $1 }.count
                        let improvement = (prevMean - mean) / max(abs(prevMean), 1e-12)
                        if improvement < options.convergenceTolerance && Double(changed) <= 0.005 * Double(sets.count) {
                            run.stoppedBy = "converged"
                            break
                        }
                    }
                    run.previousWindowMean = mean
                    run.previousSets = sets
                }
            }
            record(stage: "train", cap: cap)
            run.trainingSteps = step
            if options.fineTunePerSample && options.model == .amortised { switchToPerSampleLatents() }
            run.stage = .polish
        }

        // Refine: a hard mask that obeys the rules exactly. With `polishSteps`, the latents are
        // first polished per sample (all allowed candidates, constraint terms on) so that the
        // discrete choices (top-d phases, alloying) are taken on converged fractions and shifts.
        func refine(alloyRule: Bool) -> RefineStep.Result {
            let soft = inferAll()
            return RefineStep.run(fractions: soft.fractions, shifts: soft.shifts, sampleCount: problem.sampleCount,
                                  phaseCount: problem.phaseCount, degrees: problem.degrees, elementsPresent: problem.elementsPresent,
                                  graph: problem.graph, presence: options.refinePresence,
                                  usageThreshold: options.refineUsage, shiftUnit: options.shiftUnit, alloyRule: alloyRule)
        }
        if run.stage == .polish {
            if options.polishSteps > 0 {
                let cap = run.trainingSteps + options.polishSteps
                while run.polish < options.polishSteps {
                    if boundary() { break }
                    let next = nextSamples()
                    accumulate(trainStep(samples: next.samples, pairValid: next.pairValid))
                    run.polish += 1
                    if step % recordEvery == 0 { record(stage: "polish", cap: cap) }
                }
                record(stage: "polish", cap: cap)
            }
            let refined = refine(alloyRule: true)
            run.refined = refined.mask
            run.alloying = refined.alloying
            refinedMask = refined.mask.map { Float($0) }
            run.stage = .fineTune
        }

        // Fine-tune under the refined mask with shifts frozen, then refine again on the
        // fine-tuned fractions (within the mask: it can only shrink) until the mask is stable:
        // a phase whose usage fell below the threshold during fine-tuning is dropped.
        if run.stage == .fineTune {
            while !halted() {
                let steps = run.round == 0 ? options.fineTuneSteps : options.fineTuneSteps / 2
                let fineCap = step - run.roundStep + steps
                while run.roundStep < steps {
                    if boundary() { break }
                    let next = nextSamples()
                    accumulate(trainStep(samples: next.samples, pairValid: next.pairValid, freezeShifts: true))
                    run.fine += 1
                    run.roundStep += 1
                    if step % recordEvery == 0 { record(stage: "fine-tune", cap: fineCap) }
                }
                record(stage: "fine-tune", cap: fineCap)
                run.round += 1
                run.roundStep = 0
                guard run.round < 4, steps > 0 else { break }
                var again = refine(alloyRule: true)
                for i in 0..<again.mask.count { again.mask[i] &= run.refined[i] }
                if again.mask == run.refined { break }
                run.refined = again.mask
                run.alloying = zip(run.alloying, again.alloying).map { $0 || $1 }
                refinedMask = run.refined.map { Float($0) }
            }
            run.stage = .done
        }
        if halted() { run.stoppedBy = backend.failure != nil ? "device error" : "interrupted" }
        let (trainingSteps, polish, fine, stoppedBy, history) = (run.trainingSteps, run.polish, run.fine, run.stoppedBy, run.history)
        let refined = (mask: run.refined, alloying: run.alloying)

        let final = inferAll()
        let n = problem.sampleCount, p = problem.phaseCount, t = problem.gridCount
        var errors = [Double](), shares = [Double]()
        for i in 0..<n {
            var l1 = 0.0, mass = 0.0
            for j in 0..<t {
                let x = Double(problem.normalised[i * t + j])
                l1 += abs(x - Double(final.reconstructions[i * t + j]))
                mass += abs(x)
            }
            errors.append(l1 / Double(t))
            shares.append(mass > 0 ? l1 / mass : 0)
        }
        let used = (0..<p).filter { k in (0..<n).contains { final.fractions[$0 * p + k] > 0 } }
        return PhaseMapSolution(
            library: problem.library.name, libraryPath: problem.library.sources["directory"],
            elements: problem.library.elements, phaseNames: problem.library.phases.map(\.name),
            sampleCount: n, phaseCount: p, fractions: final.fractions, shifts: final.shifts, logVariances: final.logVariances,
            reconstructionError: errors, reconstructionErrorShare: shares, reconstructionLoss: final.recon.map(\.total),
            refinedMask: refined.mask, alloying: refined.alloying, usedPhases: used, degreesOfFreedom: problem.degrees,
            settings: options, seed: seed, device: device, trainingSteps: trainingSteps, polishSteps: polish, fineTuneSteps: fine,
            stoppedBy: stoppedBy, wallSeconds: elapsed(), maskSource: problem.maskSource, graphSource: problem.graphSource,
            edges: problem.graph.edges.map { [$0.i, $0.j] }, lossHistory: history)
    }
}
