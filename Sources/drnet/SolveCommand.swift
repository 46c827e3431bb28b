import ArgumentParser
import DRNetCore
import Foundation

struct Solve: ReportingCommand {
    static let configuration = CommandConfiguration(
        abstract: "Solve a composition library: phase fractions and shifts per sample that obey the phase rules.",
        discussion: """
            <library-dir> holds instance.txt (or npy/XRD.npy, npy/Q.npy, npy/composition.npy), sticks.csv or sticks.txt, \
            and optionally phase-compositions.csv and edges.csv / neighbors.txt. Writes fractions.csv, shifts.csv and \
            solution.json, solution.txt (community key=value format) and plots/ to --out. Progress goes to stderr. \
            A checkpoint (<out>/checkpoint.drnet) is written every --checkpoint-every minutes and on SIGINT/SIGTERM; \
            `drnet solve --resume <out>` continues that run to the same result as an uninterrupted run.
            """)

    @Argument(help: "Library folder (with --resume: only when the library has moved since the run began).") var libraryDir: String?
    @Option(help: "Per-sample allowed-phase mask (N×P, .npy or CSV).") var sampleMask: String?
    @Option(help: "Per-sample degrees of freedom (N, .npy or one integer per line).") var degreesOfFreedom: String?
    @Option(help: "JSON settings file (see configs/); keys not given keep their defaults.") var config: String?
    @Option(parsing: .unconditional, help: "Random seed: every random choice flows from it.") var seed: UInt64 = 1
    @Option(
        help:
            "Compute device: auto, cpu, opencl or opencl:P.D (auto: an OpenCL GPU if there is one, else the CPU, saying why; see `drnet devices`)."
    ) var device: String = "auto"
    @Option(help: "Folder of the OpenCL kernels (default: DRNET_KERNELS, Kernels/ next to the executable, the source tree).") var kernels:
        String?
    @Option(parsing: .unconditional, help: "Override the step cap of the config.") var maxSteps: Int?
    @Option(help: "Output folder.") var out: String = "drnet-solution"
    @Flag(help: "Print the run summary as JSON on stdout.") var json = false
    @Flag(help: "No progress lines on stderr.") var quiet = false
    // Issue 4 (checkpoints, resume, pictures): see SolveCheckpoints.swift.
    @Option(help: "Resume the run whose checkpoint is in this folder (its --out); library, settings and seed come from the checkpoint.")
    var resume: String?
    @Option(parsing: .unconditional, help: "Minutes between checkpoints (0: only on SIGINT/SIGTERM).") var checkpointEvery: Double = 5
    @Flag(help: "Do not draw the pictures (plots/).") var noPlots = false
    @Flag(help: "Replace the solution (and checkpoint) of another run that --out already holds.") var overwrite = false

