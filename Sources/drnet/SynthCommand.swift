import ArgumentParser
import DRNetCore
import Foundation

/// Options shared by `synth` and `demo`.
struct SynthArguments: ParsableArguments {
    @Option(parsing: .unconditional, help: "Random seed: peak widths, background, 2θ offsets and noise flow from it.") var seed: UInt64 = 1
    @Option(help: "Noise model: none, poisson or gaussian.") var noise: String = "poisson"
    @Option(parsing: .unconditional, help: "Noise level: counts at the strongest peak (poisson) or σ relative to the maximum (gaussian).")
    var noiseLevel: Double?
    @Option(parsing: .unconditional, help: "Smooth background amplitude relative to the pattern maximum (0 = none).") var background:
        Double = 0
    @Option(parsing: .unconditional, help: "Steps per side of the ternary composition grid ((D+1)(D+2)/2 samples).") var divisions: Int = 15
    @Option(
        parsing: .unconditional,
        help: "Q grid step, nm⁻¹, over 15…65 nm⁻¹: 0.1 gives 501 points, 0.0125 a fine grid of 4001, 0.2 a coarse one of 251.")
    var qStep: Double = SynthOptions().qStep
    @Option(
        parsing: .unconditional,
        help: "Pseudo-Voigt mixing η, dimensionless, 0…1: each peak (1−η)·Gaussian + η·Lorentzian of the same FWHM and area (0 = Gaussian)."
    )
    var peakMixing: Double = 0
    @Flag(
        help:
            "Render the Cu Kα2 line: every peak also at Q·λ₂/λ₁ (λ₁ 1.540598 Å, λ₂ 1.544426 Å) with half its intensity; writes import.json."
    )
    var kalpha2 = false
    @Option(
        parsing: .unconditional,
        help: "Q-dependent widths, dimensionless, 0…5: σ = σ_k·(1 + slope·(q⁰ − qmin)/(qmax − qmin)), Q in nm⁻¹ (0 = none).")
    var widthSlope: Double = 0
    @Option(
        parsing: .unconditional,
        help: "Per-sample 2θ zero offset, degrees 2θ, 0…1: uniform in ±this (via Cu Kα1); writes truth-offsets.csv (0 = none).")
    var twoThetaOffset: Double = 0
    @Option(
        help: "Folder of the Mg-Al-Ti-O structures (default: data/structures/mg-al-ti-o found beside the executable or working directory).")
    var structures: String?
    @Option(help: "X-ray wavelength for the stick intensities (Å or a name such as CuKa).") var wavelength: String = XRayWavelength
        .defaultName

    func options() throws -> SynthOptions {
        var o = SynthOptions()
        o.seed = seed
        guard let kind = SynthOptions.NoiseKind(rawValue: noise) else {
            throw ValidationError("--noise must be one of none, poisson, gaussian; got \(noise)")
        }
        o.noise = kind
        if let noiseLevel { o.noiseLevel = noiseLevel } else if kind == .gaussian { o.noiseLevel = 0.01 }
        o.background = background
        o.divisions = divisions
        o.qStep = qStep
        o.peakMixing = peakMixing
        o.kAlpha2 = kalpha2
        o.widthSlope = widthSlope
        o.twoThetaOffsetMax = twoThetaOffset
        try o.validate()
        return o
    }

    /// Generates the built-in Mg-Al-Ti-O library and writes it to `out`; returns the result.
    func generate(into out: String) throws -> SynthResult {
        let options = try self.options()
        let folder = try StructureLocator.folder(flag: structures, system: MgAlTiODiagram.structureFolder)
        var pattern = PowderPatternOptions()
        pattern.wavelength = try XRayWavelength.parse(wavelength)
        pattern.qMin = options.qMin
        pattern.qMax = options.qMax * 1.12  // room for shifts below 1
        pattern.minRelativeIntensity = 0.1
        let paths = MgAlTiODiagram.candidates.map { (folder as NSString).appendingPathComponent($0 + ".cif") }
        let candidates = try StickLibraryBuilder.phases(fromCIFs: paths, options: pattern)
        let result = try SynthGenerator.generate(
            candidates: candidates, diagram: try MgAlTiODiagram.diagram(),
            elements: MgAlTiODiagram.elements, options: options,
            name: URL(fileURLWithPath: out).lastPathComponent)
        let description =
            "drnet synth: Mg-Al-Ti-O synthetic library, seed \(options.seed), noise \(options.noise.rawValue) "
            + "\(options.noise == .none ? "" : String(options.noiseLevel)), background \(options.background), divisions \(options.divisions)"
            + (options.qStep == SynthOptions().qStep ? "" : ", Q step \(options.qStep) nm⁻¹")
            + options.scanEffectsDescription
        try SynthLibraryWriter.write(result, candidates: candidates, to: out, description: description)
        return result
    }
}

/// `drnet synth [--seed N] [--noise …] [--out DIR]`: a synthetic library with its truth.
struct Synth: ReportingCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate a synthetic Mg-Al-Ti-O composition library with known phase fractions and shifts.",
        discussion: """
            Phases from the shipped structures (data/structures/mg-al-ti-o), fractions by the lever rule over the \
            triangulated phase diagram (Gibbs rule and connected regions by construction), Vegard shifts along solid \
            solutions, Gaussian peaks, optional background and noise. Writes instance.txt, sticks.csv, \
            phase-compositions.csv, truth-fractions.csv and truth-shifts.csv to --out (a folder drnet solve reads). \
            Effects of measured scans, all off by default: --peak-mixing (pseudo-Voigt peaks), --kalpha2 (the Cu Kα2 \
            line; import.json records it for drnet solve), --width-slope (widths growing with Q), --two-theta-offset \
            (a per-sample 2θ zero offset; truth-offsets.csv records it).
            """)

    @OptionGroup var synth: SynthArguments
    @Option(help: "Output folder.") var out: String = "drnet-synth"

    func execute() throws {
        let result = try synth.generate(into: out)
        let lib = result.library
        print(
            "wrote \(out)/: N=\(lib.sampleCount) samples, Q=\(lib.gridCount) points, \(lib.phaseCount) candidates, "
                + "\(result.truthFractions.phases.count) true phases (\(result.truthFractions.phases.joined(separator: ", ")))")
    }
}
