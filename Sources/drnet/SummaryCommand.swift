import ArgumentParser
import DRNetCore
import Foundation

/// `drnet summary <solution-dirs…> [--truth F] [--json]`: one table over many solves (a Slurm
/// array's output, a wafer a day): phases used, rule violations, reconstruction share, the score
/// against a truth when there is one, wall time and device. Exit status 2 when a folder could
/// not be read (its row says why), else 0.
struct Summary: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Gather many solutions into one table: phases, rule violations, score against a truth, wall time, device.",
        discussion: """
            Each <solution> is a folder written by `drnet solve` (or any solution `drnet check` reads). The library is \
            the one its solution.json names. The truth is --truth for every solution, else the library's \
            truth-fractions.csv when it has one (synthetic libraries from `drnet synth`). A folder that cannot be read \
            gives a row with its error; the others are still summarised, and the exit status is 2.
            """)

    @Argument(help: "Solution folders.") var solutions: [String]
    @Option(help: "Truth fractions CSV to score every solution against (default: each library's truth-fractions.csv, if any).")
    var truth: String?
    @Option(parsing: .unconditional, help: "Presence threshold on fractions.") var threshold: Double = PhaseMapMetrics.defaultThreshold
    @Flag(help: "One JSON object per solution, one per line.") var json = false

    func validate() throws {
        guard !solutions.isEmpty else { throw ValidationError("give at least one solution folder") }
        guard threshold.isFinite, threshold > 0, threshold < 1 else {
            throw ValidationError("--threshold must be a fraction between 0 and 1 (exclusive), got \(threshold)")
        }
    }

    func execute() throws {
        let rows = solutions.map { SolutionSummary.row(solution: $0, truth: truth, threshold: threshold) }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            for row in rows { print(String(decoding: try encoder.encode(row), as: UTF8.self)) }
        } else {
            print(SolutionSummary.table(rows))
        }
        if rows.contains(where: { $0.error != nil }) { throw ExitCode(ExitStatus.badInput.rawValue) }
    }
}
