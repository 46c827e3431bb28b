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
            A phase is present in a sample when its fraction is ≥ the threshold.
            """
    )

    @Argument(help: "Solution folder (its fractions.csv is read), a fractions CSV file, or a community key=value solution file (.txt).")
    var solution: String

    @Option(help: "Truth (or reference) fractions CSV.")
    var truth: String

    @Option(help: "Presence threshold: a phase is present when its fraction is ≥ this.")
    var threshold: Double = PhaseMapMetrics.defaultThreshold

    @Flag(help: "Print the result as a JSON object (sorted keys, pretty).")
    var json = false

    func validate() throws {
        guard threshold.isFinite, threshold > 0 else {
            throw ValidationError("--threshold must be a finite number > 0, got \(threshold).")
        }
    }

    /// `<solution>/fractions.csv` when `solution` is a folder, else `solution` itself.
    static func solutionFile(for path: String) -> String {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            return URL(fileURLWithPath: path).appendingPathComponent("fractions.csv").path
        }
        return path
    }

    func execute() throws {
        let result: PhaseMapEvaluation
        do {
            let file = Eval.solutionFile(for: solution)
            if !file.hasSuffix(".csv") {
                // Issue 4: a community key=value solution file (solution.txt, IAFD's, …).
                let table = try CommunitySolutionReader.read(path: file).fractionTable()
                result = try PhaseMapMetrics.evaluate(
                    solution: table, truth: FractionTable.read(contentsOfFile: truth),
                    threshold: threshold, solutionFile: file, truthFile: truth)
            } else {
                result = try PhaseMapMetrics.evaluate(solutionFile: file, truthFile: truth, threshold: threshold)
            }
        } catch let e as InputError {
            FileHandle.standardError.write(Data("error: \(e.description)\n".utf8))
            throw ExitCode(ExitStatus.badInput.rawValue)
        } catch let e as ConfigurationError {
            FileHandle.standardError.write(Data("error: \(e.description)\n".utf8))
            throw ExitCode(ExitStatus.badInput.rawValue)
        }
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
