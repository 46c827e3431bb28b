import Foundation

/// A complete solution folder, written in one call (what `drnet solve` writes to `--out`):
///
/// - `fractions.csv`, `shifts.csv`, `solution.json` (`SolutionWriter`);
/// - `solution.txt`, the community key=value format, with each used phase's contribution to
///   every sample (`DRNetSolver.phaseContributions`, one pass over the library);
/// - `plots/` (`SolutionPlots`), unless `plots` is false.
///
/// Everything is written into `<directory>/.drnet-staging/` first and then replaces the folder's
/// previous solution as a whole (`SolutionCommit`): a failure while writing (a full disk) throws
/// `OutputError` and leaves the previous solution as it was, and a kill at any moment leaves
/// either the previous or the new solution complete, never a mix. Entries of the previous
/// solution that the new one lacks (its `plots/` after a `plots: false` run) are removed.
/// A solution of a failed run (`stoppedBy.failed`: diverged, device error) is refused.
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
        guard !solution.stoppedBy.failed else {
            throw NoResultError("\(directory): a run that stopped by \(solution.stoppedBy.rawValue) has no valid solution to write")
        }
        let library = solver.problem.library
        let staging = try SolutionCommit.prepareStaging(in: directory)
        var written = Written(plots: nil, directory: directory)
        do {
            try SolutionWriter.write(solution, to: staging)
            let contributions = solver.phaseContributions(phases: solution.usedPhases)
            let community = CommunitySolution(
                solution: solution, library: library, contributions: contributions, background: solver.backgroundContributions())
            try CommunitySolutionWriter.write(community, to: staging + "/solution.txt")
            if plots {
                let loaded = LoadedSolution(
                    path: directory, community: community, ours: solution, library: library, libraryPath: solution.libraryPath ?? "")
                written.plots = try SolutionPlots.write(try SolutionPlotData(loaded), to: staging + "/plots", png: png)
            }
        } catch var e as OutputError {
            // Nothing of the new solution stays behind; the previous one was never touched. The
            // error names the file the user knows (in the folder), not its staging copy.
            try? FileManager.default.removeItem(atPath: staging)
            if e.file.hasPrefix(staging) { e.file = directory + e.file.dropFirst(staging.count) }
            throw e
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
        try SolutionCommit.commit(folder: directory)
        // The pictures' paths as they are now, in the folder (they were drawn into staging).
        if var p = written.plots {
            let moved = { (path: String) in path.hasPrefix(staging) ? directory + path.dropFirst(staging.count) : path }
            p.svg = p.svg.map(moved)
            p.png = p.png.map(moved)
            written.plots = p
        }
        return written
    }
}
