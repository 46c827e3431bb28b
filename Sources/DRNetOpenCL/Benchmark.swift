import DRNetCore
import Foundation

/// The headless benchmark behind `drnet bench`, for any Swift program: training-step time (by
/// part and, on OpenCL, by kernel), whole-library inference throughput and peak memory on a
/// library, and sweeps over the pattern count N, the grid size Q and the candidate count P on
/// generated data.
///
/// Every run renders all candidates: `pruneUsage` is set to 0 and `nnlsInitialisation` off
/// whatever `Settings.options` says (the reference's cost, and the same work on every device).
/// Times are wall-clock (`ContinuousClock`) unless said otherwise; fields ending in `Ms` are
/// milliseconds, in `Seconds` seconds, in `MB` mebibytes. The records are `Codable` with the
/// field names of `drnet bench --json` (one object per line, keys sorted; absent optionals are
/// left out).
///
///     let (device, _) = try DeviceChoice.resolve("auto", profiling: true)
///     let record = try Benchmark.trainingStep(library: Benchmark.syntheticLibrary(seed: 1), device: device)
///     try Benchmark.sweeps(device: device) { print($0.inferenceSamplesPerSecond) }
public enum Benchmark {
    /// What to run. The defaults are `drnet bench`'s.
    public struct Settings: Sendable, Equatable {
        /// Timed training steps (≥ 1).
        public var steps: Int = 100
        /// Untimed warm-up training steps before them (≥ 0).
        public var warmup: Int = 10
        /// Seed of the model, the walks and the generated libraries.
        public var seed: UInt64 = 1
        /// Samples per device pass in the N sweep's streamed inference (≥ 1).
        public var chunk: Int = 256
        /// Pattern counts of the N sweep (each ≥ 1; empty: no N sweep).
        public var sweepN: [Int] = [1000, 10000, 100000]
        /// Grid sizes of the Q sweep (each ≥ 16; empty: no Q sweep).
        public var sweepQ: [Int] = [325, 650, 1300, 2600]
        /// Candidate counts of the P sweep (each ≥ 4; empty: no P sweep).
        public var sweepP: [Int] = [40, 80, 159, 320]
        /// Timed training steps per Q or P sweep point (≥ 1).
        public var sweepSteps: Int = 20
        /// Untimed warm-up steps per Q or P sweep point (≥ 0).
        public var sweepWarmup: Int = 3
        /// The grid size held fixed in the N and P sweeps (≥ 16): Al-Li-Fe's.
        public var sweepGridPoints: Int = 650
        /// The candidate count held fixed in the N and Q sweeps (≥ 4): Al-Li-Fe's.
        public var sweepCandidates: Int = 159
        /// Model and training settings (pruning and the NNLS initialisation are always off).
        public var options: SolverOptions = SolverOptions()

        /// `drnet bench`'s defaults; set the fields to change them.
        public init() {}

        /// Throws `Failure.invalidSettings` naming the first setting out of range.
        public func validate() throws(Failure) {
            func need(_ ok: Bool, _ message: String) throws(Failure) {
                if !ok { throw .invalidSettings(message) }
            }
            try need(steps >= 1 && sweepSteps >= 1, "steps and sweepSteps must be ≥ 1")
            try need(warmup >= 0 && sweepWarmup >= 0, "warmup and sweepWarmup must be ≥ 0")
            try need(chunk >= 1, "chunk must be ≥ 1")
            try need(sweepN.allSatisfy { $0 >= 1 }, "sweepN values must be ≥ 1")
            try need((sweepQ + [sweepGridPoints]).allSatisfy { $0 >= 16 }, "sweepQ values and sweepGridPoints must be ≥ 16")
            try need((sweepP + [sweepCandidates]).allSatisfy { $0 >= 4 }, "sweepP values and sweepCandidates must be ≥ 4")
        }

        /// `options` as the benchmark runs them: every candidate rendered.
        var benchmarkOptions: SolverOptions {
            var o = options
            o.pruneUsage = 0
            o.nnlsInitialisation = false
            return o
        }
    }

    /// Why a benchmark did not run to the end. Errors of building the problem or the backend
    /// (`ConfigurationError`, `OpenCLError`, …) pass through unchanged.
    public enum Failure: Error, CustomStringConvertible {
        /// A setting is out of range (the message names it).
        case invalidSettings(String)
        /// The backend reported a device error during the timed steps or inference.
        case device(any Error)

        public var description: String {
            switch self {
            case .invalidSettings(let message): return "benchmark settings: \(message)"
            case .device(let error): return "device error during the benchmark: \(error)"
            }
        }
    }