    func execute() throws {
        // Settings and the output folder first (cheap checks), then the device (a device that
        // cannot be opened fails before a large library is read), then the library.
        if resume != nil && (config != nil || maxSteps != nil) {
            throw ValidationError("--resume takes the settings and seed from the checkpoint: no --config or --max-steps")
        }
        let resumed = try resume.map { try SolveCheckpoints.load(directory: $0) }
        let options = try SolveRunner.options(base: resumed?.checkpoint.metadata.options, config: config, maxSteps: maxSteps)
        guard checkpointEvery >= 0, checkpointEvery.isFinite else { throw ValidationError("--checkpoint-every must be ≥ 0 minutes") }
        let out = resume ?? self.out
        if resumed == nil { try SolveOutput.claim(out, overwrite: overwrite) }
        let compute = try DeviceRequest.resolve(device, quiet: quiet, kernels: kernels)
        // With --resume the library is the checkpoint's, or the folder given (a moved library):
        // the checkpoint's fingerprint makes sure it is the same data.
        guard let libraryDir = self.libraryDir ?? resumed?.libraryDir else {
            throw ValidationError("give a library folder, or --resume DIR")
        }
        let (sampleMask, degreesOfFreedom) =
            resumed.map { ($0.sampleMask, $0.degreesOfFreedom) } ?? (self.sampleMask, self.degreesOfFreedom)
        let seed = resumed?.checkpoint.metadata.seed ?? self.seed
        let library = try LibraryLoader.load(
            directory: libraryDir, sampleMaskPath: sampleMask,
            degreesOfFreedomPath: degreesOfFreedom)
        let solution = try SolveRunner.solve(
            library: library, options: options, seed: seed,
            compute: compute, quiet: quiet, out: out, plots: !noPlots
        ) { solver in
            if let resumed {
                try solver.restore(resumed.checkpoint)
                if !quiet { stderr("drnet: resuming \(out) at step \(solver.step) (\(solver.run.stage.rawValue))") }
            }
            let absolute = { (p: String) in URL(fileURLWithPath: p).standardizedFileURL.path }
            var context = ["libraryDir": absolute(libraryDir), "device": device]
            if let sampleMask { context["sampleMask"] = absolute(sampleMask) }
            if let degreesOfFreedom { context["degreesOfFreedom"] = absolute(degreesOfFreedom) }
            try SolveCheckpoints.install(on: solver, out: out, minutes: checkpointEvery, context: context, quiet: quiet)
        }
        let summary = SolveSummary(solution: solution, out: out, plots: !noPlots)
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try enc.encode(summary), as: UTF8.self))
        } else {
            print(summary.text)
        }
        if solution.stoppedBy == .interrupted {
            stderr(
                "drnet: interrupted: the solution in \(out) is from an unfinished run (solution.json says so); "
                    + "continue it with: drnet solve --resume \(out)")
            throw ExitCode(ExitStatus.interrupted.rawValue)
        }
    }
}

/// What `solve` prints at the end.
struct SolveSummary: Codable {
    var out: String
    var phasesUsed: [String]
    var maxPhasesPerSample: Int
    var meanReconstructionError: Double
    var trainingSteps: Int
    var fineTuneSteps: Int
    var stoppedBy: String
    var wallSeconds: Double
    var device: String

    var files: [String]
    var warnings: [String]

    init(solution s: PhaseMapSolution, out: String, plots: Bool = true) {
        self.out = out
        files = ["fractions.csv", "shifts.csv", "solution.json", "solution.txt"] + (plots ? ["plots/"] : [])
        warnings = s.warnings ?? []
        phasesUsed = s.usedPhases.map { s.phaseNames[$0] }
        maxPhasesPerSample = (0..<s.sampleCount).map { i in s.fractions(of: i).filter { $0 > 0 }.count }.max() ?? 0
        meanReconstructionError = s.reconstructionErrorShare.reduce(0, +) / Double(max(s.sampleCount, 1))
        trainingSteps = s.trainingSteps
        fineTuneSteps = s.fineTuneSteps
        stoppedBy = s.stoppedBy.rawValue
        wallSeconds = s.wallSeconds
        device = s.device
    }

    var text: String {
        """
        solution written to \(out)/ (\(files.joined(separator: ", ")))
        phases used (\(phasesUsed.count)): \(phasesUsed.joined(separator: ", "))
        at most \(maxPhasesPerSample) phases per sample; mean reconstruction L1 share \(String(format: "%.4f", meanReconstructionError))
        \(trainingSteps) training + \(fineTuneSteps) fine-tune steps (\(stoppedBy)) in \(String(format: "%.1f", wallSeconds)) s on \(device)
        """
    }
}

func stderr(_ line: String) {
    writeUnbuffered(STDERR_FILENO, Data((line + "\n").utf8))
}

/// Writes `data` straight to a file descriptor with `write(2)`. Unlike `FileHandle.write`, which
/// traps when the write fails, a closed or full stream (stderr redirected to a full disk, a pipe
/// whose reader has gone) only loses the line: progress and messages never crash a run.
func writeUnbuffered(_ fd: Int32, _ data: Data) {
    _ = AtomicFile.writeAll(fd, data)
}
