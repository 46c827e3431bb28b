import Foundation

/// Fixed constants of the solve loop: bookkeeping and schedule shape, not model settings.
public enum SolveLoop {
    /// Samples per pass when the whole library is evaluated (convergence test, refine, export).
    public static let inferenceChunk = 256
    /// Training steps per loss record (`PhaseMapSolution.lossHistory`).
    public static let recordInterval = 50
    /// Fine-tune rounds at most: the first runs `fineTuneSteps`, each later one
    /// `fineTuneSteps / laterRoundDivisor`, and a refine within the previous mask follows each
    /// until the mask is stable.
    public static let maxFineTuneRounds = 4
    public static let laterRoundDivisor = 2
    /// The convergence test's second criterion: at most this share of the samples changed its
    /// phase set over the last window.
    public static let settledPhaseSetShare = 0.005
    /// Steps of the Gibbs/alloy ramp (in units of `rampUnit`) before the constraint terms are at
    /// full strength; the convergence test starts one window after that.
    public static let rampUnits = 10
    /// A solution whose mean reconstruction L1 share (error / pattern, per sample) is above this
    /// carries a warning that it explains little of the data.
    public static let poorReconstructionShare = 0.5
}

/// Wall-clock and reporting state of one `solve()` call (not part of a checkpoint: a resumed run
/// starts a new session and adds its time to `run.elapsedSeconds`).
final class SolveSession {
    let clock = ContinuousClock()
    let start: ContinuousClock.Instant
    let elapsedBefore: Double
    var lastReport: Double
    /// After a stop only the first step boundary checkpoints.
    var stopCheckpointed = false

    init(elapsedBefore: Double) {
        start = clock.now
        self.elapsedBefore = elapsedBefore
        lastReport = elapsedBefore
    }

    /// Seconds of the whole run: earlier sessions plus this one.
    func elapsed() -> Double {
        elapsedBefore + (clock.now - start).inSeconds
    }
}

extension DRNetSolver {
    /// Interrupted, the device failed (its error is in `backend.failure`) or the run diverged.
    func halted() -> Bool { shouldStop() || backend.failure != nil || divergence != nil }

    /// Why a halted run stopped: the device failed, the run diverged, or a stop was requested.
    var haltReason: StopReason { backend.failure != nil ? .deviceError : divergence != nil ? .diverged : .interrupted }

    /// Appends a loss record (means since the last one) and reports progress when due.
    func record(stage: String, cap: Int, _ session: SolveSession) {
        guard run.acc.n > 0 else { return }
        let a = run.acc, n = Double(a.n)
        let rec = LossRecord(
            step: step, stage: stage, total: a.total / n, reconstruction: a.recon / n, gibbs: a.gibbs / n,
            smoothness: a.smooth / n, gibbsWeight: a.gamma / n, violatingShare: a.viol / n)
        run.history.append(rec)
        run.acc = SolverRunState.Accumulator()
        let now = session.elapsed()
        if let progress, now - session.lastReport >= progressInterval {
            session.lastReport = now
            let rate = (now - session.elapsedBefore) / Double(max(step - run.stepAtStart, 1))
            progress(
                TrainingProgress(
                    stage: stage, step: step, stepCap: cap, record: rec, elapsedSeconds: now,
                    etaSeconds: rate * Double(max(0, cap - step) + laterStageSteps()),
                    activeCandidates: candidateSwitch.filter { $0 > 0 }.count))
        }
    }

    /// Steps the stages after the current one will take at least (polish, the first fine-tune
    /// round), for the time-left estimate: training may still stop early on convergence, and a
    /// fine-tune may add rounds.
    func laterStageSteps() -> Int {
        switch run.stage {
        case .train: return options.polishSteps + options.fineTuneSteps
        case .polish: return options.fineTuneSteps
        default: return 0
        }
    }

    /// Adds a step's loss terms to the running sums of the next record; the first non-finite
    /// term (in the order reconstruction, Gibbs, smoothness, composition, intensity regulariser,
    /// alloy, total) or latent is recorded as the run's `divergence`.
    func accumulate(_ r: LossReport) {
        if divergence == nil, let (term, value) = Divergence.firstNonFinite(r) {
            divergence = Divergence(step: step, stage: run.stage.rawValue, term: term, value: value)
        }
        run.acc.n += 1
        run.acc.total += r.total
        run.acc.recon += r.reconstruction
        run.acc.gibbs += r.gibbs
        run.acc.smooth += r.smoothness
        run.acc.viol += r.violatingShare
        run.acc.gamma += r.gibbsWeight
    }

