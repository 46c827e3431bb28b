import ArgumentParser
import DRNetCore
import Foundation

/// `drnet plot <solution> [--library DIR] [--out DIR] [--samples i,j,…] [--no-png]`.
struct Plot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw a solution: ternary phase maps, the phase-region map, per-sample fits and the loss curves (SVG, and PNG via rsvg-convert).",
        discussion: """
            <solution> is a solution folder (solution.txt / solution.json) or a community key=value solution file. \
            Pictures go to --out (default: <solution-dir>/plots, or ./plots for a file). Fit plots need per-phase \
            reconstructions (R<i>_<k>, in solution.txt); loss curves need solution.json. PNGs are made when \
            rsvg-convert (Debian: librsvg2-bin) is installed.
            """)

    @Argument(help: "Solution folder or solution file.") var solution: String
    @Option(help: "Library folder (default: libraryPath in solution.json).") var library: String?
    @Option(help: "Output folder for the pictures.") var out: String?
    @Option(help: "Samples (zero-based, comma-separated) to draw fit plots for (default: a few chosen: worst fit, most phases, median fit, …).") var samples: String?
    @Option(help: "Presence threshold on normalised fractions.") var threshold: Double = 0.01
    @Flag(help: "SVG only, no PNG.") var noPng = false

    func run() throws {
        var picks: [Int]?
        if let samples {
            picks = try samples.split(separator: ",").map {
                guard let i = Int($0.trimmingCharacters(in: .whitespaces)), i >= 0 else {
                    throw ValidationError("--samples: \"\($0)\" is not a sample index (zero-based integer)")
                }
                return i
            }
        }
        do {
            let loaded = try SolutionLoader.load(path: solution, libraryPath: library)
            if let bad = picks?.first(where: { $0 >= loaded.library.sampleCount }) {
                throw ValidationError("--samples: \(bad) is not below the library's \(loaded.library.sampleCount) samples")
            }
            var isDir: ObjCBool = false
            FileManager.default.fileExists(atPath: solution, isDirectory: &isDir)
            let folder = out ?? (isDir.boolValue ? solution + "/plots" : "plots")
            let written = try SolutionPlots.write(try SolutionPlotData(loaded, presenceThreshold: threshold), to: folder,
                                                  samples: picks, png: !noPng)
            print("pictures written to \(folder)/: \(written.svg.count) SVG, \(written.png.count) PNG")
            for n in written.notes { print("note: \(n)") }
        } catch let e as InputError {
            stderr("error: \(e.description)")
            throw ExitCode(2)
        }
    }
}
