import ArgumentParser
import DRNetCore
import Foundation

/// `drnet sticks <cif…> [--wavelength Å|name] [--qmin Q] [--qmax Q] [--out sticks.csv]`:
/// candidate stick patterns from crystal structures.
struct Sticks: ReportingCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compute powder stick patterns (candidate phases) from CIF crystal structures.",
        discussion: """
            Writes the solver's stick library (phase,name,q,intensity plus h,k,l,multiplicity,d; q in nm⁻¹ = 2π/d, \
            intensity relative to the phase's strongest reflection = 100) and, beside it, phase-compositions.csv with \
            each phase's cation fractions from its formula. Phases are numbered in argument order and named after \
            their file names. Intensities: m·|F|²·(1+cos²2θ)/(sin²θ cosθ) with tabulated X-ray form factors; the \
            sites' isotropic displacement parameters, when the CIF gives them, add a Debye–Waller factor.
            """)

    @Argument(help: "CIF files (one structure each).") var cifs: [String]
    @Option(help: "X-ray wavelength: a number in Å or a name (CuKa, CuKa1, MoKa, CoKa, …).") var wavelength: String = XRayWavelength
        .defaultName
    @Option(parsing: .unconditional, help: "Lowest Q, nm⁻¹.") var qmin: Double = 0
    @Option(parsing: .unconditional, help: "Highest Q, nm⁻¹ (capped at 4π/λ).") var qmax: Double = 80
    @Option(parsing: .unconditional, help: "Drop reflections weaker than this percentage of the strongest.") var minIntensity: Double = 0.01
    @Flag(help: "Ignore the CIFs' displacement parameters (no Debye–Waller factor).") var noDebyeWaller = false
    @Option(help: "Output stick file; phase-compositions.csv is written to the same folder.") var out: String = "sticks.csv"

    func execute() throws {
        var options = PowderPatternOptions()
        options.wavelength = try XRayWavelength.parse(wavelength)
        options.qMin = qmin
        options.qMax = qmax
        options.minRelativeIntensity = minIntensity
        options.debyeWaller = !noDebyeWaller
        let phases = try StickLibraryBuilder.phases(fromCIFs: cifs, options: options)
        let compositions = try StickLibraryBuilder.write(phases, sticksPath: out)
        for phase in phases {
            let strongest = phase.reflections.max { $0.relativeIntensity < $1.relativeIntensity }
            let text =
                strongest.map { "strongest (\($0.h) \($0.k) \($0.l)) at q = \(String(format: "%.3f", $0.q)) nm⁻¹" } ?? "no reflections"
            print("\(phase.name): \(phase.reflections.count) reflections; \(text)")
        }
        print("wrote \(out) and \(compositions) (λ = \(options.wavelength) Å)")
    }
}
