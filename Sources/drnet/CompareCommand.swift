import ArgumentParser
import DRNetCore
import Foundation

struct Compare: ReportingCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the same solve (same seed and settings) on several devices and report how far the results are apart.",
        discussion: """
            Solves <library-dir> once per device of --devices (default cpu,opencl), writing each solution to \
            <out>/<device>/ as `drnet solve` does (without pictures), then compares each to the first: per-sample phase sets, fraction and shift \
            differences, loss curves and the wall-time ratio. With --solutions A,B it compares two existing \
            solution folders instead of solving.
            """)

    @Argument(help: "Library folder (not needed with --solutions).") var libraryDir: String?
    @Option(help: "Devices to run, comma-separated (auto, cpu, opencl, opencl:P.D).") var devices: String = "cpu,opencl"
    @Option(help: "Compare these existing solution folders (comma-separated) instead of solving.") var solutions: String?
    @Option(help: "Per-sample allowed-phase mask (N×P, .npy or CSV).") var sampleMask: String?
    @Option(help: "Per-sample degrees of freedom (N, .npy or one integer per line).") var degreesOfFreedom: String?
    @Option(help: "JSON settings file (see configs/).") var config: String?
    @Option(parsing: .unconditional, help: "Random seed (the same for every device).") var seed: UInt64 = 1
    @Option(parsing: .unconditional, help: "Override the step cap of the config.") var maxSteps: Int?
    @Option(help: "Folder of the OpenCL kernels.") var kernels: String?
    @Option(parsing: .unconditional, help: "A phase is present where its fraction exceeds this.") var threshold: Double = 0
    @Option(help: "Output folder (one subfolder per device).") var out: String = "drnet-compare"
    @Flag(help: "Print the comparison as JSON on stdout.") var json = false
    @Flag(help: "No progress lines on stderr.") var quiet = false

    func execute() throws {
        var runs: [(name: String, solution: PhaseMapSolution)] = []
        if let solutions {
            let dirs = solutions.split(separator: ",").map(String.init)
            guard dirs.count >= 2 else { throw ValidationError("--solutions needs at least two folders, got '\(solutions)'") }
            for dir in dirs { runs.append((dir, try SolutionFile.read(directory: dir))) }
        } else {
            guard let libraryDir else { throw ValidationError("give a library folder, or --solutions A,B") }
            let list = devices.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
            guard list.count >= 2 else { throw ValidationError("--devices needs at least two devices, got '\(devices)'") }
            // Resolve every device first: a device that cannot be opened fails before any work.
            let computes = try list.map { try DeviceRequest.resolve($0, quiet: quiet, kernels: kernels) }
            let library = try LibraryLoader.load(directory: libraryDir, sampleMaskPath: sampleMask, degreesOfFreedomPath: degreesOfFreedom)
            let options = try SolveRunner.options(config: config, maxSteps: maxSteps)
            let problem = try PreparedProblem(library: library, options: options)
            for (label, compute) in zip(list, computes) {
                if !quiet { stderr("drnet compare: solving on \(compute.name)") }
                let dir = out + "/" + label.replacingOccurrences(of: ":", with: "_")
                // The solve pipeline of `drnet solve` (pictures left out: the comparison is the point).
                let solution = try SolveRunner.solve(
                    problem: problem, options: options, seed: seed,
                    compute: compute, quiet: quiet, out: dir, plots: false)
                if solution.stoppedBy == .interrupted {
                    stderr("drnet compare: interrupted; the unfinished solution is in \(dir)")
                    throw ExitCode(ExitStatus.interrupted.rawValue)
                }
                runs.append((label, solution))
            }
        }
        var reports: [SolutionComparison] = []
        for other in runs.dropFirst() {
            reports.append(
                try SolutionComparison(runs[0].solution, other.solution, names: (runs[0].name, other.name), threshold: threshold))
        }
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            print(String(decoding: try enc.encode(reports), as: UTF8.self))
        } else {
            for r in reports { print(r.text) }
        }
    }
}
