import ArgumentParser
import DRNetCore
import Foundation

/// `drnet eval <solution> --truth <truth.csv> [--threshold T] [--json]`: scores a solution's phase
/// fractions against a truth (or reference) fraction table.
struct Eval: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a solution's phase fractions against a truth fraction table.",
        discussion: """
            Both files are CSV: header `sample,<phase name>…`, one row per sample (zero-based index). \
            Phases are matched by exact name; a phase missing from one file counts as fraction 0 there. \
            Fractions sum to 1 per sample (a table in percent is an error). \
            A phase is present in a sample when its fraction is ≥ the threshold (between 0 and 1).
            """
    )

    @Argument(help: "Solution folder (its fractions.csv is read), a fractions CSV file, or a community key=value solution file (.txt).")
    var solution: String

    @Option(help: "Truth (or reference) fractions CSV.")
    var truth: String

    @Option(
        parsing: .unconditional, help: "Presence threshold, a fraction between 0 and 1: a phase is present when its fraction is ≥ this.")
    var threshold: Double = PhaseMapMetrics.defaultThreshold

    @Flag(help: "Print the result as a JSON object (sorted keys, pretty).")
    var json = false

    func validate() throws {
        guard threshold.isFinite, threshold > 0, threshold < 1 else {
            throw ValidationError(
                "--threshold must be a fraction between 0 and 1 (exclusive; fractions, not percent), got \(threshold).")
        }
    }

    func execute() throws {
        let result = try PhaseMapMetrics.evaluate(solutionPath: solution, truthFile: truth, threshold: threshold)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(result)
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(result.summary())
        }
    }
}
