import ArgumentParser
import DRNetCore
import Foundation

/// `drnet export <library-dir> --format xy|xye|csv [--axis …] [--wavelength …] --out DIR`: the
/// library's patterns as one text scan per sample (`ScanExport`).
struct Export: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a library's patterns as one text scan per sample (.xy, .xye or .csv), with compositions.csv.",
        discussion: """
            Each file states its axis and wavelength (# Unit: …, # Wavelength: … in pyFAI's form), so that other tools \
            and `drnet import <DIR> --compositions <DIR>/compositions.csv` read it back. On a 2θ axis the wavelength is \
            required (λ(Kα1) of a doublet converts Q). .xye's σ is √I, a Poisson estimate: the library holds no uncertainties.
            """)

    @Argument(help: "Library folder.") var libraryDir: String
    @Option(help: "File format: xy, xye or csv.") var format: String = "xy"
    @Option(help: "Axis: 2theta, q-nm, q-A or d-A.") var axis: String = "q-nm"
    @Option(help: "Wavelength for a 2θ axis: Å, a line (CuKa1) or an anode's Kα doublet (CuKa).") var wavelength: String?
    @Option(help: "Output folder (new or empty, unless --overwrite).") var out: String
    @Flag(help: "Write into a non-empty --out.") var overwrite = false

    func execute() throws {
        guard let f = ScanExport.Format(rawValue: format) else {
            throw CommandFailure(.badInput, "--format: unknown format '\(format)': expected xy, xye or csv")
        }
        let a = try ScanAxis.parse(axis)
        var w: ScanWavelength?
        if let wavelength {
            do { w = try ScanWavelength.named(wavelength) } catch let e as ConfigurationError {
                throw CommandFailure(.badInput, "--wavelength: \(e.description)")
            }
        }
        let library = try LibraryLoader.load(directory: libraryDir)
        let files = try ScanExport.write(library, to: out, format: f, axis: a, wavelength: w, overwrite: overwrite)
        print("\(files.count) scans written to \(out)/ (\(f.rawValue), axis \(a.rawValue)), with compositions.csv")
    }
}
