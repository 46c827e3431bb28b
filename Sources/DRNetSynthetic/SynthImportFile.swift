import DRNetEngine
import DRNetIO
import Foundation

/// `import.json` for a library generated with the Kα2 line (`SynthOptions.kAlpha2`) or with 2θ
/// offsets (`twoThetaOffsetMax`), in the layout `drnet import` writes (`ScanImport.Report`, which
/// decodes it): per sample the Q axis (nm⁻¹), the wavelength (Cu Kα1 in Å, with Kα2 and the ratio
/// I₂/I₁ when the doublet was rendered), the points and the Q range; the grid; plus a `generator`
/// key. `LibraryLoader` reads the doublet (`CompositionLibrary.secondLine`, so that `drnet solve`
/// renders both lines) and the axis wavelength (`axisWavelength`, for its instrument offsets).
public enum SynthImportFile {
    /// The value of the `generator` key (its start marks a file `drnet synth` wrote).
    public static let generator = "drnet synth"

    struct Report: Encodable {
        var version = 1
        var unit = "Q in nm^-1 = 4π sin θ / λ(Kα1); 1 Å^-1 = 10 nm^-1; d = 2π/Q"
        var generator: String
        var elements: [String]
        var grid: Grid
        var samples: [Sample]
    }

    struct Grid: Encodable {
        var qMin: Double
        var qMax: Double
        var qStep: Double
        var points: Int
        var origin = "drnet synth: the generator's grid"
        var interpolation = "none (rendered on the grid)"
    }

    struct Sample: Encodable {
        var sample: Int
        var source: String
        var axis = ScanAxis.qInverseNanometres
        var axisOrigin = "drnet synth"
        var wavelength: ScanWavelength
        var points: Int
        var qRange: [Double]
        var hasSigma = false
        var composition: [String: Double]
    }

    /// The JSON for `result` (pretty-printed, sorted keys, as `drnet import`).
    public static func data(for result: SynthResult) throws -> Data {
        let lib = result.library
        let wavelength =
            result.options.kAlpha2
            ? ScanWavelength(
                alpha1: SynthOptions.kAlpha1Angstrom, alpha2: SynthOptions.kAlpha2Angstrom, ratio: SynthOptions.kAlpha2Ratio,
                origin: "drnet synth --kalpha2 (Cu Kα)")
            : ScanWavelength(alpha1: SynthOptions.kAlpha1Angstrom, origin: "drnet synth --two-theta-offset (Cu Kα1)")
        let range = [Double(lib.q.first ?? 0), Double(lib.q.last ?? 0)]
        let m = lib.elementCount
        let samples = (0..<lib.sampleCount).map { i in
            Sample(
                sample: i, source: "drnet synth sample \(i)", wavelength: wavelength, points: lib.gridCount, qRange: range,
                composition: Dictionary(uniqueKeysWithValues: (0..<m).map { (lib.elements[$0], lib.compositions[i * m + $0]) }))
        }
        let report = Report(
            generator: "\(generator) (seed \(result.options.seed))", elements: lib.elements,
            grid: Grid(qMin: range[0], qMax: range[1], qStep: result.options.qStep, points: lib.gridCount), samples: samples)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(report)
    }

    /// Whether the file at `path` is an `import.json` that `drnet synth` wrote.
    public static func isGenerated(_ path: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: path),
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        else { return false }
        return (object["generator"] as? String)?.hasPrefix(generator) ?? false
    }
}
