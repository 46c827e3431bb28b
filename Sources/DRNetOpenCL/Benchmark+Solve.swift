import DRNetCore
import Foundation

extension Benchmark {
    /// One whole solve timed by stage (`benchmark` "solve"): what `drnet bench --solve` reports.
    public struct SolveRecord: Codable, Sendable, Equatable {
        /// "solve".
        public var benchmark: String
        /// Which settings ran: "defaults", "previous-defaults" or "config".
        public var settings: String
        public var device: String
        public var driver: String
        public var library: String
        public var samples: Int
        public var gridPoints: Int
        public var candidates: Int
        /// Wall seconds of the whole solve (construction included) and of each stage.
        public var wallSeconds: Double
        public var stageSeconds: StageSeconds
        public var trainingSteps: Int
        public var polishSteps: Int
        public var fineTuneSteps: Int
        /// Samples per polish / fine-tune step: N for whole-library steps, the walk minibatch else.
        public var perSampleStepSamples: Int
        /// Why training stopped (`StopReason`: converged, step cap, …).
        public var stoppedBy: String
        /// Candidates with a fraction somewhere.
        public var phasesUsed: Int
        /// The process's peak resident memory after this solve, in MiB (a process-wide figure: with
        /// several solves in one process it is the largest so far).
        public var peakMemoryMB: Double
        /// The process's peak resident memory at the end of each stage ("training", "polish",
        /// "fineTune", "export"), in MiB: how memory grows through the solve.
        public var stagePeakMemoryMB: [String: Double]?
        /// Against a truth fraction table (nil without one): samples whose phase set matches
        /// exactly (presence threshold 0.01), their share, and the mean fraction error ½·L1.
        public var exactPhaseSets: Int?
        public var exactPhaseSetShare: Double?
        public var meanFractionError: Double?
        /// This solve's wall time over the first solve's of the same run (`--compare-defaults`).
        public var wallRatioToFirst: Double?
    }

    /// Solves `library` (with its mask and graph as loaded) with `options` on `device` and times
    /// every stage; with `truth`, scores the phase sets and fractions (`PhaseMapMetrics`).
    public static func solve(
        library: CompositionLibrary, device: ComputeDevice, options: SolverOptions, seed: UInt64, label: String,
        truth: FractionTable? = nil
    ) throws -> SolveRecord {
        let clock = ContinuousClock()
        let start = clock.now
        let problem = try PreparedProblem(library: library, options: options)
        let solver = try DRNetSolver(problem: problem, options: options, seed: seed, backend: device.backendFactory)
        var stagePeaks: [String: Double] = ["setup": peakMemoryMB()]
        solver.onStageEnd = { stagePeaks[$0] = peakMemoryMB() }
        let solution = solver.solve()
        let wall = seconds(clock.now - start)
        if let failure = solver.backend.failure { throw Failure.device(failure) }
        var stages = solution.stageSeconds ?? StageSeconds()
        // Problem preparation (graph, masks, normalisation) counts as setup too.
        stages.setup = wall - (stages.training + stages.polish + stages.fineTune + stages.export)
        var record = SolveRecord(
            benchmark: "solve", settings: label, device: device.name, driver: driverDescription(of: device),
            library: library.name, samples: library.sampleCount, gridPoints: library.gridCount, candidates: library.phaseCount,
            wallSeconds: wall, stageSeconds: stages, trainingSteps: solution.trainingSteps, polishSteps: solution.polishSteps,
            fineTuneSteps: solution.fineTuneSteps,
            perSampleStepSamples: solver.options.perSampleBatch == .library && solver.options.fineTunePerSample
                ? library.sampleCount : solver.options.walkLength * solver.options.walksPerStep,
            stoppedBy: solution.stoppedBy.rawValue, phasesUsed: solution.usedPhases.count, peakMemoryMB: peakMemoryMB(),
            stagePeakMemoryMB: stagePeaks)
        if let truth {
            let score = try PhaseMapMetrics.evaluate(solution: solution.usedPhaseTable(solution.fractions), truth: truth)
            record.exactPhaseSets = score.exactMatchCount
            record.exactPhaseSetShare = score.exactMatchShare
            record.meanFractionError = score.meanFractionError
        }
        return record
    }
}
