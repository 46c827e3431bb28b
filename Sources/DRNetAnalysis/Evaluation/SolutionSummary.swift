import DRNetEngine
import Foundation

/// One solution folder at a glance (`drnet summary`): what was used and how well it obeys the
/// rules, and, when a truth is at hand, how well it matches it. A folder that cannot be read
/// gives a row with `error` set and nothing else, so that one broken run does not hide the rest
/// of a batch.
public struct SolutionSummaryRow: Codable, Sendable, Equatable {
    /// The solution folder (or file) as given.
    public var solution: String
    public var library: String?
    public var samples: Int?
    /// Phases present somewhere (fraction ≥ the threshold in at least one sample), by name.
    public var phasesUsed: [String]?
    /// Where it ran, how long (wall seconds of the solve, all stages), and why training stopped
    /// (solutions written by `drnet solve`; nil for other formats).
    public var device: String?
    public var wallSeconds: Double?
    public var stoppedBy: String?
    /// `drnet check`'s counts: samples breaking the Gibbs rule, alloying-rule jumps, phase and
    /// phase-combination regions in more than one piece, element-rule violations.
    public var gibbsViolations: Int?
    public var alloyingViolations: Int?
    public var disconnectedPhaseRegions: Int?
    public var disconnectedCombinationRegions: Int?
    public var elementViolations: Int?
    /// Mean share of each pattern the reconstruction leaves unexplained (when the library has
    /// its patterns).
    public var reconstructionShare: Double?
    /// The truth scored against (`--truth`, else the library's `truth-fractions.csv` when it
    /// has one) and the score: samples whose phase set equals the truth's, and ½·L1 per sample.
    public var truthFile: String?
    public var exactPhaseSets: Int?
    public var meanFractionError: Double?
    /// Why the folder could not be summarised (nil when it could).
    public var error: String?

    public init(solution: String) { self.solution = solution }
}

public enum SolutionSummary {
    /// The file a library folder's truth is looked for in when no truth is given.
    public static let truthFileName = "truth-fractions.csv"

    /// The row of one solution: loads it with its library (`SolutionLoader`), runs the rule
    /// checks (`SolutionCheck`) at `threshold`, and scores it against `truth` (or the library's
    /// `truth-fractions.csv` when present). Errors go into the row.
    public static func row(solution path: String, truth: String? = nil, threshold: Double = PhaseMapMetrics.defaultThreshold)
        -> SolutionSummaryRow
    {
        var row = SolutionSummaryRow(solution: path)
        do {
            let loaded = try SolutionLoader.load(path: path)
            var options = CheckOptions()
            options.presenceThreshold = threshold
            let input = try loaded.checkInput()
            let check = SolutionCheck(input: input, options: options, solution: path, library: loaded.libraryPath)
            row.library = loaded.libraryPath
            row.samples = check.sampleCount
            let present = Set((0..<input.sampleCount).flatMap { input.present($0, threshold: threshold) })
            row.phasesUsed = present.sorted().map { input.phaseNames[$0] }
            if let ours = loaded.ours {
                row.device = ours.device
                row.wallSeconds = ours.wallSeconds
                row.stoppedBy = ours.stoppedBy.rawValue
            }
            row.gibbsViolations = check.gibbs.violations.count
            row.alloyingViolations = check.alloying.violations.count
            row.disconnectedPhaseRegions = check.graphless ? 0 : check.connectivity.disconnectedPhases
            row.disconnectedCombinationRegions = check.graphless ? 0 : check.connectivity.disconnectedCombinations
            row.elementViolations = check.element.violations.count
            row.reconstructionShare = check.reconstruction?.meanShare
            let truthFile = truth ?? defaultTruth(library: loaded.libraryPath)
            if let truthFile {
                let e = try PhaseMapMetrics.evaluate(solutionPath: path, truthFile: truthFile, threshold: threshold)
                row.truthFile = truthFile
                row.exactPhaseSets = e.exactMatchCount
                row.meanFractionError = e.meanFractionError
            }
        } catch {
            row = SolutionSummaryRow(solution: path)
            row.error = "\(error)"
        }
        return row
    }

    /// `<library>/truth-fractions.csv` when that file exists.
    static func defaultTruth(library: String) -> String? {
        let candidate = (library as NSString).appendingPathComponent(truthFileName)
        return FileManager.default.fileExists(atPath: candidate) ? candidate : nil
    }

    /// The rows as a fixed-width text table, one line per solution, then a totals line.
    public static func table(_ rows: [SolutionSummaryRow]) -> String {
        let header = [
            "solution", "samples", "phases", "Gibbs", "alloy", "disc. regions", "recon. share", "exact sets", "frac. err", "wall s",
            "device"
        ]
        var lines: [[String]] = [header]
        for r in rows {
            if let error = r.error {
                lines.append([r.solution, "error: \(error)"])
                continue
            }
            let exact = r.exactPhaseSets.map { "\($0)/\(r.samples ?? 0)" } ?? "–"
            lines.append([
                r.solution, r.samples.map(String.init) ?? "–", r.phasesUsed.map { String($0.count) } ?? "–",
                r.gibbsViolations.map(String.init) ?? "–", r.alloyingViolations.map(String.init) ?? "–",
                "\(r.disconnectedPhaseRegions ?? 0)+\(r.disconnectedCombinationRegions ?? 0)",
                r.reconstructionShare.map { String(format: "%.3f", $0) } ?? "–", exact,
                r.meanFractionError.map { String(format: "%.4f", $0) } ?? "–",
                r.wallSeconds.map { String(format: "%.1f", $0) } ?? "–", r.device ?? "–"
            ])
        }
        // Error rows (two cells) do not widen the columns.
        let widths = header.indices.map { col in lines.filter { $0.count == header.count }.map { $0[col].count }.max() ?? 0 }
        var out = lines.map { cells in
            cells.enumerated().map { col, cell in
                col == cells.count - 1 || cells.count < header.count
                    ? cell : cell.padding(toLength: widths[col], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        let good = rows.filter { $0.error == nil }
        let clean = good.filter { ($0.gibbsViolations ?? 0) == 0 && ($0.disconnectedPhaseRegions ?? 0) == 0 }
        out.append(
            "\(rows.count) solution(s): \(good.count) read, \(rows.count - good.count) unreadable; "
                + "\(clean.count) with no Gibbs violation and every phase region connected; "
                + String(format: "%.1f", good.compactMap(\.wallSeconds).reduce(0, +)) + " s of solving in all")
        return out.joined(separator: "\n")
    }
}
