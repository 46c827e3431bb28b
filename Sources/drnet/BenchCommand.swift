import ArgumentParser
import DRNetCore
import Foundation

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Headless benchmark: time per training step (by part), inference throughput, peak memory.",
        discussion: """
        Runs on --library when given, else on a built-in synthetic library of Al-Li-Fe's size \
        (N=231, Q=650, P=159). Warm-up steps are not timed. Prints one JSON object per line with --json.
        """)

    @Option(help: "Library folder (default: built-in synthetic problem).") var library: String?
    @Option(help: "Per-sample allowed-phase mask for --library.") var sampleMask: String?
    @Option(help: "JSON settings file.") var config: String?
    @Option(help: "Timed training steps.") var steps: Int = 100
    @Option(help: "Untimed warm-up steps.") var warmup: Int = 10
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Compute device: auto or cpu (OpenCL: not implemented yet).") var device: String = "auto"
    @Flag(help: "JSON lines on stdout.") var json = false

    func validate() throws {
        guard steps >= 1, warmup >= 0 else { throw ValidationError("--steps must be ≥ 1 and --warmup ≥ 0") }
    }

    func run() throws {
        let compute = try DeviceChoice.resolve(device, quiet: json)
        let deviceName = compute.name
        let lib: CompositionLibrary
        if let library {
            lib = try LibraryLoader.load(directory: library, sampleMaskPath: sampleMask)
        } else {
            lib = SyntheticLibrary.make(divisions: 20, gridCount: 650, sticksPerPhase: 60, distractors: 156, seed: seed).library
        }
        var options = try config.map { try SolverOptions.load(path: $0) } ?? SolverOptions()
        // Time the full candidate set: no pruning, the reference's cost model.
        options.pruneUsage = 0
        options.nnlsInitialisation = false
        let problem = try PreparedProblem(library: lib, options: options)
        let solver = try DRNetSolver(problem: problem, options: options, seed: seed)
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
        _ = solver.inferAll()   // first pass allocates the inference workspaces: not timed
        let t0 = clock.now
        _ = solver.inferAll()
        let inferSeconds = seconds(clock.now - t0)
        perStep.sort()
        let tm = solver.timings
        let n = Double(tm.steps)
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let result = BenchResult(
            benchmark: "train-step", device: deviceName, library: lib.name, samples: lib.sampleCount, gridPoints: lib.gridCount,
            candidates: lib.phaseCount, batch: options.walkLength * options.walksPerStep, model: options.model.rawValue,
            steps: steps, medianStepMs: 1000 * perStep[perStep.count / 2], meanStepMs: 1000 * perStep.reduce(0, +) / Double(steps),
            encoderForwardMs: 1000 * tm.encoderForward / n, lossAndDecoderMs: 1000 * tm.lossAndDecoder / n,
            encoderBackwardMs: 1000 * tm.encoderBackward / n, optimiserMs: 1000 * tm.optimiser / n,
            inferenceSamplesPerSecond: Double(lib.sampleCount) / inferSeconds, peakMemoryMB: Double(usage.ru_maxrss) / 1024)
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.sortedKeys]
            print(String(decoding: try enc.encode(result), as: UTF8.self))
        } else {
            print(String(format: """
                %@ on %@: N=%d Q=%d P=%d batch %d (%@ model)
                training step: median %.1f ms, mean %.1f ms over %d steps
                  encoder forward %.1f ms, loss + decoder (fwd+bwd) %.1f ms, encoder backward %.1f ms, Adam %.1f ms
                inference: %.0f samples/s; peak memory %.0f MB
                """, lib.name, deviceName, lib.sampleCount, lib.gridCount, lib.phaseCount, result.batch, result.model,
                result.medianStepMs, result.meanStepMs, steps, result.encoderForwardMs, result.lossAndDecoderMs,
                result.encoderBackwardMs, result.optimiserMs, result.inferenceSamplesPerSecond, result.peakMemoryMB))
        }
    }

    func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
}

struct BenchResult: Codable {
    var benchmark: String
    var device: String
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
    var inferenceSamplesPerSecond: Double
    var peakMemoryMB: Double
}
