import ArgumentParser
import DRNetCore
import Foundation

/// `drnet demo [--out DIR]`: generate → solve → evaluate on the shipped Mg-Al-Ti-O structures.
struct Demo: ReportingCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate a synthetic Mg-Al-Ti-O library, solve it and score the solution against the known truth.",
        discussion: """
            Writes the library (as drnet synth) to --out, the solution (as drnet solve) to --out/solution/, and prints \
            the evaluation (as drnet eval --truth --out/truth-fractions.csv). Needs no data of your own; about a minute \
            on 2 cores in a release build. The solver settings are Demo.solverOptions (a shorter schedule than the \
            reference's, sized for this library); --config replaces them.
            """)

    @OptionGroup var synth: SynthArguments
    @Option(help: "Output folder (library, truth, solution/).") var out: String = "drnet-demo"
    @Option(help: "JSON solver settings replacing the demo's (see configs/).") var config: String?
    @Option(parsing: .unconditional, help: "Override the step cap.") var maxSteps: Int?
    @Option(parsing: .unconditional, help: "Solver seed.") var solverSeed: UInt64 = 1
    @Option(help: "Compute device: auto, cpu, opencl or opencl:P.D.") var device: String = "auto"
    @Flag(help: "No progress lines on stderr.") var quiet = false

    /// The demo's solver settings: the reference model and losses with encoder widths 256-256-128
    /// instead of 1024-1024-512 (a 7-candidate, 136-sample library needs no more; 8× fewer
    /// multiply-adds per step, same recovery in our runs), constraint terms from step 2000 and at
    /// most 8000 training steps (convergence checked every 500), default polish and fine-tune:
    /// about 22 s on 2 cores in a release build, pictures included.
    static var solverOptions: SolverOptions {
        var o = SolverOptions()
        o.hiddenLayers = [256, 256, 128]
        o.pretrainSteps = 2000
        o.maxSteps = 8000
        o.convergenceWindow = 500
        return o
    }

    func execute() throws {
        let start = Date()
        let compute = try DeviceRequest.resolve(device, quiet: quiet)
        let result = try synth.generate(into: out)
        let library = try LibraryLoader.load(directory: out)
        let generated = Date().timeIntervalSince(start)
        if !quiet {
            stderr(
                "drnet demo: generated \(out)/ (N=\(library.sampleCount), Q=\(library.gridCount), \(library.phaseCount) candidates, "
                    + "\(result.truthFractions.phases.count) true phases) in \(String(format: "%.1f", generated)) s")
        }
        let options = try SolveRunner.options(config: config, fallback: Demo.solverOptions, maxSteps: maxSteps)
        let solutionDir = (out as NSString).appendingPathComponent("solution")
        let solution = try SolveRunner.solve(
            library: library, options: options, seed: solverSeed,
            compute: compute, quiet: quiet, out: solutionDir)
        let truthFile = (out as NSString).appendingPathComponent("truth-fractions.csv")
        let evaluation = try PhaseMapMetrics.evaluate(
            solutionFile: (solutionDir as NSString).appendingPathComponent("fractions.csv"),
            truthFile: truthFile)
        let total = Date().timeIntervalSince(start)
        print(SolveSummary(solution: solution, out: solutionDir).text)
        print("")
        print(evaluation.summary(maxMismatches: 10))
        print("")
        let phaseSetOK = evaluation.phasesOnlyInSolution.isEmpty && evaluation.phasesOnlyInTruth.isEmpty
        let recovered = phaseSetOK && evaluation.exactMatchShare >= 0.95 && evaluation.meanFractionError <= 0.03
        print(
            "demo: phase set \(phaseSetOK ? "correct" : "WRONG"), exact per-sample phase sets "
                + String(format: "%.1f%%", 100 * evaluation.exactMatchShare) + ", mean fraction error "
                + String(format: "%.4f", evaluation.meanFractionError) + " → truth "
                + (recovered ? "recovered" : "NOT recovered") + " (targets: correct set, ≥ 95 %, ≤ 0.03); "
                + String(format: "%.1f s in all", total))
        if solution.stoppedBy == .interrupted { throw ExitCode(ExitStatus.interrupted.rawValue) }
    }
}
