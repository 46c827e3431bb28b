import DRNetEngine
import DRNetIO

/// What the rule checks look at: a solution over K phases on a library of N samples, with the
/// composition graph and the per-sample limits. Matrices are row-major flat arrays.
public struct CheckInput: Sendable {
    /// Phase names (K); "phase k" (1-based) when the solution names none.
    public var phaseNames: [String]
    /// Fractions N×K: each sample's concentrations normalised to sum 1.
    public var fractions: [Double]
    /// Multiplicative shifts N×K (meaningful where the phase is present), nil when unknown.
    public var shifts: [Double]?
    public var graph: CompositionGraph
    /// d_i, the Gibbs limit per sample (N).
    public var degrees: [Int]
    /// Number of cations present per sample (cation fraction > `PreparedProblem.presenceThreshold`).
    public var elementsPresent: [Int]
    public var elements: [String]
    /// Sample cation fractions N×M.
    public var compositions: [Double]
    /// Per phase its cation fractions (M), nil where unknown (the element rule skips it).
    public var phaseCompositions: [[Double]?]
    /// Per-sample reconstruction error, nil when the solution carries no reconstruction.
    public var reconstruction: [ReconstructionError.Sample]?

    public init(
        phaseNames: [String], fractions: [Double], shifts: [Double]?, graph: CompositionGraph, degrees: [Int],
        elementsPresent: [Int], elements: [String], compositions: [Double], phaseCompositions: [[Double]?],
        reconstruction: [ReconstructionError.Sample]?
    ) {
        self.phaseNames = phaseNames
        self.fractions = fractions
        self.shifts = shifts
        self.graph = graph
        self.degrees = degrees
        self.elementsPresent = elementsPresent
        self.elements = elements
        self.compositions = compositions
        self.phaseCompositions = phaseCompositions
        self.reconstruction = reconstruction
    }

    public var sampleCount: Int { degrees.count }
    public var phaseCount: Int { phaseNames.count }

    /// Phases present at sample i: fraction ≥ threshold (ascending phase index).
    public func present(_ i: Int, threshold: Double) -> [Int] {
        (0..<phaseCount).filter { fractions[i * phaseCount + $0] >= threshold && fractions[i * phaseCount + $0] > 0 }
    }
}

/// Thresholds of the checks.
public struct CheckOptions: Sendable, Codable {
    /// A phase is present at a sample when its (normalised) fraction is ≥ this.
    public var presenceThreshold: Double = 0.01
    /// Shift difference between neighbours above which a shared phase is *alloying* there (the
    /// refine step's shift unit u): such a sample may hold only d_i − 1 phases.
    public var shiftUnit: Double = 0.001
    /// Shift difference between neighbours above which a shared phase *jumps*: an alloying-rule
    /// violation (a solid solution's lattice changes continuously with composition).
    public var shiftTolerance: Double = 0.01
    public init() {}
}
