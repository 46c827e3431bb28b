import Foundation

/// A complete solution folder, written in one call (what `drnet solve` writes to `--out`):
///
/// - `fractions.csv`, `shifts.csv`, `solution.json` (`SolutionWriter`);
/// - `solution.txt`, the community key=value format, with each used phase's contribution to
///   every sample (`DRNetSolver.phaseContributions`, one pass over the library);
/// - `plots/` (`SolutionPlots`), unless `plots` is false.
///
/// A Swift program that runs `DRNetSolver.solve()` gets the same folder as the CLI from
/// `SolutionFolder.write(solver:solution:to:)`.
public enum SolutionFolder {
    /// What was written besides the three core files.
    public struct Written: Sendable {
        /// The pictures (nil when not drawn).
        public var plots: SolutionPlots.Written?
        public var directory: String
    }

    @discardableResult
    public static func write(
        solver: DRNetSolver, solution: PhaseMapSolution, to directory: String, plots: Bool = true,
        png: Bool = true
    ) throws -> Written {
        let library = solver.problem.library
        try SolutionWriter.write(solution, to: directory)
        let contributions = solver.phaseContributions(phases: solution.usedPhases)
        let community = CommunitySolution(solution: solution, library: library, contributions: contributions)
        try CommunitySolutionWriter.write(community, to: directory + "/solution.txt")
        var written = Written(plots: nil, directory: directory)
        guard plots else { return written }
        let loaded = LoadedSolution(
            path: directory, community: community, ours: solution, library: library, libraryPath: solution.libraryPath ?? "")
        written.plots = try SolutionPlots.write(try SolutionPlotData(loaded), to: directory + "/plots", png: png)
        return written
    }
}
