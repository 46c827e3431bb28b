import XCTest
@testable import DRNetEngine
@testable import DRNetIO
import TestSupport

/// The Kα doublet (issue 12): a library made by `drnet import` from scans that record Kα1, Kα2
/// and their ratio carries `secondLine`, and the decoder then renders every stick also at
/// q·λ₂/λ₁ with the ratio of its intensity — on every backend, since both render the same sticks.
final class WavelengthDoubletTests: XCTestCase {
    let cu = CompositionLibrary.SecondLine(qRatio: 1.544426 / 1.540598, intensityRatio: 0.5, origin: "test")

    func testEveryStickGetsItsSecondLine() {
        let phase = CandidatePhase(name: "a", q: [20, 30], intensity: [100, 40])
        let both = PreparedProblem.withSecondLine(phase, cu)
        XCTAssertEqual(both.q.count, 4)
        XCTAssertEqual(Double(both.q[2]), 20 * 1.544426 / 1.540598, accuracy: 1e-4)
        XCTAssertEqual(both.intensity, [100, 40, 50, 20])
        XCTAssertEqual(both.normalisedIntensity.max(), 1, "the strongest stick (and the normalisation) is unchanged")
    }

    func testTheDecoderRendersTheDoubletOnlyWhenTheLibraryHasOneAndTheOptionIsOn() throws {
        var lib = SyntheticSolveSetups.tiny().0.library
        let options = SyntheticSolveSetups.tiny().1
        let plain = try PreparedProblem(library: lib, options: options)
        lib.secondLine = cu
        let doublet = try PreparedProblem(library: lib, options: options)
        XCTAssertEqual(doublet.library.phases[0].q.count, 2 * plain.library.phases[0].q.count)
        XCTAssertNotNil(doublet.doubletNote)
        var off = options
        off.kAlpha2 = false
        let single = try PreparedProblem(library: lib, options: off)
        XCTAssertEqual(single.library.phases[0].q, plain.library.phases[0].q)
        XCTAssertNil(single.doubletNote)
        // The rendered pattern of one phase has a second, half-height peak just above each one.
        let decoder = PeakDecoder(phases: doublet.library.phases, q: lib.q, windowSigmas: 4, epsilon: 1e-9)
        XCTAssertEqual(decoder.phaseCount, lib.phaseCount)
    }

    func write(_ dir: IOTempDir, samples: [String]) -> String {
        let json = "{\"samples\": [" + samples.joined(separator: ",") + "]}"
        return dir.write("lib/import.json", json)
    }

    func testImportJSONGivesTheSecondLine() throws {
        let dir = IOTempDir()
        let cuScan = #"{"wavelength": {"alpha1": 1.540598, "alpha2": 1.544426, "ratio": 0.5, "origin": "file a.xrdml: usedWavelength"}}"#
        var lib = SyntheticSolveSetups.tiny().0.library
        try ImportedWavelength.apply(importJSON: write(dir, samples: [cuScan, cuScan]), to: &lib)
        let line = try XCTUnwrap(lib.secondLine)
        XCTAssertEqual(line.qRatio, 1.544426 / 1.540598, accuracy: 1e-12)
        XCTAssertEqual(line.intensityRatio, 0.5)
        XCTAssertTrue(line.origin.contains("a.xrdml"), line.origin)

        var one = SyntheticSolveSetups.tiny().0.library
        let ka1 = #"{"wavelength": {"alpha1": 1.540598, "origin": "--wavelength CuKa1"}}"#
        try ImportedWavelength.apply(importJSON: write(dir, samples: [cuScan, ka1]), to: &one)
        XCTAssertNil(one.secondLine, "a scan with one line: one line rendered")

        var mixed = SyntheticSolveSetups.tiny().0.library
        let co = #"{"wavelength": {"alpha1": 1.78897, "alpha2": 1.79285, "ratio": 0.5, "origin": "file b.xrdml"}}"#
        try ImportedWavelength.apply(importJSON: write(dir, samples: [cuScan, co]), to: &mixed)
        XCTAssertNil(mixed.secondLine)
        XCTAssertTrue(mixed.sources.warnings.contains { $0.contains("different wavelength doublets") })
    }
}
