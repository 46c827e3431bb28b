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
    @Option(parsing: .unconditional, help: "Timed training steps.") var steps: Int = 100
    @Option(parsing: .unconditional, help: "Untimed warm-up steps.") var warmup: Int = 10
    @Option(parsing: .unconditional, help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Compute device: auto, cpu, opencl or opencl:P.D.") var device: String = "auto"
    @Option(help: "Folder of the OpenCL kernels.") var kernels: String?
    @Option(parsing: .unconditional, help: "Inference chunk (samples per device pass).") var chunk: Int = 256
    @Flag(help: "Also run the N, Q and P sweeps on generated data.") var sweep = false
    @Flag(
        help:
            "OpenCL: also time the training step at each candidate kernel shape (CPU devices: every vector width; GPUs: pair and sample group sizes), the device's default first."
    ) var sweepShapes = false
    @Option(help: "Pattern counts of the N sweep (comma-separated).") var sweepN: String = "1000,10000,100000"
    @Option(help: "Grid sizes of the Q sweep.") var sweepQ: String = "325,650,1300,2600"
    @Option(help: "Candidate counts of the P sweep.") var sweepP: String = "40,80,159,320"
    @Option(parsing: .unconditional, help: "Timed training steps per Q/P sweep point.") var sweepSteps: Int = 20
    @Option(
        help: ArgumentHelp(
            "Time a whole solve of this library folder instead (wall time and steps per stage, why training stopped, peak memory).",
            valueName: "library-dir")) var solve: String?
    @Option(help: "With --solve: a truth fraction table (CSV) to score the phase sets against.") var truth: String?
    @Flag(
        help:
            "With --solve: also solve with the previous defaults (under the same settings file's keys) in the same process and print the wall-time ratio."
    )
    var compareDefaults = false
    @Option(parsing: .unconditional, help: "With --solve or --sweep-solve-n: override the step cap of every solve.") var maxSteps: Int?
    @Option(
        help: ArgumentHelp(
            "Whole solves (training, polish, refine, fine-tune, export) of generated Mg-Al-Ti-O libraries of at least these "
                + "sample counts (comma-separated, e.g. 1000,10000), each timed by stage with its peak memory per stage and "
                + "scored against its truth; settings from --config and --max-steps.", valueName: "counts")) var sweepSolveN: String?
    @Flag(help: "JSON lines on stdout.") var json = false

    func validate() throws {
        guard steps >= 1, warmup >= 0, sweepSteps >= 1 else {
            throw ValidationError("--steps and --sweep-steps must be ≥ 1 and --warmup ≥ 0")
        }
        guard chunk >= 1 else { throw ValidationError("--chunk must be ≥ 1") }
        guard solve != nil || (truth == nil && !compareDefaults && (maxSteps == nil || sweepSolveN != nil)) else {
            throw ValidationError(
                "--truth, --compare-defaults and --max-steps go with --solve <library-dir> (--max-steps also with --sweep-solve-n)")
        }
        if let sweepSolveN {
            guard parse(sweepSolveN) != nil else {
                throw ValidationError("--sweep-solve-n '\(sweepSolveN)': expected comma-separated positive integers")
            }
            guard solve == nil, library == nil else {
                throw ValidationError("--sweep-solve-n generates its libraries: give it without --solve or --library")
            }
        }
        guard solve == nil || library == nil else {
            throw ValidationError("--solve names the library itself: give it without --library")
        }
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
        if let solve { return try executeSolve(solve) }
        if let sweepSolveN { return try executeSolveSweep(parse(sweepSolveN)!) }
        let compute = try DeviceRequest.resolve(device, quiet: json, kernels: kernels, profiling: true)
        var settings = Benchmark.Settings()
        settings.steps = steps
        settings.warmup = warmup
        settings.seed = seed
        settings.chunk = chunk
        settings.sweepN = parse(sweepN)!
        settings.sweepQ = parse(sweepQ)!
        settings.sweepP = parse(sweepP)!
        settings.sweepSteps = sweepSteps
        settings.options = try config.map { try SolverOptions.load(path: $0) } ?? SolverOptions()
        let lib =
            try library.map { try LibraryLoader.load(directory: $0, sampleMaskPath: sampleMask) } ?? Benchmark.syntheticLibrary(seed: seed)
        do {
            emit(try Benchmark.trainingStep(library: lib, device: compute, settings: settings))
            if sweepShapes, let openCL = compute.openCL {
                for shape in OpenCLBackend.Configuration.candidates(for: openCL.info) {
                    var shaped = compute
                    shaped.kernelShape = shape
                    var record = try Benchmark.trainingStep(library: lib, device: shaped, settings: settings)
                    record.benchmark = "kernel-shape"
                    emit(record)
                }
            }
            guard sweep else { return }
            try Benchmark.sweeps(device: compute, settings: settings, onRecord: emit)
        } catch let failure as Benchmark.Failure {
            switch failure {
            case .device: throw CommandFailure(.deviceFailure, failure.description)
            case .invalidSettings: throw CommandFailure(.badInput, failure.description)
            }
        }
    }

    /// `--solve`: the whole solve with the settings given (or today's defaults), then with
    /// `--compare-defaults` the previous defaults, each one record.
    func executeSolve(_ directory: String) throws {
        let compute = try DeviceRequest.resolve(device, quiet: json, kernels: kernels, profiling: false)
        let lib = try LibraryLoader.load(directory: directory, sampleMaskPath: sampleMask)
        let truthTable = try truth.map { try FractionTable.read(contentsOfFile: $0) }
        let given = try SolveRunner.options(config: config, maxSteps: maxSteps)
        var runs: [(String, SolverOptions)] = [(config == nil ? "defaults" : "config", given)]
        if compareDefaults {
            // The settings file's own keys stay; every other setting takes its previous default.
            let keys = try config.map { path in
                try Set(JSONSettingsFile.object(Data(contentsOf: URL(fileURLWithPath: path)), path: path).keys)
            }
            // --max-steps holds for both solves.
            let kept = (keys ?? []).union(maxSteps == nil ? [] : ["maxSteps"])
            runs.append(("previous-defaults", given.withPreviousDefaults(except: kept)))
        }
        var first: Double?
        for (label, options) in runs {
            var record: Benchmark.SolveRecord
            do {
                record = try Benchmark.solve(
                    library: lib, device: compute, options: options, seed: seed, label: label, truth: truthTable)
            } catch let failure as Benchmark.Failure {
                throw CommandFailure(.deviceFailure, failure.description)
            }
            if let first { record.wallRatioToFirst = record.wallSeconds / first } else { first = record.wallSeconds }
            emit(record)
        }
    }

    /// `--sweep-solve-n`: for each count n, a generated library of the smallest composition grid
    /// with at least n samples ((D+1)(D+2)/2 for D divisions; `drnet synth`'s defaults and
    /// --seed), solved whole and scored against its truth: one record each.
    func executeSolveSweep(_ counts: [Int]) throws {
        let compute = try DeviceRequest.resolve(device, quiet: json, kernels: kernels, profiling: false)
        let options = try SolveRunner.options(config: config, maxSteps: maxSteps)
        for n in counts {
            var divisions = 1
            while (divisions + 1) * (divisions + 2) / 2 < n { divisions += 1 }
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("drnet-sweep-solve-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            let folder = scratch + "/mg-al-ti-o-\(n)"
            let synth = try SynthArguments.parse(["--divisions", String(divisions), "--seed", String(seed)])
            _ = try synth.generate(into: folder)
            let library = try LibraryLoader.load(directory: folder, sampleMaskPath: nil)
            let truth = try FractionTable.read(contentsOfFile: folder + "/truth-fractions.csv")
            var record: Benchmark.SolveRecord
            do {
                record = try Benchmark.solve(
                    library: library, device: compute, options: options, seed: seed, label: "sweep-solve", truth: truth)
            } catch let failure as Benchmark.Failure {
                throw CommandFailure(.deviceFailure, failure.description)
            }
            emit(record)
        }
    }

    func emit(_ r: Benchmark.SolveRecord) {
        output(r) {
            let st = r.stageSeconds
            let which = r.settings == "config" ? "settings file" : r.settings.replacingOccurrences(of: "-", with: " ")
            var text = String(
                format: "solve of %@ on %@ with the %@ (N=%d Q=%d P=%d): %.1f s wall\n", r.library, r.device, which, r.samples,
                r.gridPoints, r.candidates, r.wallSeconds)
            text += String(
                format: "  setup %.1f s, training %.1f s (%d steps, stopped: %@), polish %.1f s (%d steps), "
                    + "fine-tune %.1f s (%d steps), export %.1f s\n", st.setup, st.training, r.trainingSteps, r.stoppedBy, st.polish,
                r.polishSteps, st.fineTune, r.fineTuneSteps, st.export)
            text += String(
                format: "  per-sample steps of %d samples; %d phases used; peak memory %.0f MB", r.perSampleStepSamples,
                r.phasesUsed, r.peakMemoryMB)
            if let exact = r.exactPhaseSets, let share = r.exactPhaseSetShare, let error = r.meanFractionError {
                text += String(
                    format: "\n  against the truth: %d/%d exact phase sets (%.1f %%), mean fraction error %.4f", exact, r.samples,
                    100 * share, error)
            }
            if let ratio = r.wallRatioToFirst { text += String(format: "\n  wall time ratio to the first solve: %.2f", ratio) }
            if let peaks = r.stagePeakMemoryMB {
                text +=
                    "\n  peak memory after each stage: "
                    + ["setup", "training", "polish", "fineTune", "export"].compactMap { name in
                        peaks[name].map { String(format: "%@ %.0f MB", name, $0) }
                    }.joined(separator: ", ")
            }
            return text
        }
    }

    func emit(_ r: Benchmark.StepRecord) {
        output(r) {
            var text = String(
                format: """
                    %@ on %@ (%@): N=%d Q=%d P=%d batch %d (%@ model)
                    training step: median %.1f ms, mean %.1f ms over %d steps
                      encoder forward %.1f ms, loss + decoder (fwd+bwd) %.1f ms, encoder backward %.1f ms, Adam %.1f ms
                    inference: %.0f samples/s; peak memory %.0f MB
                    """, r.library, r.device, r.driver, r.samples, r.gridPoints, r.candidates, r.batch, r.model,
                r.medianStepMs, r.meanStepMs, r.steps, r.encoderForwardMs, r.lossAndDecoderMs,
                r.encoderBackwardMs, r.optimiserMs, r.inferenceSamplesPerSecond, r.peakMemoryMB)
            if let shape = r.kernelShape { text += "\nkernel shape: \(shape)" + (r.benchmark == "kernel-shape" ? " (shape sweep)" : "") }
            if let launches = r.kernelLaunchesPerStep, let syncs = r.hostSynchronisationsPerStep {
                text += String(
                    format: "\ndevice operations per training step: %.1f kernel launches, %.1f host synchronisations "
                        + "(blocking reads and finishes), %.1f kB up, %.1f kB down", launches, syncs,
                    (r.uploadBytesPerStep ?? 0) / 1000, (r.downloadBytesPerStep ?? 0) / 1000)
            }
            if let k = r.kernelMsPerStep {
                text +=
                    "\nkernel time per training step (OpenCL profiling): "
                    + k.sorted { $0.value > $1.value }.map { String(format: "%@ %.2f ms", $0.key, $0.value) }.joined(separator: ", ")
            }
            return text
        }
    }

    func emit(_ r: Benchmark.SweepRecord) {
        output(r) {
            if r.benchmark == "inference-N" {
                return String(
                    format: "N=%6d (Q=%d P=%d, chunks of %d): %8.0f samples/s, %.2f s on the device path, peak memory %.0f MB",
                    r.samples, r.gridPoints, r.candidates, r.chunk, r.inferenceSamplesPerSecond, r.inferSeconds ?? 0, r.peakMemoryMB)
            }
            return String(
                format: "%@ sweep: Q=%5d P=%4d: training step median %7.1f ms, inference %7.0f samples/s",
                String(r.benchmark.dropFirst("sweep-".count)), r.gridPoints, r.candidates, r.medianStepMs ?? 0,
                r.inferenceSamplesPerSecond)
        }
    }

    func output<T: Encodable>(_ record: T, text: () -> String) {
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.sortedKeys]
            // Written straight to the file descriptor: a redirected stdout would hold the lines
            // until the process exits, and a sweep runs for minutes.
            if let data = try? enc.encode(record) { writeUnbuffered(STDOUT_FILENO, data + Data("\n".utf8)) }
        } else {
            writeUnbuffered(STDOUT_FILENO, Data((text() + "\n").utf8))
        }
    }
}
