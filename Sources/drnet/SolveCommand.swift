import ArgumentParser
import DRNetCore
import Foundation

struct Solve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Solve a composition library: phase fractions and shifts per sample that obey the phase rules.",
        discussion: """
        <library-dir> holds instance.txt (or npy/XRD.npy, npy/Q.npy, npy/composition.npy), sticks.csv or sticks.txt, \
        and optionally phase-compositions.csv and edges.csv / neighbors.txt. Writes fractions.csv, shifts.csv and \
        solution.json, solution.txt (community key=value format) and plots/ to --out. Progress goes to stderr. \
        A checkpoint (<out>/checkpoint.drnet) is written every --checkpoint-every minutes and on SIGINT/SIGTERM; \
        `drnet solve --resume <out>` continues that run to the same result as an uninterrupted run.
        """)

    @Argument(help: "Library folder (not with --resume).") var libraryDir: String?
    @Option(help: "Per-sample allowed-phase mask (N×P, .npy or CSV).") var sampleMask: String?
    @Option(help: "Per-sample degrees of freedom (N, .npy or one integer per line).") var degreesOfFreedom: String?
    @Option(help: "JSON settings file (see configs/); keys not given keep their defaults.") var config: String?
    @Option(help: "Random seed: every random choice flows from it.") var seed: UInt64 = 1
    @Option(help: "Compute device: auto, cpu, opencl or opencl:P.D (auto falls back to the CPU and says why; the OpenCL backend is not implemented yet).") var device: String = "auto"
    @Option(help: "Override the step cap of the config.") var maxSteps: Int?
    @Option(help: "Output folder.") var out: String = "drnet-solution"
    @Flag(help: "Print the run summary as JSON on stdout.") var json = false
    @Flag(help: "No progress lines on stderr.") var quiet = false
    // Issue 4 (checkpoints, resume, pictures): see SolveCheckpoints.swift.
    @Option(help: "Resume the run whose checkpoint is in this folder (its --out); library, settings and seed come from the checkpoint.") var resume: String?
    @Option(help: "Minutes between checkpoints (0: only on SIGINT/SIGTERM).") var checkpointEvery: Double = 5
    @Flag(help: "Do not draw the pictures (plots/).") var noPlots = false

    func run() throws {
        _ = try DeviceChoice.resolve(device, quiet: quiet)
        let resumed = try resume.map { try SolveCheckpoints.load(directory: $0) }
        guard let libraryDir = resumed?.libraryDir ?? libraryDir else { throw ValidationError("give a library folder, or --resume DIR") }
        if resumed != nil && (self.libraryDir != nil || config != nil || maxSteps != nil) {
            throw ValidationError("--resume takes the library, settings and seed from the checkpoint: no <library-dir>, --config or --max-steps")
        }
        let out = resume ?? self.out
        let (sampleMask, degreesOfFreedom) = resumed.map { ($0.sampleMask, $0.degreesOfFreedom) } ?? (self.sampleMask, self.degreesOfFreedom)
        let seed = resumed?.checkpoint.metadata.seed ?? self.seed
        let library = try LibraryLoader.load(directory: libraryDir, sampleMaskPath: sampleMask,
                                             degreesOfFreedomPath: degreesOfFreedom)
        var options = try resumed?.checkpoint.metadata.options ?? config.map { try SolverOptions.load(path: $0) } ?? SolverOptions()
        if let maxSteps {
            guard maxSteps >= 1 else { throw ValidationError("--max-steps must be ≥ 1") }
            options.maxSteps = maxSteps
        }
        try options.validate()
        let problem = try PreparedProblem(library: library, options: options)
        let solver = try DRNetSolver(problem: problem, options: options, seed: seed)
        if let resumed {
            try solver.restore(resumed.checkpoint)
            if !quiet { stderr("drnet: resuming \(out) at step \(solver.step) (\(solver.run.stage.rawValue))") }
        }
        guard checkpointEvery >= 0, checkpointEvery.isFinite else { throw ValidationError("--checkpoint-every must be ≥ 0 minutes") }
        let absolute = { (p: String) in URL(fileURLWithPath: p).standardizedFileURL.path }
        var context = ["libraryDir": absolute(libraryDir), "device": device]
        if let sampleMask { context["sampleMask"] = absolute(sampleMask) }
        if let degreesOfFreedom { context["degreesOfFreedom"] = absolute(degreesOfFreedom) }
        try SolveCheckpoints.install(on: solver, out: out, minutes: checkpointEvery, context: context, quiet: quiet)
        if !quiet {
            stderr("drnet: \(library.name): N=\(library.sampleCount) Q=\(library.gridCount) P=\(library.phaseCount) "
                   + "M=\(library.elementCount); mask: \(problem.maskSource); graph: \(problem.graphSource) "
                   + "(\(problem.graph.edges.count) edges); model: \(options.model.rawValue); seed \(seed)")
            if let screening = solver.screening {
                let kept = solver.candidateSwitch.filter { $0 > 0 }.count
                let top = (0..<library.phaseCount).sorted { screening.usage[$0] > screening.usage[$1] }.prefix(8)
                stderr("drnet: screening (NNLS, broadened peaks): \(kept) of \(library.phaseCount) candidates kept; "
                       + "largest usage: " + top.map { "\(library.phases[$0].name) \(String(format: "%.1f", screening.usage[$0]))" }.joined(separator: ", "))
            }
            solver.progress = { p in
                let r = p.record
                stderr(String(format: "[%@] step %d/%d  loss %.3f  recon %.3f  gibbs %.3f (γ %.2f)  smooth %.3f  violating %.0f%%  %.0fs elapsed, ≤%.0fs left",
                              p.stage, p.step, p.stepCap, r.total, r.reconstruction, r.gibbs, r.gibbsWeight, r.smoothness,
                              100 * r.violatingShare, p.elapsedSeconds, p.etaSeconds))
            }
        }
        Interrupt.install()
        solver.shouldStop = { Interrupt.requested }
        var solution = solver.solve()
        solution.libraryPath = libraryDir
        try SolutionWriter.write(solution, to: out)
        try SolveExtras.write(solver: solver, solution: solution, library: library, out: out, plots: !noPlots, quiet: quiet)
        if solution.stoppedBy != "interrupted" { SolveCheckpoints.remove(out: out) }
        let summary = SolveSummary(solution: solution, out: out)
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try enc.encode(summary), as: UTF8.self))
        } else {
            print(summary.text)
        }
        if solution.stoppedBy == "interrupted" {
            stderr("drnet: interrupted: the solution in \(out) is from an unfinished run (solution.json says so); "
                   + "continue it with: drnet solve --resume \(out)")
            throw ExitCode(130)
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

    init(solution s: PhaseMapSolution, out: String) {
        self.out = out
        phasesUsed = s.usedPhases.map { s.phaseNames[$0] }
        maxPhasesPerSample = (0..<s.sampleCount).map { i in s.fractions(of: i).filter { $0 > 0 }.count }.max() ?? 0
        meanReconstructionError = s.reconstructionErrorShare.reduce(0, +) / Double(max(s.sampleCount, 1))
        trainingSteps = s.trainingSteps
        fineTuneSteps = s.fineTuneSteps
        stoppedBy = s.stoppedBy
        wallSeconds = s.wallSeconds
        device = s.device
    }

    var text: String {
        """
        solution written to \(out)/ (fractions.csv, shifts.csv, solution.json, solution.txt, plots/)
        phases used (\(phasesUsed.count)): \(phasesUsed.joined(separator: ", "))
        at most \(maxPhasesPerSample) phases per sample; mean reconstruction L1 share \(String(format: "%.4f", meanReconstructionError))
        \(trainingSteps) training + \(fineTuneSteps) fine-tune steps (\(stoppedBy)) in \(String(format: "%.1f", wallSeconds)) s on \(device)
        """
    }
}

func stderr(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
