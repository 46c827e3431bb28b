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