    /// One training-step benchmark (`benchmark` "train-step"; Q and P sweep points are measured
    /// the same way and reported as `SweepRecord`s).
    public struct StepRecord: Codable, Sendable, Equatable {
        /// "train-step".
        public var benchmark: String
        /// The device's name (`ComputeDevice.name`).
        public var device: String
        /// The OpenCL platform and driver version, or the CPU's BLAS (`Benchmark.driverDescription`).
        public var driver: String
        /// The library's name.
        public var library: String
        /// N, Q and P of the library.
        public var samples: Int
        public var gridPoints: Int
        public var candidates: Int
        /// Samples per training step as configured: `walkLength × walksPerStep`.
        public var batch: Int
        /// `SolverOptions.model` (amortised or perSample).
        public var model: String
        /// Timed training steps.
        public var steps: Int
        /// Median and mean wall-clock time of one timed `DRNetSolver.trainStep`, including its
        /// device synchronisation, in ms.
        public var medianStepMs: Double
        public var meanStepMs: Double
        /// Mean time per timed step of each part of the step (`DRNetSolver.StepTimings`), in ms:
        /// minibatch assembly and encoder forward; reconstruction loss, constraints and decoder
        /// (forward and backward); encoder backward; Adam and the final synchronisation. They sum
        /// to about `meanStepMs`. On an OpenCL device the parts are host time: work is enqueued
        /// without waiting, so the device's time lands where the step synchronises (the forward
        /// pass's and the decode's downloads, and the end of the step, counted under Adam).
        public var encoderForwardMs: Double
        public var lossAndDecoderMs: Double
        public var encoderBackwardMs: Double
        public var optimiserMs: Double
        /// Device time per training step by kernel name, in ms, from OpenCL profiling events over
        /// a second, untimed pass over the same minibatches (events are not recorded in the timed
        /// pass: creating them costs time on some drivers). Nil on the CPU path and on an OpenCL
        /// device opened without profiling.
        public var kernelMsPerStep: [String: Double]?
        /// Per timed training step: kernel launches (ours and CLBlast SGEMM calls), host
        /// synchronisations (blocking reads and finishes) and the bytes uploaded and downloaded,
        /// counted by the device (`DeviceOperationCounts`); nil on the CPU path.
        public var kernelLaunchesPerStep: Double?
        public var hostSynchronisationsPerStep: Double?
        public var uploadBytesPerStep: Double?
        public var downloadBytesPerStep: Double?
        /// The OpenCL kernel shape the backend ran with (`OpenCLBackend.Configuration.summary`);
        /// nil on the CPU path.
        public var kernelShape: String?
        /// Whole-library inference (`DRNetSolver.inferAll`, after one untimed pass that sizes the
        /// workspaces), in samples per second.
        public var inferenceSamplesPerSecond: Double
        /// The process's peak resident memory so far (`Benchmark.peakMemoryMB`), in MiB.
        public var peakMemoryMB: Double
    }

    /// One sweep point: `benchmark` "inference-N" (streamed inference of `samples` generated
    /// patterns), "sweep-Q" or "sweep-P" (training step and inference on a generated library).
    public struct SweepRecord: Codable, Sendable, Equatable {
        public var benchmark: String
        public var device: String
        public var driver: String
        /// N, Q and P of the point.
        public var samples: Int
        public var gridPoints: Int
        public var candidates: Int
        /// `Settings.chunk` (used by the N sweep only).
        public var chunk: Int
        /// N sweep: samples per second of the device path (`inferSeconds`); Q and P sweeps:
        /// whole-library inference as in `StepRecord`.
        public var inferenceSamplesPerSecond: Double
        /// N sweep only: seconds in the model, decoder and loss over all chunks, transfers included.
        public var inferSeconds: Double?
        /// N sweep only: seconds spent generating the chunks' inputs (not in `inferSeconds`).
        public var generateSeconds: Double?
        /// Q and P sweeps only: median wall-clock training step, in ms.
        public var medianStepMs: Double?
        /// The process's peak resident memory so far, in MiB.
        public var peakMemoryMB: Double
    }

    /// The built-in problem of Al-Li-Fe's size: a synthetic ternary library with N = 231
    /// samples, Q = 650 grid points and P = 159 candidates (3 true phases, 156 distractors).
    public static func syntheticLibrary(seed: UInt64) -> CompositionLibrary {
        generated(divisions: 20, gridPoints: 650, candidates: 159, seed: seed)
    }

    /// The device's driver for reports: the OpenCL platform and driver version, or the BLAS the
    /// CPU path links.
    public static func driverDescription(of device: ComputeDevice) -> String {
        device.openCL.map { "\($0.platformName) / driver \($0.info.driverVersion)" } ?? CPUBackend.blasDescription
    }

