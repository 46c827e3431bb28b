/// A combinatorial library ready for phase mapping: N samples on a Q grid of T points, M cation
/// elements, P candidate phases. All matrices are row-major flat arrays.
public struct CompositionLibrary: Sendable {
    /// Short name (the folder name), used in outputs.
    public var name: String
    /// Cation element symbols, length M (e.g. ["Al", "Li", "Fe"]).
    public var elements: [String]
    /// Q grid, nm⁻¹, strictly increasing, length T.
    public var q: [Float]
    /// Raw diffraction patterns, N×T, non-negative, each with a positive maximum.
    public var patterns: [Float]
    /// Cation fractions, N×M, rows sum to 1 (±1e-3).
    public var compositions: [Double]
    /// Candidate phases, length P.
    public var phases: [CandidatePhase]
    /// Optional cation fractions of each candidate phase, P×M (enables the element rule and the
    /// composition loss).
    public var phaseCompositions: [Double]?
    /// Composition graph edges (i < j, zero-based); nil = compute the Delaunay graph.
    public var edges: [Edge]?
    /// Optional per-sample allowed-phase mask, N×P (1 = allowed).
    public var sampleMask: [UInt8]?
    /// Optional per-sample degrees of freedom d_i; nil = number of elements present.
    public var degreesOfFreedom: [Int]?
    /// Files the library was read from (for provenance in outputs).
    public var sources: LibrarySources
    /// The second line of a doublet the patterns were measured with (Cu Kα2 beside Kα1), when
    /// the library records it (`import.json`: every scan with the same Kα2 and ratio): the
    /// decoder then renders every stick also at q·`qRatio` with `intensityRatio` of its
    /// intensity (`SolverOptions.kAlpha2`). Nil: one line.
    public var secondLine: SecondLine?
    /// λ (Å) of the 2θ axis the Q grid was computed with (Q = 4π sin θ/λ), when every scan of
    /// the library had the same one (`import.json`); nil for libraries given on Q. Lets the
    /// solver fit instrument offsets in 2θ (`SolverOptions.instrumentOffsets`).
    public var axisWavelength: Double?

    /// A second wavelength line in Q terms. A reflection at d is seen by λ₂ at 2θ₂ with
    /// sin θ₂ = λ₂/2d; on the Q axis of λ₁ (Q = 4π sin θ / λ₁) that is Q₂ = (λ₂/λ₁)·2π/d.
    public struct SecondLine: Sendable, Equatable {
        /// λ₂/λ₁ (Cu: 1.544426/1.540598 = 1.002485).
        public var qRatio: Double
        /// I(λ₂)/I(λ₁) (Cu Kα: 0.5).
        public var intensityRatio: Double
        /// Where it came from ("import.json: file a.xrdml: usedWavelength, …").
        public var origin: String

        public init(qRatio: Double, intensityRatio: Double, origin: String) {
            self.qRatio = qRatio
            self.intensityRatio = intensityRatio
            self.origin = origin
        }
    }

    public init(
        name: String, elements: [String], q: [Float], patterns: [Float], compositions: [Double],
        phases: [CandidatePhase], phaseCompositions: [Double]? = nil, edges: [Edge]? = nil,
        sampleMask: [UInt8]? = nil, degreesOfFreedom: [Int]? = nil, sources: LibrarySources = LibrarySources()
    ) {
        self.name = name
        self.elements = elements
        self.q = q
        self.patterns = patterns
        self.compositions = compositions
        self.phases = phases
        self.phaseCompositions = phaseCompositions
        self.edges = edges
        self.sampleMask = sampleMask
        self.degreesOfFreedom = degreesOfFreedom
        self.sources = sources
    }

    public var sampleCount: Int { q.isEmpty ? 0 : patterns.count / q.count }
    public var gridCount: Int { q.count }
    public var elementCount: Int { elements.count }
    public var phaseCount: Int { phases.count }
}

/// An undirected edge of the composition graph, stored with `i < j`.
public struct Edge: Hashable, Sendable, Comparable {
    public var i: Int
    public var j: Int
    public init(_ a: Int, _ b: Int) { i = min(a, b); j = max(a, b) }
    public static func < (l: Edge, r: Edge) -> Bool { (l.i, l.j) < (r.i, r.j) }
}
