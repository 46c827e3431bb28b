import DRNetEngine
import Foundation

/// The x axis of a measured scan and its unit, as a file states it or a user declares it.
/// Q is stored in nm⁻¹ throughout the project: Q = 4π sin θ / λ, 1 Å⁻¹ = 10 nm⁻¹, d = 2π / Q.
public enum ScanAxis: String, Codable, Sendable, CaseIterable {
    /// 2θ in degrees (needs a wavelength to become Q).
    case twoTheta = "2theta"
    /// Q in nm⁻¹.
    case qInverseNanometres = "q-nm"
    /// Q in Å⁻¹.
    case qInverseAngstroms = "q-A"
    /// d-spacing in Å.
    case dAngstroms = "d-A"
}

/// The X-ray wavelength(s) of a scan, in Å: Kα1, and the Kα2 line with its intensity ratio
/// I(Kα2)/I(Kα1) when known; `origin` says where the values came from (the file's element, a
/// named anode on the command line, …) for `import.json`.
public struct ScanWavelength: Codable, Sendable, Equatable {
    public var alpha1: Double
    public var alpha2: Double?
    public var ratio: Double?
    public var origin: String

    public init(alpha1: Double, alpha2: Double? = nil, ratio: Double? = nil, origin: String) {
        self.alpha1 = alpha1
        self.alpha2 = alpha2
        self.ratio = ratio
        self.origin = origin
    }
}

/// One scan as read from an instrument or text file, before any unit conversion or resampling:
/// the x values in the file's own axis and unit, the intensities as the file gives them (counts,
/// or counts per second), optional standard uncertainties σ, and what the file says about the
/// wavelength and counting time.
public struct MeasuredScan: Sendable, Equatable {
    /// The file the scan came from.
    public var source: String
    /// Position of the scan in a file that holds several (0-based), nil for single-scan files.
    public var scanIndex: Int?
    /// The axis as the file states it (nil: the file does not say; the user must).
    public var axis: ScanAxis?
    public var x: [Double]
    public var intensity: [Double]
    public var sigma: [Double]?
    /// The wavelength the file states (nil: none in the file).
    public var wavelength: ScanWavelength?
    /// Counting time per point in seconds, when the file states one.
    public var countingTime: Double?

    public init(
        source: String, scanIndex: Int? = nil, axis: ScanAxis?, x: [Double], intensity: [Double], sigma: [Double]? = nil,
        wavelength: ScanWavelength? = nil, countingTime: Double? = nil
    ) {
        self.source = source
        self.scanIndex = scanIndex
        self.axis = axis
        self.x = x
        self.intensity = intensity
        self.sigma = sigma
        self.wavelength = wavelength
        self.countingTime = countingTime
    }
}

extension ScanAxis {
    /// The axis a command-line flag names (`2theta`, `q-nm`, `q-A`, `d-A`).
    /// - Throws: `ConfigurationError` naming `flag` and the accepted values.
    public static func parse(_ text: String, flag: String = "--axis") throws -> ScanAxis {
        guard let axis = ScanAxis(rawValue: text) else {
            throw ConfigurationError("\(flag): unknown axis '\(text)': expected " + allCases.map(\.rawValue).joined(separator: ", "))
        }
        return axis
    }
}

extension ScanWavelength {
    /// The wavelength `--wavelength` names: a number of Å, a line (`CuKa1`) or an anode's Kα
    /// doublet (`CuKa`), with `origin` "--wavelength <text>".
    /// - Throws: `ConfigurationError` as `XRayWavelength.lines`.
    public static func named(_ text: String) throws -> ScanWavelength {
        let lines = try XRayWavelength.lines(text)
        return ScanWavelength(alpha1: lines.alpha1, alpha2: lines.alpha2, ratio: lines.ratio, origin: "--wavelength \(text)")
    }
}