    /// A step boundary: hands out a checkpoint when one is due or a stop is requested (before
    /// the stop changes anything); true when the run must stop.
    func boundary(_ session: SolveSession) -> Bool {
        // A failed device or a diverged run: stop without a checkpoint (its parameters are not
        // valid; the last checkpoint written stays the one to resume from).
        if backend.failure != nil || divergence != nil { return true }
        let stop = shouldStop()
        // After a stop only the first boundary checkpoints: later ones sit after the early
        // exit changed the run (it is finished and exported as interrupted).
        if let onCheckpoint, !session.stopCheckpointed, stop || checkpointDue() {
            session.stopCheckpointed = stop
            run.elapsedSeconds = session.elapsed()
            onCheckpoint(checkpoint())
        }
        return stop
    }

    /// The next `walksPerStep` walks, concatenated, and which consecutive pairs are edges. On a
    /// graph without edges (a library without compositions) every walk is one sample, so a step
    /// takes `walksPerStep × walkLength` of them: the minibatch keeps its size.
    public func nextSamples() -> (samples: [Int], pairValid: [Bool]) {
        var samples: [Int] = [], valid: [Bool] = []
        let count = problem.graph.edges.isEmpty ? options.walksPerStep * options.walkLength : options.walksPerStep
        for _ in 0..<count {
            let walk = walks.minibatch(run.walkIndex % walks.count)
            if !samples.isEmpty { valid.append(false) }
            valid += [Bool](repeating: true, count: max(walk.count - 1, 0))
            samples += walk
            run.walkIndex += 1
        }
        return (samples, valid)
    }

    /// One step of the polish or fine-tune: a whole-library step (`libraryStep`) on free
    /// per-sample latents with `perSampleBatch` = `library`, else a random-walk minibatch step.
    func perSampleStageStep(freezeShifts: Bool) -> LossReport {
        if options.perSampleBatch == .library && model is PerSampleLatents { return libraryStep(freezeShifts: freezeShifts) }
        let next = nextSamples()
        return trainStep(samples: next.samples, pairValid: next.pairValid, freezeShifts: freezeShifts)
    }

    /// Stage 1: trains until converged, stopped or at `maxSteps`; then switches to per-sample
    /// latents when the options say so.
    func train(_ session: SolveSession) {
        let cap = options.maxSteps
        let fullStrength = options.pretrainSteps + SolveLoop.rampUnits * options.rampUnit
        while step < cap {
            if boundary(session) {
                run.stoppedBy = haltReason
                break
            }
            let next = nextSamples()
            accumulate(trainStep(samples: next.samples, pairValid: next.pairValid))
            if step % SolveLoop.recordInterval == 0 { record(stage: "train", cap: cap, session) }
            if step % options.convergenceWindow == 0 && step >= fullStrength + options.convergenceWindow && hasConverged() {
                run.stoppedBy = .converged
                break
            }
        }
        record(stage: "train", cap: cap, session)
        run.trainingSteps = step
        if options.fineTunePerSample && options.model == .amortised { switchToPerSampleLatents() }
        run.stage = .polish
    }

    /// The convergence test, over the whole library (no minibatch noise): the mean
    /// reconstruction loss improved by less than `convergenceTolerance` since the last window
    /// and at most `SolveLoop.settledPhaseSetShare` of the samples changed their phase set.
    /// Otherwise remembers this window's figures for the next test.
    func hasConverged() -> Bool {
        let inferred = inferAll()
        let mean = inferred.recon.reduce(0) { $0 + $1.total } / Double(max(inferred.recon.count, 1))
        let sets = phaseSets(inferred.fractions)
        var check = ConvergenceCheck(step: step, meanReconstruction: mean, improvement: nil, changedPhaseSets: nil, converged: false)
        if let prevMean = run.previousWindowMean, let prev = run.previousSets {
            let changed = zip(prev, sets).filter { $0 != $1 }.count
            let improvement = (prevMean - mean) / max(abs(prevMean), 1e-12)
            check.improvement = improvement
            check.changedPhaseSets = changed
            check.converged =
                improvement < options.convergenceTolerance && Double(changed) <= SolveLoop.settledPhaseSetShare * Double(sets.count)
        }
        run.convergenceChecks = (run.convergenceChecks ?? []) + [check]
        if check.converged { return true }
        run.previousWindowMean = mean
        run.previousSets = sets
        return false
    }

