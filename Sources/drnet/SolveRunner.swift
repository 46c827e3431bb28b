import ArgumentParser
import DRNetCore
import DRNetOpenCL
import Foundation

/// The solve pipeline shared by `drnet solve` and `drnet demo`: on the resolved device, prepares the
/// problem, lets the caller configure the solver (resume, checkpoints), runs it with progress
/// lines on stderr (unless quiet) and Ctrl-C handling, and writes the solution to `out`
/// (`SolutionFolder`: the CSV/JSON files, solution.txt and the pictures); a finished run's
/// checkpoint is removed. Returns the solution; its `stoppedBy` is
/// `interrupted` when the run was cut short.
enum SolveRunner {
    /// The run's settings: `base` (a checkpoint's), else the `--config` file, else `fallback`;
    /// `--max-steps` overrides the step cap; validated.
    static func options(
        base: SolverOptions? = nil, config: String?, fallback: SolverOptions = SolverOptions(),
        maxSteps: Int?
    ) throws -> SolverOptions {
        var options = try base ?? config.map { try SolverOptions.load(path: $0) } ?? fallback
        if let maxSteps {
            guard maxSteps >= 1 else { throw ValidationError("--max-steps must be ≥ 1") }
            options.maxSteps = maxSteps
        }
        try options.validate()
        return options
    }

    static func solve(
        library: CompositionLibrary, options: SolverOptions, seed: UInt64,
        compute: ComputeDevice, quiet: Bool, out: String, plots: Bool = true,
        configure: (DRNetSolver) throws -> Void = { _ in }
    ) throws -> PhaseMapSolution {
        try solve(
            problem: PreparedProblem(library: library, options: options), options: options,
            seed: seed, compute: compute, quiet: quiet, out: out, plots: plots, configure: configure)
    }

    /// The same on an already prepared problem (one preparation serves several devices).
    static func solve(
        problem: PreparedProblem, options: SolverOptions, seed: UInt64,
        compute: ComputeDevice, quiet: Bool, out: String, plots: Bool = true,
        configure: (DRNetSolver) throws -> Void = { _ in }
    ) throws -> PhaseMapSolution {
        let library = problem.library
        let solver = try DRNetSolver(problem: problem, options: options, seed: seed, backend: compute.backendFactory)
        // From here a Ctrl-C stops the run at its next step boundary with a checkpoint (before,
        // during preparation, it ends the process: nothing has been written yet).
        Interrupt.install(out: out)
        solver.shouldStop = { Interrupt.requested }
        try configure(solver)
        if !quiet {
            stderr(
                "drnet: \(library.name): N=\(library.sampleCount) Q=\(library.gridCount) P=\(library.phaseCount) "
                    + "M=\(library.elementCount); mask: \(problem.maskSource); graph: \(problem.graphSource) "
                    + "(\(problem.graph.edges.count) edges); model: \(options.model.rawValue); seed \(seed)")
            if let note = problem.doubletNote { stderr("drnet: \(note)") }
            for note in solver.settingsNotes where !note.hasPrefix("warning: ") { stderr("drnet: \(note)") }
            if let screening = solver.screening {
                let kept = solver.candidateSwitch.filter { $0 > 0 }.count
                let top = (0..<library.phaseCount).sorted { screening.usage[$0] > screening.usage[$1] }.prefix(8)
                stderr(
                    "drnet: screening (NNLS, broadened peaks): \(kept) of \(library.phaseCount) candidates kept; "
                        + "largest usage: "
                        + top.map { "\(library.phases[$0].name) \(String(format: "%.1f", screening.usage[$0]))" }.joined(separator: ", "))
            }
            solver.progress = { p in
                let r = p.record
                stderr(
                    String(
                        format:
                            "[%@] step %d/%d  loss %.3f  recon %.3f  gibbs %.3f (γ %.2f)  smooth %.3f  violating %.0f%%  %.0fs elapsed, about %.0fs left",
                        p.stage, p.step, p.stepCap, r.total, r.reconstruction, r.gibbs, r.gibbsWeight, r.smoothness,
                        100 * r.violatingShare, p.elapsedSeconds, p.etaSeconds))
            }
        }
        for w in problem.warnings { stderr("drnet: warning: \(w)") }
        for note in solver.settingsNotes where note.hasPrefix("warning: ") { stderr("drnet: \(note)") }
        let solution = solver.solve()
        if let failure = solver.backend.failure {
            throw CommandFailure(.deviceFailure, "the run on \(compute.name) failed and wrote nothing: \(failure)")
        }
        let checkpoint = FileManager.default.fileExists(atPath: out + "/" + SolveCheckpoints.fileName)
        if let divergence = solver.divergence {
            throw CommandFailure(
                .noResult,
                "the run diverged: \(divergence); no solution was written"
                    + (checkpoint
                        ? "; \(out)/\(SolveCheckpoints.fileName), the last checkpoint before it, is kept"
                        : " (no checkpoint had been written yet)")
                    + ". Weights that overflow the loss, a very small klEpsilon or shiftAmplify, or a learning rate "
                    + "that is too high are the usual causes")
        }
        let broken = solution.refineRuleViolations()
        guard broken.isEmpty else {
            throw CommandFailure(
                .noResult,
                "the solution breaks the rules the refine step enforces, so it was not written: " + broken.joined(separator: "; "))
        }
        for w in solution.warnings ?? [] where !problem.warnings.contains(w) { stderr("drnet: warning: \(w)") }
        let written = try SolutionFolder.write(solver: solver, solution: solution, to: out, plots: plots)
        if !quiet, let pictures = written.plots {
            stderr("drnet: pictures in \(out)/plots/: \(pictures.svg.count) SVG, \(pictures.png.count) PNG")
            for n in pictures.notes { stderr("drnet: note: \(n)") }
        }
        if solution.stoppedBy.finished { SolveCheckpoints.remove(out: out) }
        return solution
    }
}
