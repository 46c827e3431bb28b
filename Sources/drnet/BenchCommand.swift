import ArgumentParser
import DRNetCore
import DRNetOpenCL
import Foundation

struct Bench: ReportingCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Headless benchmark: training-step time (by part and by kernel), inference throughput, peak memory, sweeps over N, Q and P.",
        discussion: """
            Runs on --library when given, else on a built-in synthetic library of Al-Li-Fe's size \
            (N=231, Q=650, P=159). All candidates are rendered (no pruning: the reference's cost). \
            Warm-up steps are not timed. With --sweep, also times inference streamed in chunks over \
            generated data for each N of --sweep-n (memory bounded by the chunk), and training steps \
            and inference for each Q of --sweep-q and P of --sweep-p. One JSON object per line with --json.
            """)

    @Option(help: "Library folder (default: built-in synthetic problem).") var library: String?
    @Option(help: "Per-sample allowed-phase mask for --library.") var sampleMask: String?
    @Option(help: "JSON settings file.") var config: String?
    @Option(help: "Timed training steps.") var steps: Int = 100
    @Option(help: "Untimed warm-up steps.") var warmup: Int = 10
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Compute device: auto, cpu, opencl or opencl:P.D.") var device: String = "auto"
    @Option(help: "Folder of the OpenCL kernels.") var kernels: String?
    @Option(help: "Inference chunk (samples per device pass).") var chunk: Int = 256
    @Flag(help: "Also run the N, Q and P sweeps on generated data.") var sweep = false
    @Option(help: "Pattern counts of the N sweep (comma-separated).") var sweepN: String = "1000,10000,100000"
    @Option(help: "Grid sizes of the Q sweep.") var sweepQ: String = "325,650,1300,2600"
    @Option(help: "Candidate counts of the P sweep.") var sweepP: String = "40,80,159,320"
    @Option(help: "Timed training steps per Q/P sweep point.") var sweepSteps: Int = 20
    @Flag(help: "JSON lines on stdout.") var json = false

    func validate() throws {
        guard steps >= 1, warmup >= 0, sweepSteps >= 1 else {
            throw ValidationError("--steps and --sweep-steps must be ≥ 1 and --warmup ≥ 0")
        }
        guard chunk >= 1 else { throw ValidationError("--chunk must be ≥ 1") }
        for (name, list) in [("--sweep-n", sweepN), ("--sweep-q", sweepQ), ("--sweep-p", sweepP)] {
            guard parse(list) != nil else { throw ValidationError("\(name) '\(list)': expected comma-separated positive integers") }
        }
        guard parse(sweepQ)!.allSatisfy({ $0 >= 16 }), parse(sweepP)!.allSatisfy({ $0 >= 4 }) else {
            throw ValidationError("--sweep-q values must be ≥ 16 and --sweep-p values ≥ 4")
        }
    }

    func parse(_ list: String) -> [Int]? {
        let values = list.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
        return values.map { $0! }
    }

    func execute() throws {
        let compute = try DeviceRequest.resolve(device, quiet: json, kernels: kernels, profiling: true)
        let driver = compute.openCL.map { "\($0.platformName) / driver \($0.info.driverVersion)" } ?? CPUBackend.blasDescription
        var options = try config.map { try SolverOptions.load(path: $0) } ?? SolverOptions()
        options.pruneUsage = 0
        options.nnlsInitialisation = false
        let lib: CompositionLibrary
        if let library {
            lib = try LibraryLoader.load(directory: library, sampleMaskPath: sampleMask)
        } else {
            lib = SyntheticLibrary.make(divisions: 20, gridCount: 650, sticksPerPhase: 60, distractors: 156, seed: seed).library
        }
        let main = try measure(lib, options: options, compute: compute, steps: steps, warmup: warmup)
        emit(main, driver: driver, compute: compute, benchmark: "train-step")
        guard sweep else { return }

        // N sweep: a Q=650, P=159 generated library streamed through inference in chunks.
        let base = SyntheticLibrary.make(divisions: 6, gridCount: 650, sticksPerPhase: 60, distractors: 156, seed: seed).library
        let problem = try PreparedProblem(library: base, options: options)
        let solver = try DRNetSolver(problem: problem, options: options, seed: seed, backend: compute.backendFactory)
        for n in parse(sweepN)! {
            let (rate, timing) = streamed(solver: solver, library: base, count: n)
            let record = SweepResult(
                benchmark: "inference-N", device: compute.name, driver: driver, samples: n,
                gridPoints: base.gridCount, candidates: base.phaseCount, chunk: chunk,
                inferenceSamplesPerSecond: rate, inferSeconds: timing.inferSeconds,
                generateSeconds: timing.produceSeconds, medianStepMs: nil, peakMemoryMB: peakMemoryMB())
            output(record) {
                String(
                    format: "N=%6d (Q=%d P=%d, chunks of %d): %8.0f samples/s, %.2f s on the device path, peak memory %.0f MB",
                    n, base.gridCount, base.phaseCount, chunk, rate, timing.inferSeconds, record.peakMemoryMB)
            }
        }
        // Q and P sweeps: training step and inference on generated libraries of N=231.
        for (axis, values) in [("Q", parse(sweepQ)!), ("P", parse(sweepP)!)] {
            for v in values {
                let q = axis == "Q" ? v : 650, p = axis == "P" ? v : 159
                let l = SyntheticLibrary.make(divisions: 20, gridCount: q, sticksPerPhase: 60, distractors: p - 3, seed: seed).library
                let r = try measure(l, options: options, compute: compute, steps: sweepSteps, warmup: 3)
                let record = SweepResult(
                    benchmark: "sweep-\(axis)", device: compute.name, driver: driver, samples: l.sampleCount,
                    gridPoints: q, candidates: p, chunk: chunk,
                    inferenceSamplesPerSecond: r.inferenceSamplesPerSecond, inferSeconds: nil,
                    generateSeconds: nil, medianStepMs: r.medianStepMs, peakMemoryMB: peakMemoryMB())
                output(record) {
                    String(
                        format: "%@ sweep: Q=%5d P=%4d: training step median %7.1f ms, inference %7.0f samples/s",
                        axis, q, p, r.medianStepMs, r.inferenceSamplesPerSecond)
                }
            }
        }
    }

    /// Warm-up, timed steps (per part, per kernel), then whole-library inference.
    func measure(_ lib: CompositionLibrary, options: SolverOptions, compute: ComputeDevice, steps: Int, warmup: Int) throws -> BenchResult {
        let problem = try PreparedProblem(library: lib, options: options)
        let solver = try DRNetSolver(problem: problem, options: options, seed: seed, backend: compute.backendFactory)
        let pool = WalkPool(graph: problem.graph, count: warmup + steps, length: options.walkLength, seed: seed)
        for k in 0..<warmup { solver.trainStep(samples: pool.minibatch(k)) }
        solver.timings = DRNetSolver.StepTimings()
        var perStep: [Double] = []
        let clock = ContinuousClock()
        for k in 0..<steps {
            let t0 = clock.now
            solver.trainStep(samples: pool.minibatch(warmup + k))
            perStep.append(seconds(clock.now - t0))
        }
        if let failure = solver.backend.failure { throw CommandFailure(.deviceFailure, "device error during the benchmark: \(failure)") }
        // Per-kernel times from a second, profiled pass over the same minibatches (events are
        // not recorded in the timed pass: creating them costs time on some drivers).
        var kernelMs: [String: Double] = [:]
        if compute.openCL != nil {
            solver.backend.startKernelTiming()
            for k in 0..<steps { solver.trainStep(samples: pool.minibatch(warmup + k)) }
            kernelMs = solver.backend.stopKernelTiming().mapValues { 1000 * $0 / Double(steps) }
        }
        _ = solver.inferAll()  // first pass sizes the inference workspaces: not timed
        let t0 = clock.now
        _ = solver.inferAll()
        let inferSeconds = seconds(clock.now - t0)
        perStep.sort()
        let tm = solver.timings
        let n = Double(tm.steps)
        return BenchResult(
            benchmark: "train-step", device: compute.name, driver: "", library: lib.name, samples: lib.sampleCount,
            gridPoints: lib.gridCount, candidates: lib.phaseCount, batch: options.walkLength * options.walksPerStep,
            model: options.model.rawValue, steps: steps, medianStepMs: 1000 * perStep[perStep.count / 2],
            meanStepMs: 1000 * perStep.reduce(0, +) / Double(steps),
            encoderForwardMs: 1000 * tm.encoderForward / n, lossAndDecoderMs: 1000 * tm.lossAndDecoder / n,
            encoderBackwardMs: 1000 * tm.encoderBackward / n, optimiserMs: 1000 * tm.optimiser / n,
            kernelMsPerStep: kernelMs.isEmpty ? nil : kernelMs,
            inferenceSamplesPerSecond: Double(lib.sampleCount) / inferSeconds, peakMemoryMB: peakMemoryMB())
    }

    /// Streams `count` generated patterns (cycling through the library's, no copy of N) through
    /// inference; returns samples/s of the device path and the timing.
    func streamed(solver: DRNetSolver, library: CompositionLibrary, count: Int) -> (Double, StreamingInference.Timing) {
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
        return (Double(count) / timing.inferSeconds, timing)
    }

    func emit(_ r: BenchResult, driver: String, compute: ComputeDevice, benchmark: String) {
        var r = r
        r.driver = driver
        r.benchmark = benchmark
        output(r) {
            var text = String(
                format: """
                    %@ on %@ (%@): N=%d Q=%d P=%d batch %d (%@ model)
                    training step: median %.1f ms, mean %.1f ms over %d steps
                      encoder forward %.1f ms, loss + decoder (fwd+bwd) %.1f ms, encoder backward %.1f ms, Adam %.1f ms
                    inference: %.0f samples/s; peak memory %.0f MB
                    """, r.library, r.device, driver, r.samples, r.gridPoints, r.candidates, r.batch, r.model,
                r.medianStepMs, r.meanStepMs, r.steps, r.encoderForwardMs, r.lossAndDecoderMs,
                r.encoderBackwardMs, r.optimiserMs, r.inferenceSamplesPerSecond, r.peakMemoryMB)
            if let k = r.kernelMsPerStep {
                text +=
                    "\nkernel time per training step (OpenCL profiling): "
                    + k.sorted { $0.value > $1.value }.map { String(format: "%@ %.2f ms", $0.key, $0.value) }.joined(separator: ", ")
            }
            return text
        }
    }

    func output<T: Encodable>(_ record: T, text: () -> String) {
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.sortedKeys]
            // Written straight to the file descriptor: a redirected stdout would hold the lines
            // until the process exits, and a sweep runs for minutes.
            if let data = try? enc.encode(record) { FileHandle.standardOutput.write(data + Data("\n".utf8)) }
        } else {
            FileHandle.standardOutput.write(Data((text() + "\n").utf8))
        }
    }

    func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }

    func peakMemoryMB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}

struct BenchResult: Codable {
    var benchmark: String
    var device: String
    var driver: String
    var library: String
    var samples: Int
    var gridPoints: Int
    var candidates: Int
    var batch: Int
    var model: String
    var steps: Int
    var medianStepMs: Double
    var meanStepMs: Double
    var encoderForwardMs: Double
    var lossAndDecoderMs: Double
    var encoderBackwardMs: Double
    var optimiserMs: Double
    /// Device time per training step by kernel (OpenCL profiling events), when on OpenCL.
    var kernelMsPerStep: [String: Double]?
    var inferenceSamplesPerSecond: Double
    var peakMemoryMB: Double
}

struct SweepResult: Codable {
    var benchmark: String
    var device: String
    var driver: String
    var samples: Int
    var gridPoints: Int
    var candidates: Int
    var chunk: Int
    var inferenceSamplesPerSecond: Double
    var inferSeconds: Double?
    var generateSeconds: Double?
    var medianStepMs: Double?
    var peakMemoryMB: Double
}
