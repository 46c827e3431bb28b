import DRNetEngine
import Foundation

/// Writes a library as the key=value instance text that `InstanceTextReader` reads: a `//`
/// comment, `M`, `Elements`, `N`, `Composition` (when M > 0) and the `C<element>` rows, `Q`
/// (nm⁻¹) and `I1`…`IN`.
public enum InstanceTextWriter {
    /// How numbers are written.
    public enum Precision: Sendable {
        /// Shortest round-trip form: Q and intensities read back as the same Float (imports).
        case roundTrip
        /// `%.6f` compositions, `%.6g` Q and intensities (generated libraries, compact).
        case sixDigits
    }

    public static func text(_ library: CompositionLibrary, comment: String, precision: Precision) -> String {
        let n = library.sampleCount, t = library.gridCount, m = library.elementCount
        func float(_ v: Float) -> String { precision == .roundTrip ? "\(v)" : String(format: "%.6g", Double(v)) }
        func fraction(_ v: Double) -> String { precision == .roundTrip ? "\(v)" : String(format: "%.6f", v) }
        var out = "// \(comment)\nM=\(m)\nElements=\(library.elements.joined(separator: ","))\nN=\(n)\n"
        if m > 0 { out += "Composition=" + library.elements.map { "C\($0)" }.joined(separator: ",") + "\n" }
        for (col, e) in library.elements.enumerated() {
            out += "C\(e)=" + (0..<n).map { fraction(library.compositions[$0 * m + col]) }.joined(separator: ",") + "\n"
        }
        out += "Q=" + library.q.map(float).joined(separator: ",") + "\n"
        for i in 0..<n { out += "I\(i + 1)=" + library.patterns[(i * t)..<((i + 1) * t)].map(float).joined(separator: ",") + "\n" }
        return out
    }
}
