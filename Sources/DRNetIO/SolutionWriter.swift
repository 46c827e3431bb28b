import DRNetEngine
import Foundation

/// Writes a solution folder: `fractions.csv` and `shifts.csv` (`sample,<phase name>…` over the
/// phases the solution uses, names as in the stick file, rows in sample order) and
/// `solution.json` (everything in `PhaseMapSolution`). Files are written to a temporary name and
/// renamed, so a reader never sees a half-written file.
extension PhaseMapSolution {
    /// An N×P matrix of the solution (its fractions, shifts, …) as a table over the phases it
    /// uses (names as in the stick file, rows in sample order): what fractions.csv holds.
    public func usedPhaseTable(_ values: [Float]) throws -> FractionTable {
        try FractionTable(
            phases: usedPhases.map { phaseNames[$0] },
            fractions: (0..<sampleCount).map { i in usedPhases.map { Double(values[i * phaseCount + $0]) } })
    }
}

public enum SolutionWriter {
    public static func write(_ s: PhaseMapSolution, to directory: String) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        func table(_ values: [Float]) throws -> FractionTable { try s.usedPhaseTable(values) }
        // Shifts of absent phases are meaningless: written as 0 where the fraction is 0.
        var shifts = s.shifts
        for i in 0..<(s.sampleCount * s.phaseCount) where s.fractions[i] == 0 { shifts[i] = 0 }
        try atomicWrite(try table(s.fractions).csvString(decimals: 6), to: directory + "/fractions.csv")
        try atomicWrite(try table(shifts).csvString(decimals: 6), to: directory + "/shifts.csv")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let data = try encoder.encode(s)
        try atomicWrite(data, to: directory + "/solution.json")
    }

    public static func atomicWrite(_ text: String, to path: String) throws { try AtomicFile.write(text, to: path) }

    public static func atomicWrite(_ data: Data, to path: String) throws { try AtomicFile.write(data, to: path) }
}
