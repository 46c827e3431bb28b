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
/// - `truth-shifts.csv`: the same layout with the true multiplicative shifts (0 where absent);
/// - only with `--two-theta-offset`: `truth-offsets.csv`, each sample's 2θ zero offset in degrees
///   (`SynthTruthOffsets`);
/// - only with `--kalpha2` or `--two-theta-offset`: `import.json` recording the wavelength (Cu
///   Kα1, and the doublet with `--kalpha2`; `SynthImportFile`), which `LibraryLoader` reads into
///   `axisWavelength` and `secondLine`.
/// A `truth-offsets.csv`, or an `import.json` that `drnet synth` wrote, left in the folder by an
/// earlier run with those options is removed when this run has none, so that it cannot describe
/// the new library.
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
        let fm = FileManager.default
        if let offsets = result.twoThetaOffsets {
            try SynthTruthOffsets.write(offsets, toFile: path("truth-offsets.csv"))
        } else if fm.fileExists(atPath: path("truth-offsets.csv")) {
            try fm.removeItem(atPath: path("truth-offsets.csv"))
        }
        if result.options.kAlpha2 || result.options.twoThetaOffsetMax > 0 {
            try AtomicFile.write(try SynthImportFile.data(for: result), to: path("import.json"))
        } else if SynthImportFile.isGenerated(path("import.json")) {
            try fm.removeItem(atPath: path("import.json"))
        }
    }
}
