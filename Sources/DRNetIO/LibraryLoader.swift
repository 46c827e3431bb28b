import DRNetEngine
import Foundation

/// Loads a complete `CompositionLibrary` from files and validates it (`LibraryValidator`).
///
/// **Folder layout** (`load(directory:)`, the layout of `../shared/datasets/*`):
/// - patterns, required, one of:
///   - `instance.txt`: key=value instance text (`InstanceTextReader`), or, when absent,
///   - `npy/XRD.npy` (N×T patterns), `npy/Q.npy` (T, nm⁻¹) and `npy/composition.npy` (N×M
///     cation fractions); element symbols then come from the element columns of
///     `phase-compositions.csv` when it has M of them, else `E1`…`EM`;
/// - stick library, required: `sticks.csv`, or else `sticks.txt` (IAFD; `StickLibraryReader`);
/// - optional `phase-compositions.csv` (`PhaseCompositionReader`; names compared with
///   `sticks.csv`, not with the unnamed `sticks.txt` phases);
/// - optional graph: `edges.csv`, or else `neighbors.txt` (`GraphFileReader`); none means
///   `edges == nil` (the solver computes the Delaunay graph).
/// The sample mask and degrees of freedom are read only from explicit paths
/// (`SampleMaskReader`); `npy/sample_indicator.npy` and `npy/degree_of_freedom.npy` are never
/// picked up automatically.
///
/// `sources` records the folder and each file used (`LibrarySources`), and `sources.warnings`
/// what is accepted but worth saying: a graph file whose edges leave the samples in more than
/// one connected component (regions are then only compared within a component; a graph with
/// no edge at all, every sample listed alone in `neighbors.txt`, is a deliberate set of
/// separate mixtures and gets no warning). The loader does not print them.
/// All failures are `InputError`s naming the file.
public struct LibraryLoader {
    /// Loads the library in `directory`; `name` is the folder's name.
    public static func load(
        directory: String, sampleMaskPath: String? = nil,
        degreesOfFreedomPath: String? = nil
    ) throws -> CompositionLibrary {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw InputError(
                file: directory, expected: "a library folder (instance.txt, sticks.csv, …)",
                found: fm.fileExists(atPath: directory) ? "a file, not a folder" : "no such folder")
        }
        func path(_ name: String) -> String {
            directory.hasSuffix("/") ? directory + name : directory + "/" + name
        }
        func existing(_ names: String...) -> String? {
            names.map(path).first { fm.fileExists(atPath: $0) }
        }
        guard let sticks = existing("sticks.csv", "sticks.txt") else {
            throw InputError(
                file: directory, expected: "a stick library sticks.csv or sticks.txt",
                found: "neither file in the folder")
        }
        let phaseCompositions = existing("phase-compositions.csv")
        let edges = existing("edges.csv", "neighbors.txt")
        let name = URL(fileURLWithPath: directory).standardizedFileURL.lastPathComponent

