import ArgumentParser
import DRNetCore
import Foundation

/// `drnet import <files or folders…> --out <library-dir> [--compositions F] [--axis …] [--wavelength …]`:
/// a library folder from a user's own scans (`ScanImport`).
struct Import: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Build a library folder from measured scans (.xrdml, .brml, .xy, .xye, .dat, .csv, .txt, .chi).",
        discussion: """
            Every scan is converted to Q in nm⁻¹ (Q = 4π sin θ / λ(Kα1); 1 Å⁻¹ = 10 nm⁻¹; d = 2π/Q) — the axis \
            from the file where it says, else --axis; a 2θ axis needs a wavelength from the file or --wavelength — \
            and resampled by linear interpolation onto one Q grid (default: uniform over the overlap of all scans, \
            as dense as the densest scan). Writes instance.txt, import.json (per sample: file, axis, wavelength and \
            where they came from, the grid) and samples.csv; then add sticks.csv (drnet sticks) and run drnet solve.
            """)

    @Argument(help: "Scan files or folders of scans (a folder's files in natural order of their names).") var paths: [String]
    @Option(help: "Output library folder (must be new or empty, unless --overwrite).") var out: String
    @Option(
        help:
            "CSV file,<element>…: each scan's composition (file name with or without extension); samples follow its order. Without it: a library without compositions (no composition graph)."
    )
    var compositions: String?
    @Option(help: "Axis of files that do not state theirs: 2theta, q-nm, q-A or d-A.") var axis: String?
    @Option(help: "Wavelength: Å, a line (CuKa1) or an anode's Kα doublet (CuKa, MoKa, …).") var wavelength: String?
    @Flag(help: "Use --wavelength even where a file states a different one.") var wavelengthOverride = false
    @Option(parsing: .unconditional, help: "Q grid start, nm⁻¹.") var qMin: Double?
    @Option(parsing: .unconditional, help: "Q grid end, nm⁻¹.") var qMax: Double?
    @Option(parsing: .unconditional, help: "Q grid step, nm⁻¹.") var qStep: Double?
    @Option(
        help:
            "Subtract a background: snip (SNIP, clipping half-window 1 nm⁻¹) or snip:W (W in nm⁻¹, about the widest peak's base); default none."
    ) var background: String?
    @Flag(help: "Replace the library files in a non-empty --out.") var overwrite = false
    @Flag(help: "No summary on stderr.") var quiet = false

    func execute() throws {
        var settings = ScanImport.Settings()
        settings.axis = try axis.map { try ScanAxis.parse($0) }
        settings.wavelength = wavelength
        settings.wavelengthOverride = wavelengthOverride
        settings.qMin = qMin
        settings.qMax = qMax
        settings.qStep = qStep
        settings.compositions = compositions
        if let background {
            let parts = background.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.first?.lowercased() == "snip", parts.count == 1 || Double(parts[1]) != nil else {
                throw ValidationError("--background \(background): expected snip or snip:W (W the clipping half-window in nm⁻¹)")
            }
            settings.snipWindow = parts.count == 2 ? Double(parts[1])! : SNIPBackground.defaultWindow
        }
        // A compositions CSV inside a scan folder (as `drnet export` writes it) is not a scan.
        let skip = compositions.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        let files = try ScanFiles.expand(paths).filter { URL(fileURLWithPath: $0).standardizedFileURL.path != skip }
        let scans = try files.flatMap { try ScanFiles.read($0) }
        let name = URL(fileURLWithPath: out).standardizedFileURL.lastPathComponent
        let (library, report, sources) = try ScanImport.build(scans: scans, settings: settings, name: name)
        try ScanImport.write(library: library, report: report, sources: sources, to: out, overwrite: overwrite)
        if !quiet {
            let g = report.grid
            stderr(
                String(
                    format: "drnet import: %d scan(s) from %d file(s) → %@: Q %.4f…%.4f nm⁻¹, %d points (step %.5f; %@); elements %@",
                    library.sampleCount, files.count, out, g.qMin, g.qMax, g.points, g.qStep, g.origin,
                    library.elements.joined(separator: ",")))
        }
    }
}
