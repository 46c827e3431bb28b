import ArgumentParser
import DRNetCore
import Foundation

/// `drnet plot <solution> [--library DIR] [--out DIR] [--samples i,j,…] [--no-png]`.
struct Plot: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract:
            "Draw a solution: ternary phase maps, the phase-region map, per-sample fits and the loss curves (SVG, and PNG via rsvg-convert).",
        discussion: """
            <solution> is a solution folder (solution.txt / solution.json) or a community key=value solution file. \
            Pictures go to --out (default: <solution-dir>/plots, or ./plots for a file). Fit plots need per-phase \
            reconstructions (R<i>_<k>, in solution.txt); loss curves need solution.json. PNGs are made when \
            rsvg-convert (Debian: librsvg2-bin) is installed.
            """)

    @Argument(help: "Solution folder or solution file.") var solution: String
    @Option(help: "Library folder (default: libraryPath in solution.json).") var library: String?
    @Option(help: "Output folder for the pictures.") var out: String?
    @Option(
        help: "Samples (zero-based, comma-separated) to draw fit plots for (default: a few chosen: worst fit, most phases, median fit, …).")
    var samples: String?
    @Option(parsing: .unconditional, help: "Presence threshold on normalised fractions.") var threshold: Double = 0.01
    @Flag(help: "SVG only, no PNG.") var noPng = false
    @Flag(
        help:
            "Instead: solve the built-in synthetic library (SyntheticLibrary.make, no external data) and write its solution and pictures to <solution> (the README's example image)."
    ) var syntheticExample = false

    func execute() throws {
        if syntheticExample { return try SyntheticExample.run(out: solution, png: !noPng) }
        var picks: [Int]?
        if let samples {
            picks = try samples.split(separator: ",").map {
                guard let i = Int($0.trimmingCharacters(in: .whitespaces)), i >= 0 else {
                    throw ValidationError("--samples: \"\($0)\" is not a sample index (zero-based integer)")
                }
                return i
            }
        }
        let loaded = try SolutionLoader.load(path: solution, libraryPath: library)
        if let bad = picks?.first(where: { $0 >= loaded.library.sampleCount }) {
            throw CommandFailure(.badInput, "--samples: \(bad) is not below the library's \(loaded.library.sampleCount) samples")
        }
        var isDir: ObjCBool = false
        let isFolder = FileManager.default.fileExists(atPath: solution, isDirectory: &isDir) && isDir.boolValue
        let folder = out ?? (isFolder ? solution + "/plots" : "plots")
        let written = try SolutionPlots.write(
            try SolutionPlotData(loaded, presenceThreshold: threshold), to: folder,
            samples: picks, png: !noPng)
        print("pictures written to \(folder)/: \(written.svg.count) SVG, \(written.png.count) PNG")
        for n in written.notes { print("note: \(n)") }
    }
}

/// The README's example: a small solve of the built-in synthetic ternary (three corner phases
/// mixed by the lever rule, two distractor candidates), written like `solve` writes, with pictures.
enum SyntheticExample {
    static func run(out: String, png: Bool) throws {
        let syn = SyntheticLibrary.make(divisions: 10, gridCount: 300, qRange: 15...60, sticksPerPhase: 12, distractors: 2, seed: 7)
        var o = SolverOptions()
        o.hiddenLayers = [128, 128]
        o.learningRate = 1e-3
        o.pretrainSteps = 600
        o.rampUnit = 20
        o.maxSteps = 2500
        o.convergenceWindow = 250
        o.walkPoolSize = 300
        o.polishSteps = 500
        o.fineTuneSteps = 400
        let solver = try DRNetSolver(problem: PreparedProblem(library: syn.library, options: o), options: o, seed: 1)
        var s = solver.solve()
        s.libraryPath = nil
        try SolutionWriter.write(s, to: out)
        let contributions = solver.phaseContributions(phases: s.usedPhases)
        let community = CommunitySolution(
            solution: s, library: syn.library, contributions: contributions, background: solver.backgroundContributions())
        try CommunitySolutionWriter.write(community, to: out + "/solution.txt")
        let loaded = LoadedSolution(path: out, community: community, ours: s, library: syn.library, libraryPath: "built-in synthetic")
        let written = try SolutionPlots.write(try SolutionPlotData(loaded), to: out + "/plots", png: png)
        let report = SolutionCheck(input: try loaded.checkInput())
        print(report.summary())
        print("pictures written to \(out)/plots/: \(written.svg.count) SVG, \(written.png.count) PNG")
        for n in written.notes { print("note: \(n)") }
    }
}
