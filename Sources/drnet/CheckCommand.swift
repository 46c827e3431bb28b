import ArgumentParser
import DRNetCore
import Foundation

/// `drnet check <solution> [--library DIR] [--json]`: the physics rules and the reconstruction
/// error of a solution, ours or a peer's; exit status 1 when a gated rule is violated.
struct Check: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a solution against the phase rules (Gibbs, alloying, connectivity, element) and report its reconstruction error.",
        discussion: """
            <solution> is a solution folder written by `drnet solve` (solution.txt and/or solution.json) or a \
            solution file in the community key=value format (K=, BName<k>=, Q=, B<k>=, C<i>=, R<i>_<k>=, S<i>=, L=, \
            L_proportion=), e.g. IAFD's. The library is --library, or the one named in solution.json. Concentrations \
            are normalised per sample; a phase is present where its fraction is ≥ --threshold. Exit status: 0 when no \
            gated rule is violated, 1 when one is, 2 on bad input.
            """)

    @Argument(help: "Solution folder or solution file (key=value text, or solution.json).") var solution: String
    @Option(help: "Library folder (default: libraryPath in the solution's solution.json).") var library: String?
    @Option(help: "Per-sample degrees of freedom (N, .npy or one integer per line); default: the solve's, else the cations present.")
    var degreesOfFreedom: String?
    @Option(parsing: .unconditional, help: "Presence threshold on normalised fractions.") var threshold: Double = 0.01
    @Option(help: "Shift difference between neighbours above which a shared phase is alloying (the alloying rule's d − 1 limit).")
    var shiftUnit: Double = 0.001
    @Option(help: "Shift difference between neighbours above which a shared phase's shift is a jump (alloying-rule violation).")
    var shiftTolerance: Double = 0.01
    @Option(help: "Rules that set the exit status (comma-separated: gibbs, alloying, connectivity, element).") var rules: String =
        "gibbs,alloying,connectivity,element"
    @Flag(help: "Print the full report as JSON (with per-sample errors and every component).") var json = false

    func execute() throws {
        let gated: [SolutionCheck.Rule]
        do {
            gated = try rules.split(separator: ",").map { name in
                guard let r = SolutionCheck.Rule(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("--rules: unknown rule \"\(name)\" (expected gibbs, alloying, connectivity, element)")
                }
                return r
            }
        }
        for (name, v) in [("--threshold", threshold), ("--shift-unit", shiftUnit), ("--shift-tolerance", shiftTolerance)] {
            guard v.isFinite, v > 0 else { throw ValidationError("\(name) must be a finite number > 0, got \(v)") }
        }
        var options = CheckOptions()
        options.presenceThreshold = threshold
        options.shiftUnit = shiftUnit
        options.shiftTolerance = shiftTolerance
        let loaded = try SolutionLoader.load(path: solution, libraryPath: library, degreesOfFreedomPath: degreesOfFreedom)
        let report = SolutionCheck(
            input: try loaded.checkInput(), options: options, gatedRules: gated,
            solution: solution, library: loaded.libraryPath)
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try enc.encode(report), as: UTF8.self))
        } else {
            print(report.summary())
        }
        if report.violated { throw ExitCode(ExitStatus.ruleViolated.rawValue) }
    }
}
