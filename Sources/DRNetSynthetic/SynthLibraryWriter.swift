import DRNetCrystal
import DRNetEngine
import DRNetIO
import Foundation

/// Writes a generated library in the folder layout `LibraryLoader.load(directory:)` reads, plus
/// its truth:
/// - `instance.txt`: key=value instance text (`M`, `Elements`, `N`, `Composition=C<el>,…`, the
///   composition rows, `Q` in nm⁻¹, `I1`…`IN`; values with 6 significant digits);
/// - `sticks.csv` and `phase-compositions.csv` (`StickLibraryWriter`);
/// - `truth-fractions.csv`: `sample,<phase name>…` (the `FractionTable` layout `drnet eval --truth`
///   reads), one column per true phase;
/// - `truth-shifts.csv`: the same layout with the true multiplicative shifts (0 where absent).
public enum SynthLibraryWriter {
    public static func write(
        _ result: SynthResult, candidates: [ComputedPhase], to directory: String,
        description: String
    ) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        try instanceText(result.library, description: description).write(toFile: path("instance.txt"), atomically: true, encoding: .utf8)
        try StickLibraryBuilder.write(candidates, sticksPath: path("sticks.csv"), elements: result.library.elements)
        try result.truthFractions.write(toFile: path("truth-fractions.csv"))
        try result.truthShifts.write(toFile: path("truth-shifts.csv"))
    }

    /// The instance text of a library.
    public static func instanceText(_ library: CompositionLibrary, description: String) -> String {
        let n = library.sampleCount, t = library.gridCount, m = library.elementCount
        func list<S: Sequence>(_ xs: S) -> String where S.Element == Float {
            xs.map { String(format: "%.6g", Double($0)) }.joined(separator: ",")
        }
        var out = "// \(description)\nM=\(m)\nElements=\(library.elements.joined(separator: ","))\nN=\(n)\n"
        out += "Composition=" + library.elements.map { "C\($0)" }.joined(separator: ",") + "\n"
        for (col, e) in library.elements.enumerated() {
            out += "C\(e)=" + (0..<n).map { String(format: "%.6f", library.compositions[$0 * m + col]) }.joined(separator: ",") + "\n"
        }
        out += "Q=" + list(library.q) + "\n"
        for i in 0..<n { out += "I\(i + 1)=" + list(library.patterns[(i * t)..<((i + 1) * t)]) + "\n" }
        return out
    }
}
