import XCTest
@testable import DRNetCore
@testable import DRNetEngine
@testable import DRNetIO
import TestSupport

/// The peak width measured in the patterns (issue 12): exact on Gaussians, and the warning when
/// the settings' width range misses the data.
final class PeakWidthEstimateTests: XCTestCase {
    func testGaussianPeaksGiveTheirSigma() throws {
        let q = (0..<2000).map { 10 + 0.02 * Float($0) }
        for sigma in [0.05, 0.2, 0.6] {
            // Two patterns, peaks of heights 1, 0.6 and 0.1 (the last too low to be measured).
            var x = [Float]()
            for centre in [20.0, 30.0] {
                x += q.map { v in
                    let g = { (c: Double, h: Double) in h * exp(-pow(Double(v) - c, 2) / (2 * sigma * sigma)) }
                    return Float(g(centre, 1) + g(centre + 10, 0.6) + g(centre + 20, 0.1))
                }
            }
            let e = try XCTUnwrap(PeakWidthEstimate.measure(patterns: x, q: q))
            XCTAssertEqual(e.peaks, 4)
            XCTAssertEqual(e.sigma, sigma, accuracy: 0.01 * sigma + 0.002, "σ \(sigma)")
        }
        XCTAssertNil(PeakWidthEstimate.measure(patterns: [Float](repeating: 0, count: 2000), q: q))
    }

    /// Noise does not widen the estimate on a fine grid: every wiggle on a peak's top or
    /// shoulder is a local maximum there, but only the highest point between its own half-maximum
    /// crossings counts. Overlapping peaks (σ 0.3 nm⁻¹, 0.6 nm⁻¹ apart) with 1 % Gaussian noise, on
    /// 251 and 4 001 points over 15…65 nm⁻¹: the same σ̂ within 10 %, and about as many peaks.
    func testNoiseOnAFineGridDoesNotWidenTheEstimate() throws {
        var rng = SeededGenerator(seed: 11)
        func gauss() -> Double {
            let u = (Double(rng.next() >> 11) + 0.5) / 9_007_199_254_740_992, v = Double(rng.next() >> 11) / 9_007_199_254_740_992
            return (-2 * Foundation.log(u)).squareRoot() * cos(2 * Double.pi * v)
        }
        func estimate(points: Int) throws -> PeakWidthEstimate {
            let q = (0..<points).map { 15 + 50 * Float($0) / Float(points - 1) }
            var x = [Float]()
            for sample in 0..<6 {
                x += q.map { v -> Float in
                    var y = 0.0
                    for (c, h) in [(20.0, 1.0), (20.6, 0.7), (31.0, 0.8), (44.0, 0.5), (44.6, 0.9), (57.0, 0.6)] {
                        y += h * exp(-pow(Double(v) - c - 0.1 * Double(sample), 2) / (2 * 0.09))
                    }
                    return Float(max(0, y + 0.01 * gauss()))
                }
            }
            return try XCTUnwrap(PeakWidthEstimate.measure(patterns: x, q: q))
        }
        let coarse = try estimate(points: 251), fine = try estimate(points: 4001)
        XCTAssertEqual(fine.sigma, coarse.sigma, accuracy: 0.1 * coarse.sigma, "fine \(fine) coarse \(coarse)")
        XCTAssertLessThanOrEqual(fine.peaks, 2 * coarse.peaks, "noise maxima counted as peaks: \(fine.peaks) vs \(coarse.peaks)")
    }

    func testAWarningWhenTheWidthRangeMissesTheData() throws {
        let e = PeakWidthEstimate(sigma: 0.03, fwhm: 0.03 * PeakWidthEstimate.fwhmPerSigma, peaks: 12)
        let defaults = SolverOptions()  // σ 0.135…1 nm⁻¹
        let w = try XCTUnwrap(e.warning(for: defaults))
        XCTAssertTrue(w.contains("σ ≈ 0.03 nm⁻¹") && w.contains("logVarianceCentre -7.01"), w)
        var fitted = defaults
        fitted.logVarianceCentre = -7
        fitted.logVarianceRange = 1
        XCTAssertNil(e.warning(for: fitted))
    }

    /// The shared libraries' peaks, for the record (and against the settings that solve them).
    func testSharedLibrariesPeakWidths() throws {
        var seen = 0
        for name in ["al-li-fe", "bi-cu-v", "ta-rh-pd"] {
            guard let set = SharedData.dataset(name) else { continue }
            let lib = try LibraryLoader.load(directory: set.path)
            let problem = try PreparedProblem(library: lib, options: SolverOptions())
            let e = try XCTUnwrap(problem.peakWidth, name)
            print(
                "peak width \(name): σ \(e.sigma) nm⁻¹, FWHM \(e.fwhm), \(e.peaks) peaks; defaults \(PeakWidthEstimate.range(SolverOptions()))"
            )
            XCTAssertGreaterThan(e.peaks, 100, name)
            XCTAssertTrue((0.01...1.5).contains(e.sigma), "\(name): σ \(e.sigma)")
            seen += 1
        }
        if seen == 0 { throw XCTSkip("../shared/datasets absent") }
    }
}
