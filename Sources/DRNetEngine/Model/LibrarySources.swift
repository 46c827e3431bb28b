/// Where a library's pieces came from (provenance for solutions, messages and `drnet graph`):
/// the paths as the loader was given them, or a description for a generated library.
public struct LibrarySources: Sendable, Codable, Equatable {
    /// The library folder, absolute (`LibraryLoader.load(directory:)`); a solution records it as its
    /// `libraryPath`, so that `check`, `plot` and `--resume` find the library again.
    public var directory: String?
    /// The key=value instance text, when the patterns came from one.
    public var instance: String?
    /// The `.npy` files, when the patterns came from them.
    public var patterns: String?
    public var q: String?
    public var compositions: String?
    public var sticks: String?
    public var phaseCompositions: String?
    public var edges: String?
    public var sampleMask: String?
    public var degreesOfFreedom: String?
    /// What generated an in-memory library (`drnet synth`, the built-in benchmark library).
    public var generator: String?
    /// Problems the loader noticed that do not stop a solve (e.g. a composition graph in several
    /// connected components), one line each, for the commands to print. Absent in JSON written
    /// before the field existed: decodes as none.
    public var warnings: [String] = []

    public init(
        directory: String? = nil, instance: String? = nil, patterns: String? = nil, q: String? = nil,
        compositions: String? = nil, sticks: String? = nil, phaseCompositions: String? = nil,
        edges: String? = nil, sampleMask: String? = nil, degreesOfFreedom: String? = nil,
        generator: String? = nil, warnings: [String] = []
    ) {
        self.directory = directory
        self.instance = instance
        self.patterns = patterns
        self.q = q
        self.compositions = compositions
        self.sticks = sticks
        self.phaseCompositions = phaseCompositions
        self.edges = edges
        self.sampleMask = sampleMask
        self.degreesOfFreedom = degreesOfFreedom
        self.generator = generator
        self.warnings = warnings
    }

    private enum CodingKeys: String, CodingKey {
        case directory, instance, patterns, q, compositions, sticks, phaseCompositions, edges, sampleMask
        case degreesOfFreedom, generator, warnings
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        directory = try c.decodeIfPresent(String.self, forKey: .directory)
        instance = try c.decodeIfPresent(String.self, forKey: .instance)
        patterns = try c.decodeIfPresent(String.self, forKey: .patterns)
        q = try c.decodeIfPresent(String.self, forKey: .q)
        compositions = try c.decodeIfPresent(String.self, forKey: .compositions)
        sticks = try c.decodeIfPresent(String.self, forKey: .sticks)
        phaseCompositions = try c.decodeIfPresent(String.self, forKey: .phaseCompositions)
        edges = try c.decodeIfPresent(String.self, forKey: .edges)
        sampleMask = try c.decodeIfPresent(String.self, forKey: .sampleMask)
        degreesOfFreedom = try c.decodeIfPresent(String.self, forKey: .degreesOfFreedom)
        generator = try c.decodeIfPresent(String.self, forKey: .generator)
        warnings = try c.decodeIfPresent([String].self, forKey: .warnings) ?? []
    }
}
