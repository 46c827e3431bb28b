/// The result of a solve: per-sample latents over all P candidates and the run's metadata.
/// Matrices are N×P row-major over the library's candidate order.
public struct PhaseMapSolution: Codable, Sendable {
    public var library: String
    public var libraryPath: String?
    public var elements: [String]
    public var phaseNames: [String]
    public var sampleCount: Int
    public var phaseCount: Int
    /// Phase fractions w_ik (rows sum to 1 over the phases kept by the refine step).
    public var fractions: [Float]
    /// Multiplicative peak shifts s_ik (1 = unshifted); meaningful where w_ik > 0.
    public var shifts: [Float]
    /// Peak log-variances v_ik (σ² = e^v, nm⁻²).
    public var logVariances: [Float]
    /// Per-sample L1 distance between the max-normalised pattern and its reconstruction, divided
    /// by T (mean absolute error per grid point), and its share of the pattern's L1 mass.
    public var reconstructionError: [Double]
    public var reconstructionErrorShare: [Double]
    /// Per-sample symmetric-KL + L2 reconstruction loss (the training objective's term).
    public var reconstructionLoss: [Double]
    /// The refine step's hard mask (N×P, 1 = kept) and its alloying flags.
    public var refinedMask: [UInt8]
    public var alloying: [Bool]
    /// Candidates with a non-zero fraction somewhere, in candidate order.
    public var usedPhases: [Int]
    public var degreesOfFreedom: [Int]
    public var settings: SolverOptions
    public var seed: UInt64
    public var device: String
    public var trainingSteps: Int
    public var polishSteps: Int
    public var fineTuneSteps: Int
    public var stoppedBy: StopReason
    public var wallSeconds: Double
    public var maskSource: String
    public var graphSource: String
    public var edges: [[Int]]
    public var lossHistory: [LossRecord]
    /// What the user should know about this result (candidates that could not contribute, a
    /// reconstruction that explains little of the data, …); printed by `drnet solve` as warnings.
    /// Nil in solutions written before it existed.
    public var warnings: [String]? = nil
    /// Each sample's fitted background (nil when the run fitted none, and in solutions written
    /// before it existed).
    public var background: FittedBackground? = nil
    /// Each candidate's pseudo-Voigt mixing η (P values; nil for Gaussian peaks, and in
    /// solutions written before it existed).
    public var peakMixing: [Float]? = nil
    /// Each sample's fitted instrument offsets in degrees of 2θ, N×2 (zero offset, sample
    /// displacement at cos θ = 1), and the axis wavelength (Å) they refer to; nil when none were fitted.
    public var instrumentOffsets: [Float]? = nil
    public var offsetWavelength: Double? = nil
    /// Wall seconds of each stage (nil in solutions written before it existed).
    public var stageSeconds: StageSeconds? = nil
    /// The training's convergence tests, in order (nil in solutions written before they were kept).
    public var convergenceChecks: [ConvergenceCheck]? = nil

    /// Fraction row of sample i.
    public func fractions(of i: Int) -> ArraySlice<Float> { fractions[(i * phaseCount)..<((i + 1) * phaseCount)] }
}

/// The fitted backgrounds of a solution (`BackgroundBasis`): sample i's curve on the library's
/// grid is b_i(q) = Σ_c β_ic·N₃((q − qMin)/knotSpacing − c + 1), in units of the max-normalised
/// pattern x̃_i = I_i/max I_i (so b_i·max I_i is in the scan's counts).
public struct FittedBackground: Codable, Sendable, Equatable {
    /// "cubic B-spline" (uniform knots).
    public var model: String
    /// C, q₀ (nm⁻¹) and the knot spacing h (nm⁻¹).
    public var count: Int
    public var qMin: Double
    public var knotSpacing: Double
    /// β, N×C row-major (≥ 0).
    public var coefficients: [Float]
    /// Per sample, the background's share of the reconstruction's area: Σ_t b_i/Σ_t x̂_i·(M_i+ε).
    public var share: [Double]

    public init(basis: BackgroundBasis, coefficients: [Float], share: [Double]) {
        model = "cubic B-spline"
        count = basis.count
        qMin = basis.qMin
        knotSpacing = basis.knotSpacing
        self.coefficients = coefficients
        self.share = share
    }
}

/// One point of the loss curve (means over the steps since the previous record).
public struct LossRecord: Codable, Sendable, Equatable {
    public var step: Int
    public var stage: String
    public var total: Double
    public var reconstruction: Double
    public var gibbs: Double
    public var smoothness: Double
    public var gibbsWeight: Double
    public var violatingShare: Double
}

/// A progress snapshot reported during training (for the CLI's stderr line).
public struct TrainingProgress: Sendable {
    public var stage: String
    public var step: Int
    public var stepCap: Int
    public var record: LossRecord
    public var elapsedSeconds: Double
    /// Seconds left at the current rate if the run went to its step cap (an upper bound).
    public var etaSeconds: Double
    public var activeCandidates: Int
}

/// Wall seconds of a solve's stages: `setup` (the solver's construction: candidate screening,
/// walk pool, model), `training`, `polish` (with the refine step that ends it), `fineTune` (with
/// its refines) and `export` (the final pass over the library). A resumed run adds the time of
/// each session; the part of a stage before an interruption's checkpoint is counted once.
public struct StageSeconds: Codable, Sendable, Equatable {
    public var setup = 0.0
    public var training = 0.0
    public var polish = 0.0
    public var fineTune = 0.0
    public var export = 0.0
    public init(setup: Double = 0) { self.setup = setup }
    public var total: Double { setup + training + polish + fineTune + export }
}

/// One convergence test of the training (`DRNetSolver.hasConverged`), over the whole library:
/// the mean reconstruction loss, its relative improvement since the previous test (nil at the
/// first), and how many samples changed their phase set (w > `minActivation`) since then.
public struct ConvergenceCheck: Codable, Sendable, Equatable {
    public var step: Int
    public var meanReconstruction: Double
    public var improvement: Double?
    public var changedPhaseSets: Int?
    public var converged: Bool
}
