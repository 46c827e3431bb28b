import DRNetEngine
import DRNetIO
import Foundation

/// CIF files → candidate phases → stick-library files: the library side of `drnet sticks`, also
/// used by the synthetic-library generator.
public enum StickLibraryBuilder {
    /// Reads each CIF and computes its reflections. Names are the files' base names, made
    /// unique with `-2`, `-3`… suffixes.
    /// - Throws: `InputError` for a bad CIF; `ConfigurationError` for bad options, an empty
    ///   pattern in the Q range (no reflection there, or only systematic absences, which are
    ///   never lines), or a structure without cations.
    public static func phases(fromCIFs paths: [String], options: PowderPatternOptions) throws -> [ComputedPhase] {
        guard !paths.isEmpty else { throw ConfigurationError("no CIF files given") }
        var out: [ComputedPhase] = []
        for path in paths {
            var structure = try CIFReader.read(path: path)
            var name = structure.name
            var n = 2
            while out.contains(where: { $0.name == name }) { name = "\(structure.name)-\(n)"; n += 1 }
            structure.name = name
            out.append(try phase(structure, options: options))
        }
        return out
    }

    /// One structure's candidate phase.
    public static func phase(_ structure: CrystalStructure, options: PowderPatternOptions) throws -> ComputedPhase {
        let reflections = try PowderPattern.reflections(of: structure, options: options)
        guard !reflections.isEmpty else {
            throw ConfigurationError(
                "\(structure.source.isEmpty ? structure.name : structure.source): no reflections with "
                    + "\(options.qMin) ≤ Q ≤ \(options.qMax) nm⁻¹ (systematic absences, |F|² = 0, are not lines)")
        }
        let cations = structure.cationFractions()
        guard !cations.isEmpty else {
            throw ConfigurationError(
                "\(structure.source.isEmpty ? structure.name : structure.source): no cation in the formula "
                    + "(anions: \(CrystalStructure.anions.sorted().joined(separator: ", ")))")
        }
        return ComputedPhase(name: structure.name, reflections: reflections, cations: cations)
    }

    /// Writes `sticksPath` and `phase-compositions.csv` in the same folder (created when
    /// missing); returns the latter's path. Element columns: `elements`, or every cation in order
    /// of first appearance.
    @discardableResult
    public static func write(_ phases: [ComputedPhase], sticksPath: String, elements: [String]? = nil) throws -> String {
        let url = URL(fileURLWithPath: sticksPath)
        let folder = url.deletingLastPathComponent()
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: sticksPath, isDirectory: &isDir), isDir.boolValue {
            throw InputError(file: sticksPath, expected: "a file path for the stick library (--out)", found: "a folder")
        }
        // A folder made here is removed again when the writes fail: nothing is left behind.
        let created = !FileManager.default.fileExists(atPath: folder.path)
        let compositions = folder.appendingPathComponent("phase-compositions.csv")
        do {
            if created { try SolutionCommit.createFolder(folder.path) }
            try AtomicFile.write(StickLibraryWriter.sticksCSV(phases), to: url.path)
            try AtomicFile.write(
                StickLibraryWriter.phaseCompositionsCSV(phases, elements: elements ?? StickLibraryWriter.elements(of: phases)),
                to: compositions.path)
        } catch {
            if created { try? FileManager.default.removeItem(at: folder) }
            throw error
        }
        return compositions.path
    }
}
