import DRNetEngine
import Foundation

/// Writes a library's patterns back out as one text scan per sample (`drnet export`), so that
/// users can look at them in other tools and so that a library survives a round trip through
/// `drnet import`. Every file states its axis and wavelength in pyFAI's comment form
/// (`# Unit: 2th_deg`, `# Wavelength: <m>`), which `TextScanReader` reads back.
///
/// Axes (from Q in nm⁻¹): 2θ = 2·asin(Q·λ/(4π)) in degrees with λ = λ(Kα1) in nm (Q beyond 4π/λ
/// has no 2θ and is an error); Q in Å⁻¹ = Q/10; d in Å = 10·2π/Q (written in increasing d).
/// Beside the scans, `compositions.csv` (`file,<element>…`) lets `drnet import` rebuild the
/// library in the same sample order.
public enum ScanExport {
    public enum Format: String, CaseIterable, Sendable {
        /// x and intensity, whitespace-separated.
        case xy
        /// x, intensity and σ; the library holds no uncertainties, so σ = √max(I, 0) (a Poisson
        /// estimate, said so in each file's header).
        case xye
        /// x,intensity with a header line naming the axis.
        case csv
    }

    /// Writes every sample of `library` into `directory` (created; an existing non-empty folder
    /// is refused unless `overwrite`). Returns the files written.
    @discardableResult
    public static func write(
        _ library: CompositionLibrary, to directory: String, format: Format, axis: ScanAxis, wavelength: ScanWavelength?,
        overwrite: Bool = false
    ) throws -> [String] {
        let q = library.q.map { Double($0) }
        let x: [Double]
        var reversed = false
        switch axis {
        case .qInverseNanometres: x = q
        case .qInverseAngstroms: x = q.map { $0 / 10 }
        case .dAngstroms:
            x = q.reversed().map { 2 * Double.pi / $0 * 10 }
            reversed = true
        case .twoTheta:
            guard let w = wavelength else {
                throw InputError(file: "--wavelength", expected: "a wavelength for a 2θ axis", found: "none")
            }
            let lambdaNm = w.alpha1 / 10
            if let bad = q.firstIndex(where: { $0 * lambdaNm / (4 * Double.pi) >= 1 }) {
                throw InputError(
                    file: "--wavelength", expected: "Q < 4π/λ = \(4 * Double.pi / lambdaNm) nm⁻¹ for every grid point",
                    found: "Q[\(bad)] = \(q[bad]) nm⁻¹ at λ = \(w.alpha1) Å (no 2θ)")
            }
            x = q.map { 2 * asin($0 * lambdaNm / (4 * Double.pi)) * 180 / Double.pi }
        }
        let fm = FileManager.default
        if fm.fileExists(atPath: directory) {
            let contents = (try? fm.contentsOfDirectory(atPath: directory)) ?? []
            guard contents.isEmpty || overwrite else {
                throw InputError(file: directory, expected: "an empty or new folder (or --overwrite)", found: "\(contents.count) entries")
            }
        }
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let unit: String
        switch axis {
        case .twoTheta: unit = "2th_deg"
        case .qInverseNanometres: unit = "q_nm^-1"
        case .qInverseAngstroms: unit = "q_A^-1"
        case .dAngstroms: unit = "d_A"
        }
        let n = library.sampleCount, t = library.gridCount, m = library.elementCount
        let digits = String(max(n - 1, 0)).count
        var written: [String] = []
        var compositions = "file," + library.elements.joined(separator: ",") + "\n"
        for i in 0..<n {
            let name = "\(library.name)-\(String(repeating: "0", count: digits - String(i).count))\(i).\(format.rawValue)"
            var rows = (0..<t).map { Double(library.patterns[i * t + $0]) }
            if reversed { rows.reverse() }
            var text = "# drnet export of \(library.name), sample \(i) (Q grid of \(t) points)\n# Unit: \(unit)\n"
            if let w = wavelength {
                text += "# Wavelength: \(w.alpha1 * 1e-10)\n"
                if let a2 = w.alpha2, let r = w.ratio { text += "# Kalpha2: \(a2) A, ratio \(r) (the doublet of \(w.origin))\n" }
            }
            switch format {
            case .xy:
                for (xv, y) in zip(x, rows) { text += "\(xv) \(y)\n" }
            case .xye:
                text += "# sigma: sqrt(I), a Poisson estimate (the library holds no uncertainties)\n"
                for (xv, y) in zip(x, rows) { text += "\(xv) \(y) \(max(y, 0).squareRoot())\n" }
            case .csv:
                text += "\(unit),intensity\n"
                for (xv, y) in zip(x, rows) { text += "\(xv),\(y)\n" }
            }
            let path = (directory as NSString).appendingPathComponent(name)
            try AtomicFile.write(text, to: path)
            written.append(path)
            compositions += name + "," + (0..<m).map { "\(library.compositions[i * m + $0])" }.joined(separator: ",") + "\n"
        }
        try AtomicFile.write(compositions, to: (directory as NSString).appendingPathComponent("compositions.csv"))
        return written
    }
}