    /// The refine step on the current model's latents: a hard mask that obeys the Gibbs and
    /// alloying rules exactly (`RefineStep`), within `previous` when given (the mask can only
    /// shrink), then the connectivity rule (`ConnectivityRule`) when the options ask for it.
    func refine(within previous: [UInt8]? = nil) -> RefineStep.Result {
        let soft = inferAll()
        var result = RefineStep.run(
            fractions: soft.fractions, shifts: soft.shifts, sampleCount: problem.sampleCount,
            phaseCount: problem.phaseCount, degrees: problem.degrees, elementsPresent: problem.elementsPresent,
            graph: problem.graph, presence: options.refinePresence,
            usageThreshold: options.refineUsage, shiftUnit: options.shiftUnit, alloyRule: true)
        if let previous { for i in 0..<result.mask.count { result.mask[i] &= previous[i] } }
        if options.connectivityRule {
            result.mask =
                ConnectivityRule.run(
                    mask: result.mask, fractions: soft.fractions, sampleCount: problem.sampleCount,
                    phaseCount: problem.phaseCount, graph: problem.graph, presence: options.minActivation
                ).mask
        }
        return result
    }

    /// Stage 2: with `polishSteps`, the latents are polished (all allowed candidates, constraint
    /// terms on) so that the discrete choices are taken on converged fractions and shifts; then
    /// the refine step fixes the mask.
    func polishAndRefine(_ session: SolveSession) {
        if options.polishSteps > 0 {
            let cap = run.trainingSteps + options.polishSteps
            while run.polish < options.polishSteps {
                if boundary(session) { break }
                accumulate(perSampleStageStep(freezeShifts: false))
                run.polish += 1
                if step % SolveLoop.recordInterval == 0 { record(stage: "polish", cap: cap, session) }
            }
            record(stage: "polish", cap: cap, session)
        }
        let refined = refine()
        run.refined = refined.mask
        run.alloying = refined.alloying
        refinedMask = refined.mask.map { Float($0) }
        run.stage = .fineTune
    }

    /// Stage 3: fine-tune under the refined mask with shifts frozen, then refine again on the
    /// fine-tuned fractions (within the mask: it can only shrink) until the mask is stable (at
    /// most `SolveLoop.maxFineTuneRounds` rounds): a phase whose usage fell below the threshold
    /// during fine-tuning is dropped.
    func fineTune(_ session: SolveSession) {
        while !halted() {
            let steps = run.round == 0 ? options.fineTuneSteps : options.fineTuneSteps / SolveLoop.laterRoundDivisor
            let fineCap = step - run.roundStep + steps
            while run.roundStep < steps {
                if boundary(session) { break }
                accumulate(perSampleStageStep(freezeShifts: true))
                run.fine += 1
                run.roundStep += 1
                if step % SolveLoop.recordInterval == 0 { record(stage: "fine-tune", cap: fineCap, session) }
            }
            record(stage: "fine-tune", cap: fineCap, session)
            run.round += 1
            run.roundStep = 0
            guard run.round < SolveLoop.maxFineTuneRounds, steps > 0 else { break }
            let again = refine(within: run.refined)
            if again.mask == run.refined { break }
            run.refined = again.mask
            run.alloying = zip(run.alloying, again.alloying).map { $0 || $1 }
            refinedMask = run.refined.map { Float($0) }
        }
        run.stage = .done
    }

