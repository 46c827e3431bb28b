/// Why a solve's training ended (`PhaseMapSolution.stoppedBy`, `solution.json`'s `"stoppedBy"`).
/// The raw values are the strings written to solutions and checkpoints.
public enum StopReason: String, Codable, Sendable, CaseIterable {
    /// Training ran to `maxSteps` (the convergence test did not fire).
    case stepCap = "step cap"
    /// The convergence test fired: the mean reconstruction loss stopped improving and the
    /// per-sample phase sets stopped changing.
    case converged
    /// A stop was requested (SIGINT/SIGTERM, `shouldStop`): the solution is what the run had.
    case interrupted
    /// The compute device failed (`ComputeBackend.failure`): the results are not valid.
    case deviceError = "device error"
    /// A loss term, the parameters or an output became non-finite (`DRNetSolver.divergence`
    /// says which and when): the results are not valid and no solution may be written.
    case diverged

    /// True when the run's results are not valid: nothing may be exported from it.
    public var failed: Bool { self == .deviceError || self == .diverged }

    /// True when the run finished (its checkpoint is no longer needed).
    public var finished: Bool { self == .stepCap || self == .converged }
}