    /// The peak resident memory of this process so far (`getrusage`, the high-water mark since it
    /// started, not of one benchmark alone), in MiB.
    public static func peakMemoryMB() -> Double {
        var usage = rusage()
        #if os(Linux)
            getrusage(RUSAGE_SELF.rawValue, &usage)
            return Double(usage.ru_maxrss) / 1024  // KiB
        #else
            getrusage(RUSAGE_SELF, &usage)
            return Double(usage.ru_maxrss) / (1024 * 1024)  // bytes
        #endif
    }

    /// The training-step benchmark on `library`: builds the problem and a fresh solver (seeded by
    /// `settings.seed`) on `device`, runs `settings.warmup` untimed steps, then `settings.steps`
    /// timed ones over random-walk minibatches, then (OpenCL with profiling) the same steps again
    /// with per-kernel profiling, then whole-library inference. Throws `Failure.device` when the
    /// backend reported a device error.
    public static func trainingStep(
        library: CompositionLibrary, device: ComputeDevice, settings: Settings = Settings()
    ) throws -> StepRecord {
        try settings.validate()
        return try measure(library, device: device, settings: settings, steps: settings.steps, warmup: settings.warmup)
    }

    /// The sweeps, in order N, Q, P, each record handed to `onRecord` as soon as it is measured.
    ///
    /// - N: a generated library of Q = `sweepGridPoints`, P = `sweepCandidates` and 28 samples, an
    ///   untrained solver, and each N of `sweepN` patterns (the library's, cycled and
    ///   max-normalised: no copy of N is held) streamed through inference in chunks of `chunk`
    ///   (`StreamingInference`, memory bounded by the chunk).
    /// - Q and P: for each Q of `sweepQ` (P fixed) and each P of `sweepP` (Q fixed), a generated
    ///   library of N = 231 measured as `trainingStep` does with `sweepSteps` timed steps after
    ///   `sweepWarmup`.
    public static func sweeps(
        device: ComputeDevice, settings: Settings = Settings(), onRecord: (SweepRecord) throws -> Void
    ) throws {
        try settings.validate()
        let options = settings.benchmarkOptions
        let driver = driverDescription(of: device)
        let fixedQ = settings.sweepGridPoints, fixedP = settings.sweepCandidates
        if !settings.sweepN.isEmpty {
            let base = generated(divisions: 6, gridPoints: fixedQ, candidates: fixedP, seed: settings.seed)
            if options.model == .perSample, let n = settings.sweepN.first(where: { $0 > base.sampleCount }) {
                throw Failure.invalidSettings(
                    "the N sweep streams \(n) generated patterns, but free per-sample latents (model perSample) exist only for the "
                        + "\(base.sampleCount) samples of its library")
            }
            let problem = try PreparedProblem(library: base, options: options)
            let solver = try DRNetSolver(problem: problem, options: options, seed: settings.seed, backend: device.backendFactory)
            for n in settings.sweepN {
                let timing = streamed(solver: solver, library: base, count: n, chunk: settings.chunk)
                if let failure = solver.backend.failure { throw Failure.device(failure) }
                try onRecord(
                    SweepRecord(
                        benchmark: "inference-N", device: device.name, driver: driver, samples: n,
                        gridPoints: base.gridCount, candidates: base.phaseCount, chunk: settings.chunk,
                        inferenceSamplesPerSecond: Double(n) / timing.inferSeconds, inferSeconds: timing.inferSeconds,
                        generateSeconds: timing.produceSeconds, medianStepMs: nil, peakMemoryMB: peakMemoryMB()))
            }
        }
        for (axis, values) in [("Q", settings.sweepQ), ("P", settings.sweepP)] {
            for v in values {
                let q = axis == "Q" ? v : fixedQ, p = axis == "P" ? v : fixedP
                let library = generated(divisions: 20, gridPoints: q, candidates: p, seed: settings.seed)
                let r = try measure(library, device: device, settings: settings, steps: settings.sweepSteps, warmup: settings.sweepWarmup)
                try onRecord(
                    SweepRecord(
                        benchmark: "sweep-\(axis)", device: device.name, driver: driver, samples: library.sampleCount,
                        gridPoints: q, candidates: p, chunk: settings.chunk,
                        inferenceSamplesPerSecond: r.inferenceSamplesPerSecond, inferSeconds: nil,
                        generateSeconds: nil, medianStepMs: r.medianStepMs, peakMemoryMB: r.peakMemoryMB))
            }
        }
    }

    /// A generated library: a ternary grid of `divisions` steps per side ((d+1)(d+2)/2 samples),
    /// `gridPoints` points over Q 15…60, 3 true phases and `candidates − 3` distractors of 60
    /// sticks each.
    static func generated(divisions: Int, gridPoints: Int, candidates: Int, seed: UInt64) -> CompositionLibrary {
        SyntheticLibrary.make(
            divisions: divisions, gridCount: gridPoints, sticksPerPhase: 60, distractors: candidates - 3, seed: seed
        ).library
    }