    /// Stage 4: one pass over the library under the final model gives the whole solution —
    /// latents, reconstruction losses, the per-sample L1 error (`ReconstructionError`) — and each
    /// phase's contribution to every sample, kept for `phaseContributions(phases:)` (solution.txt,
    /// fit plots) so that writing the solution folder needs no second pass.
    func export(_ session: SolveSession) -> PhaseMapSolution {
        let n = problem.sampleCount, p = problem.phaseCount, t = problem.gridCount
        // Phases that can carry a fraction: the refined mask's (a superset of those used).
        let candidates = run.refined.isEmpty ? Array(0..<p) : (0..<p).filter { k in (0..<n).contains { run.refined[$0 * p + k] != 0 } }
        let c = candidates.count
        var w = [Float](), s = [Float](), v = [Float](), parts = [ReconstructionLoss.Parts]()
        w.reserveCapacity(n * p)
        s.reserveCapacity(n * p)
        v.reserveCapacity(n * p)
        var errors = [Double](repeating: 0, count: n), shares = [Double](repeating: 0, count: n)
        var contributions = [Float](repeating: 0, count: n * c * t)
        let nb = loss.decoder.backgroundCount
        var betas = [Float](), backgrounds = [Float](), backgroundShares = [Double](repeating: 0, count: n)
        var mixing: [Float]?
        var offsets = [Float]()
        if nb > 0 {
            betas.reserveCapacity(n * nb)
            backgrounds = [Float](repeating: 0, count: n * t)
        }
        forEachChunk { samples, data, heads in
            let r = loss.evaluate(heads: heads, batch: data, step: step)
            w += r.fractions
            s += r.shifts
            v += r.logVariances
            parts += r.reconstructionPerSample
            betas += r.background
            if !r.mixing.isEmpty { mixing = r.mixing }
            offsets += r.offsets.map { $0 * 180 / .pi }
            for (b, i) in samples.enumerated() {
                let xhat = backend.reconstruction(b)
                let e = ReconstructionError.sample(
                    normalisedPattern: problem.normalised[(i * t)..<((i + 1) * t)], reconstruction: xhat[...])
                errors[i] = e.l1
                shares[i] = e.share
                if nb > 0 {
                    let curve = backend.backgroundContribution(b)
                    var area = 0.0, total = 0.0
                    for q in 0..<t {
                        backgrounds[i * t + q] = curve[q]
                        area += Double(curve[q])
                        total += Double(xhat[q])
                    }
                    backgroundShares[i] = total > 0 ? area / total : 0
                }
                guard (0..<c).contains(where: { r.fractions[b * p + candidates[$0]] > 0 }) else { continue }
                let rows = backend.phaseContributions(b, phases: candidates, fractions: r.fractions[(b * p)..<((b + 1) * p)])
                for q in 0..<(c * t) { contributions[i * c * t + q] = rows[q] }
            }
        }
        exported = ExportedContributions(step: step, phases: candidates, values: contributions, background: nb > 0 ? backgrounds : nil)
        if divergence == nil {
            for (term, values) in [("fractions", w), ("shifts", s), ("log-variances", v)] {
                if let bad = values.first(where: { !$0.isFinite }) {
                    divergence = Divergence(step: step, stage: "export", term: term, value: Double(bad))
                    break
                }
            }
            if divergence == nil, let bad = errors.first(where: { !$0.isFinite }) {
                divergence = Divergence(step: step, stage: "export", term: "reconstruction error", value: bad)
            }
        }
        if divergence != nil { run.stoppedBy = .diverged }
        let used = (0..<p).filter { k in (0..<n).contains { w[$0 * p + k] > 0 } }
        var warnings = problem.warnings + settingsNotes.filter { $0.hasPrefix("warning: ") }.map { String($0.dropFirst(9)) }
        let meanShare = shares.reduce(0, +) / Double(max(n, 1))
        if meanShare > SolveLoop.poorReconstructionShare {
            warnings.append(
                "the reconstruction explains little of the data: the mean L1 error is \(String(format: "%.2f", meanShare)) of the "
                    + "patterns' own L1 (above \(SolveLoop.poorReconstructionShare)); the candidates, their peak widths or shifts, or a "
                    + "background the model does not have do not match these patterns, so the fractions are not reliable "
                    + "(see the fit plots and drnet check)")
        }
        return PhaseMapSolution(
            library: problem.library.name, libraryPath: problem.library.sources.directory,
            elements: problem.library.elements, phaseNames: problem.library.phases.map(\.name),
            sampleCount: n, phaseCount: p, fractions: w, shifts: s, logVariances: v,
            reconstructionError: errors, reconstructionErrorShare: shares, reconstructionLoss: parts.map(\.total),
            refinedMask: run.refined, alloying: run.alloying, usedPhases: used, degreesOfFreedom: problem.degrees,
            settings: options, seed: seed, device: backend.deviceName, trainingSteps: run.trainingSteps, polishSteps: run.polish,
            fineTuneSteps: run.fine, stoppedBy: run.stoppedBy, wallSeconds: session.elapsed(), maskSource: problem.maskSource,
            graphSource: problem.graphSource, edges: problem.graph.edges.map { [$0.i, $0.j] }, lossHistory: run.history,
            warnings: warnings,
            background: loss.decoder.background.map { FittedBackground(basis: $0, coefficients: betas, share: backgroundShares) },
            peakMixing: mixing, instrumentOffsets: offsets.count == 2 * n ? offsets : nil,
            offsetWavelength: offsets.count == 2 * n ? problem.library.axisWavelength : nil)
    }
}

/// Each candidate phase's contribution to every sample, from the export pass (N×C×T,
/// `phases` the C candidates), valid while the solver's step is `step`.
struct ExportedContributions {
    var step: Int
    var phases: [Int]
    var values: [Float]
    /// Each sample's background b_i/(M_i + ε), N×T (nil without a fitted background).
    var background: [Float]?
}
