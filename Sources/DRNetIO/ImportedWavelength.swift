import DRNetEngine
import Foundation

/// The wavelength doublet of a library made by `drnet import`, from its `import.json`: when
/// every scan records the same Kα1, Kα2 and Kα2/Kα1 ratio (XRDML's `usedWavelength`, BRML's
/// tube, `--wavelength CuKa`), the library's `secondLine` (λ₂/λ₁ and the ratio) lets the decoder
/// render both lines. Scans with one line, or with different doublets, give none (the latter
/// with a warning in the library's sources). When every scan has the same Kα1 (or single line),
/// that is the library's `axisWavelength` (for the instrument offsets).
enum ImportedWavelength {
    static func apply(importJSON path: String, to library: inout CompositionLibrary) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(file: path, expected: "a readable import.json", found: "a file that cannot be read")
        }
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw InputError(file: path, expected: "the JSON drnet import writes", found: "invalid JSON")
        }
        guard let samples = (object as? [String: Any])?["samples"] as? [[String: Any]], !samples.isEmpty else {
            throw InputError(file: path, location: "key samples", expected: "a list of the imported scans", found: "none")
        }
        // The axis's wavelength (λ₁): when every scan has the same one, instrument offsets in 2θ
        // can be fitted.
        let axis = samples.map { (($0["wavelength"] as? [String: Any])?["alpha1"] as? NSNumber)?.doubleValue }
        if let first = axis.first ?? nil, first > 0, axis.allSatisfy({ $0.map { abs($0 - first) < 1e-9 } ?? false }) {
            library.axisWavelength = first
        }
        var lines: [(Double, Double, Double, String)] = []
        for s in samples {
            guard let w = s["wavelength"] as? [String: Any], let a1 = (w["alpha1"] as? NSNumber)?.doubleValue,
                let a2 = (w["alpha2"] as? NSNumber)?.doubleValue, let r = (w["ratio"] as? NSNumber)?.doubleValue,
                a1 > 0, a2 > 0, r > 0
            else { return }  // a scan measured (or given) with one line: render one line
            lines.append((a1, a2, r, (w["origin"] as? String) ?? "import.json"))
        }
        let first = lines[0]
        guard lines.allSatisfy({ abs($0.0 - first.0) < 1e-9 && abs($0.1 - first.1) < 1e-9 && abs($0.2 - first.2) < 1e-9 }) else {
            library.sources.warnings.append(
                "\(path): the scans were measured with different wavelength doublets; the decoder renders one line (Kα1)")
            return
        }
        library.secondLine = CompositionLibrary.SecondLine(
            qRatio: first.1 / first.0, intensityRatio: first.2,
            origin: "import.json: Kα1 \(first.0) Å, Kα2 \(first.1) Å, ratio \(first.2), from \(first.3)")
    }
}
