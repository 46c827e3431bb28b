import DRNetEngine
import DRNetIO
import Foundation

extension PhaseMapMetrics {
    /// Scores the solution at `solutionPath` against the truth fraction table `truthFile`:
    /// `solutionPath` is a solution folder (its `fractions.csv`), a fractions CSV file, or a
    /// community key=value solution file (`solution.txt`, IAFD's; fractions from its normalised
    /// concentrations). What `drnet eval` runs.
    public static func evaluate(solutionPath: String, truthFile: String, threshold: Double = defaultThreshold) throws
        -> PhaseMapEvaluation
    {
        let file = solutionFile(for: solutionPath)
        if file.hasSuffix(".csv") {
            return try evaluate(solutionFile: file, truthFile: truthFile, threshold: threshold)
        }
        let table = try CommunitySolutionReader.read(path: file).fractionTable()
        return try evaluate(
            solution: table, truth: FractionTable.read(contentsOfFile: truthFile), threshold: threshold, solutionFile: file,
            truthFile: truthFile)
    }

    /// `<path>/fractions.csv` when `path` is a folder, else `path` itself.
    public static func solutionFile(for path: String) -> String {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            return URL(fileURLWithPath: path).appendingPathComponent("fractions.csv").path
        }
        return path
    }
}