        if let instance = existing("instance.txt") {
            var library = try load(
                instance: instance, sticks: sticks, phaseCompositions: phaseCompositions, edges: edges,
                sampleMask: sampleMaskPath, degreesOfFreedom: degreesOfFreedomPath, name: name)
            library.sources.directory = absolute(directory)
            if let imported = existing("import.json") { try ImportedWavelength.apply(importJSON: imported, to: &library) }
            return library
        }
        let npy = ["npy/XRD.npy", "npy/Q.npy", "npy/composition.npy"].map(path)
        guard npy.allSatisfy({ fm.fileExists(atPath: $0) }) else {
            throw InputError(
                file: directory,
                expected: "instance.txt, or npy/XRD.npy + npy/Q.npy + npy/composition.npy",
                found: "no instance.txt and missing "
                    + npy.filter { !fm.fileExists(atPath: $0) }.joined(separator: ", "))
        }
        var library = try load(
            patterns: npy[0], q: npy[1], compositions: npy[2], elements: nil, sticks: sticks,
            phaseCompositions: phaseCompositions, edges: edges, sampleMask: sampleMaskPath,
            degreesOfFreedom: degreesOfFreedomPath, name: name)
        library.sources.directory = absolute(directory)
        return library
    }

    /// Loads from explicit files: an instance text, a stick library (`.csv` or IAFD text) and
    /// the optional pieces. `name` defaults to the name of the folder holding `instance`.
    public static func load(
        instance: String, sticks: String, phaseCompositions: String? = nil,
        edges: String? = nil, sampleMask: String? = nil, degreesOfFreedom: String? = nil,
        name: String? = nil
    ) throws -> CompositionLibrary {
        let text = try InstanceTextReader.read(path: instance)
        var library = CompositionLibrary(
            name: name ?? folderName(of: instance), elements: text.elements, q: text.q, patterns: text.patterns,
            compositions: text.compositions, phases: [], sources: LibrarySources(instance: instance))
        try complete(
            &library, sampleCount: text.sampleCount, sticks: sticks, phaseCompositions: phaseCompositions,
            edges: edges, sampleMask: sampleMask, degreesOfFreedom: degreesOfFreedom)
        return library
    }

    /// Loads from NumPy arrays: `patterns` N×T, `q` of length T (nm⁻¹), `compositions` N×M,
    /// plus the same pieces as `load(instance:…)`. `elements` (M symbols) defaults to the element
    /// columns of the phase-compositions file when it has M of them, else `E1`…`EM`.
    public static func load(
        patterns: String, q: String, compositions: String, elements: [String]? = nil,
        sticks: String, phaseCompositions: String? = nil, edges: String? = nil,
        sampleMask: String? = nil, degreesOfFreedom: String? = nil,
        name: String? = nil
    ) throws -> CompositionLibrary {
        let qArray = try NPYReader.read(path: q)
        guard qArray.shape.count == 1 || (qArray.shape.count == 2 && qArray.shape.contains(1)) else {
            throw InputError(
                file: q, location: "shape", expected: "a 1-D Q grid of shape (T,)",
                found: "shape \(qArray.shapeDescription)")
        }
        let t = qArray.count
        let xrd = try NPYReader.read(path: patterns)
        guard xrd.shape.count == 2, xrd.shape[1] == t else {
            throw InputError(
                file: patterns, location: "shape",
                expected: "N×T patterns with T = \(t) (the length of \(q))",
                found: "shape \(xrd.shapeDescription)")
        }
        let n = xrd.shape[0]
        let comp = try NPYReader.read(path: compositions)
        guard comp.shape.count == 2, comp.shape[0] == n, comp.shape[1] >= 1 else {
            throw InputError(
                file: compositions, location: "shape",
                expected: "N×M cation fractions with N = \(n) (the rows of \(patterns))",
                found: "shape \(comp.shapeDescription)")
        }
        let m = comp.shape[1]
        var symbols = elements ?? []
        if let given = elements {
            guard given.count == m else {
                throw InputError(
                    file: compositions, location: "shape",
                    expected: "\(given.count) columns, one per element \(given.joined(separator: ","))",
                    found: "shape \(comp.shapeDescription)")
            }
        } else {
            if let pc = phaseCompositions, let header = try? elementColumns(of: pc), header.count == m {
                symbols = header
            } else {
                symbols = (1...m).map { "E\($0)" }
            }
        }
        var library = CompositionLibrary(
            name: name ?? folderName(of: (patterns as NSString).deletingLastPathComponent), elements: symbols,
            q: qArray.floats, patterns: xrd.floats, compositions: comp.values, phases: [],
            sources: LibrarySources(patterns: patterns, q: q, compositions: compositions))
        try complete(
            &library, sampleCount: n, sticks: sticks, phaseCompositions: phaseCompositions, edges: edges,
            sampleMask: sampleMask, degreesOfFreedom: degreesOfFreedom)
        return library
    }

    /// Reads the pieces shared by both entry points, then validates.
    private static func complete(
        _ library: inout CompositionLibrary, sampleCount n: Int, sticks: String,
        phaseCompositions: String?, edges: String?, sampleMask: String?,
        degreesOfFreedom: String?
    ) throws {
        library.phases = try StickLibraryReader.read(path: sticks)
        library.sources.sticks = sticks
        let p = library.phases.count
        // A library without compositions (M = 0) has no use for phase compositions (no element
        // rule, no composition loss): the file is not read.
        if let pc = phaseCompositions, library.elementCount > 0 {
            let names = sticks.lowercased().hasSuffix(".csv") ? library.phases.map(\.name) : nil
            library.phaseCompositions = try PhaseCompositionReader.read(
                path: pc, elements: library.elements, phaseCount: p, phaseNames: names)
            library.sources.phaseCompositions = pc
        }
        if let e = edges {
            let graph = try GraphFileReader.read(path: e, sampleCount: n)
            library.edges = graph
            library.sources.edges = e
            if let warning = componentWarning(graph, sampleCount: n, file: e) {
                library.sources.warnings.append(warning)
            }
        }
        if let mask = sampleMask {
            library.sampleMask = try SampleMaskReader.readMask(path: mask, sampleCount: n, phaseCount: p)
            library.sources.sampleMask = mask
        }
        if let dof = degreesOfFreedom {
            library.degreesOfFreedom = try SampleMaskReader.readDegreesOfFreedom(path: dof, sampleCount: n)
            library.sources.degreesOfFreedom = dof
        }
        try LibraryValidator.validate(library)
    }

    /// The warning for a graph file whose edges leave the samples in more than one connected
    /// component ("edges.csv: the graph has 3 connected components (sizes 10, 4, 1); …"), or nil
    /// when they are connected or there is no edge at all.
    static func componentWarning(_ edges: [Edge], sampleCount n: Int, file: String) -> String? {
        guard !edges.isEmpty, n > 1 else { return nil }
        var parent = Array(0..<n)
        func root(_ i: Int) -> Int {
            var r = i
            while parent[r] != r { r = parent[r] }
            var j = i
            while parent[j] != r { (parent[j], j) = (r, parent[j]) }
            return r
        }
        for e in edges where e.i >= 0 && e.j >= 0 && e.i < n && e.j < n {
            let (a, b) = (root(e.i), root(e.j))
            if a != b { parent[max(a, b)] = min(a, b) }
        }
        var size: [Int: Int] = [:]
        for i in 0..<n { size[root(i), default: 0] += 1 }
        guard size.count > 1 else { return nil }
        let sizes = size.values.sorted(by: >)
        let shown = sizes.prefix(10).map(String.init).joined(separator: ", ") + (sizes.count > 10 ? ", …" : "")
        return "\(file): the graph has \(sizes.count) connected components (sizes \(shown)); "
            + "regions are only compared within a component"
    }

    /// `path` made absolute against the working directory (a solution's `libraryPath` must find
    /// the library from any folder).
    static func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }

    /// Name of the folder containing `path` (`.` resolved against the working directory).
    private static func folderName(of path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().lastPathComponent
    }

    /// Element columns of a phase-compositions header (all but `phase` and `name`).
    private static func elementColumns(of path: String) throws -> [String] {
        let file = try InputFile(path: path)
        guard let header = file.nonBlankLines().first else { return [] }
        return file.csvFields(header).map { file.string($0) }
            .filter { !["phase", "name"].contains($0.lowercased()) }
    }
}
