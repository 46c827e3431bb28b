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
        try InstanceTextWriter.text(result.library, comment: description, precision: .sixDigits).write(
            toFile: path("instance.txt"), atomically: true, encoding: .utf8)
        try StickLibraryBuilder.write(candidates, sticksPath: path("sticks.csv"), elements: result.library.elements)
        try result.truthFractions.write(toFile: path("truth-fractions.csv"))
        try result.truthShifts.write(toFile: path("truth-shifts.csv"))
    }
}