    /// Warm-up, timed steps (per part), per-kernel times, then whole-library inference.
    static func measure(
        _ library: CompositionLibrary, device: ComputeDevice, settings: Settings, steps: Int, warmup: Int
    ) throws -> StepRecord {
        let options = settings.benchmarkOptions
        let problem = try PreparedProblem(library: library, options: options)
        let solver = try DRNetSolver(problem: problem, options: options, seed: settings.seed, backend: device.backendFactory)
        // The solver's own minibatches (walksPerStep walks each, from its seeded pool), drawn once
        // so that the profiled pass repeats the timed steps.
        let batches = (0..<(warmup + steps)).map { _ in solver.nextSamples() }
        func step(_ k: Int) { solver.trainStep(samples: batches[k].samples, pairValid: batches[k].pairValid) }
        for k in 0..<warmup { step(k) }
        solver.timings = DRNetSolver.StepTimings()
        var perStep: [Double] = []
        let clock = ContinuousClock()
        let before = solver.backend.deviceOperations
        for k in 0..<steps {
            let t0 = clock.now
            step(warmup + k)
            perStep.append(seconds(clock.now - t0))
        }
        let traffic = before.flatMap { b in solver.backend.deviceOperations?.since(b) }
        if let failure = solver.backend.failure { throw Failure.device(failure) }
        let parts = solver.timings  // the timed steps' parts only, not the profiled pass's
        var kernelMs: [String: Double] = [:]
        if device.openCL?.profiling == true {
            solver.backend.startKernelTiming()
            for k in 0..<steps { step(warmup + k) }
            kernelMs = solver.backend.stopKernelTiming().mapValues { 1000 * $0 / Double(steps) }
        }
        _ = solver.inferAll()  // the first pass sizes the inference workspaces: not timed
        let t0 = clock.now
        _ = solver.inferAll()
        let inferSeconds = seconds(clock.now - t0)
        if let failure = solver.backend.failure { throw Failure.device(failure) }
        perStep.sort()
        let n = Double(parts.steps)
        return StepRecord(
            benchmark: "train-step", device: device.name, driver: driverDescription(of: device), library: library.name,
            samples: library.sampleCount, gridPoints: library.gridCount, candidates: library.phaseCount,
            batch: batches.last?.samples.count ?? 0, model: options.model.rawValue, steps: steps,
            medianStepMs: 1000 * perStep[perStep.count / 2], meanStepMs: 1000 * perStep.reduce(0, +) / Double(steps),
            encoderForwardMs: 1000 * parts.encoderForward / n, lossAndDecoderMs: 1000 * parts.lossAndDecoder / n,
            encoderBackwardMs: 1000 * parts.encoderBackward / n, optimiserMs: 1000 * parts.optimiser / n,
            kernelMsPerStep: kernelMs.isEmpty ? nil : kernelMs,
            kernelLaunchesPerStep: traffic.map { Double($0.kernelLaunches) / Double(steps) },
            hostSynchronisationsPerStep: traffic.map { Double($0.hostSynchronisations) / Double(steps) },
            uploadBytesPerStep: traffic.map { Double($0.uploadBytes) / Double(steps) },
            downloadBytesPerStep: traffic.map { Double($0.downloadBytes) / Double(steps) },
            kernelShape: (try? device.resolvedKernelShape())??.summary,
            inferenceSamplesPerSecond: Double(library.sampleCount) / inferSeconds, peakMemoryMB: peakMemoryMB())
    }

    /// Streams `count` generated patterns (cycling through the library's, max-normalised) through
    /// inference in chunks of `chunk`.
    static func streamed(solver: DRNetSolver, library: CompositionLibrary, count: Int, chunk: Int) -> StreamingInference.Timing {
        let t = library.gridCount, m = library.elementCount, n0 = library.sampleCount
        var checksum = 0.0
        let timing = StreamingInference.run(
            solver: solver, count: count, chunk: chunk,
            produce: { range in
                var patterns = [Float](), comps = [Double]()
                patterns.reserveCapacity(range.count * t)
                for i in range {
                    let j = i % n0
                    let row = library.patterns[(j * t)..<((j + 1) * t)]
                    let mx = row.max() ?? 1
                    patterns += row.map { $0 / (mx + 1e-9) }
                    comps += library.compositions[(j * m)..<((j + 1) * m)]
                }
                return .init(patterns: patterns, compositions: comps)
            },
            sink: { _, report in
                checksum += report.reconstruction
            })
        precondition(checksum.isFinite)
        return timing
    }

    static func seconds(_ d: Duration) -> Double { d.inSeconds }
}
