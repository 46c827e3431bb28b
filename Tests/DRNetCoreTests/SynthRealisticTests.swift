import XCTest
@testable import DRNetCore
@testable import DRNetCrystal
@testable import DRNetEngine
@testable import DRNetIO
@testable import DRNetSynthetic
import TestSupport

/// The effects of measured scans in the synthetic generator (`RealisticPatternRenderer`):
/// pseudo-Voigt peaks, the Kα2 line, Q-dependent widths, the 2θ zero offset, and what the
/// library folder records of them (`import.json`, `truth-offsets.csv`).
final class SynthRealisticTests: XCTestCase {
    // MARK: Helpers

    private func candidates() throws -> [ComputedPhase] {
        var options = PowderPatternOptions(); options.qMin = 15; options.qMax = 70; options.minRelativeIntensity = 0.1
        return try StickLibraryBuilder.phases(
            fromCIFs: MgAlTiODiagram.candidates.map { CIFReaderTests.structurePath(MgAlTiODiagram.structureFolder, $0) },
            options: options)
    }

    private func generate(_ o: SynthOptions, forceRealistic: Bool = false) throws -> SynthResult {
        try SynthGenerator.generate(
            candidates: try candidates(), diagram: try MgAlTiODiagram.diagram(), elements: MgAlTiODiagram.elements,
            options: o, name: "test", forceRealistic: forceRealistic)
    }

    /// A uniform grid lo, lo + step, … ≤ hi (nm⁻¹).
    private func grid(_ lo: Double, _ hi: Double, _ step: Double) -> [Float] {
        (0...Int(((hi - lo) / step).rounded(.down))).map { Float(lo + Double($0) * step) }
    }

    /// A renderer of one phase with sticks at `positions` (equal intensities).
    private func renderer(
        sticks positions: [Float], q: [Float], configure: (inout RealisticPatternRenderer.Settings) -> Void = { _ in }
    ) -> RealisticPatternRenderer {
        var settings = RealisticPatternRenderer.Settings(widthRange: Double(q.first!)...Double(q.last!))
        configure(&settings)
        let phase = CandidatePhase(name: "p", q: positions, intensity: positions.map { _ in 1 })
        return RealisticPatternRenderer(phases: [phase], q: q, settings: settings)
    }

    /// A peak near `near` (nm⁻¹): the centre by a parabola through the largest grid value and its
    /// neighbours, the height there, and the FWHM from the half-height crossings (linear).
    private func peak(_ y: [Double], _ q: [Double], near: Double, within: Double) -> (centre: Double, height: Double, fwhm: Double) {
        let candidates = q.indices.filter { abs(q[$0] - near) <= within }
        let i = candidates.dropFirst().dropLast().max { y[$0] < y[$1] }!
        let (a, b, c) = (y[i - 1], y[i], y[i + 1])
        let offset = 0.5 * (a - c) / (a - 2 * b + c)
        let centre = q[i] + offset * (q[i + 1] - q[i - 1]) / 2
        let height = b - 0.25 * (a - c) * offset
        func crossing(_ step: Int) -> Double {
            var j = i
            while y.indices.contains(j + 2 * step), y[j + step] > height / 2 { j += step }
            guard y.indices.contains(j + step), y[j + step] <= height / 2 else { return .nan }  // no crossing on the grid
            let (y0, y1) = (y[j], y[j + step])
            return q[j] + (q[j + step] - q[j]) * (y0 - height / 2) / (y0 - y1)
        }
        return (centre, height, crossing(1) - crossing(-1))
    }

    /// ∫ y dq by the trapezoid rule.
    private func area(_ y: [Double], _ q: [Double]) -> Double {
        var sum = 0.0
        for t in 1..<q.count { sum += 0.5 * (y[t] + y[t - 1]) * (q[t] - q[t - 1]) }
        return sum
    }

    // MARK: Renderer

    /// With every effect off the plain renderer is the decoder: whole libraries (solid-solution
    /// shifts included) agree to 1e-5.
    func testRendererWithoutEffectsEqualsTheDecoder() throws {
        var o = SynthOptions(); o.divisions = 6; o.noise = .none
        XCTAssertFalse(o.hasScanEffects)
        let decoder = try generate(o)
        let plain = try generate(o, forceRealistic: true)
        XCTAssertEqual(decoder.library.patterns.count, plain.library.patterns.count)
        XCTAssertTrue(decoder.truthShifts.fractions.joined().contains { $0 != 0 && abs($0 - 1) > 1e-3 }, "no shifted phase")
        var largest: Float = 0
        for (a, b) in zip(decoder.library.patterns, plain.library.patterns) { largest = max(largest, abs(a - b)) }
        XCTAssertLessThanOrEqual(largest, 1e-5)
        XCTAssertEqual(plain.library.patterns.max(), 1)
        XCTAssertNil(plain.twoThetaOffsets)
        XCTAssertNil(plain.library.secondLine)
    }

    /// Pseudo-Voigt peaks keep the Gaussian's area and FWHM (2√(2 ln 2)·σ) for every η.
    func testPseudoVoigtKeepsAreaAndFWHM() throws {
        let q = grid(35, 65, 0.0005)
        let v = -9.0, sigma = exp(v / 2)
        let gamma = RealisticPatternRenderer.fwhmPerSigma * sigma / 2
        var areas: [Double] = []
        for eta in [0, 0.3, 0.6, 1] {
            let r = renderer(sticks: [50], q: q) { $0.peakMixing = eta }
            let y = r.phasePattern(0, shift: 1, logVariance: v, twoThetaOffset: 0)
            let qd = r.q
            // The area on the grid, against the exact area of the profile over [35, 65].
            let lorentzianShare = (atan((qd.last! - 50) / gamma) + atan((50 - qd.first!) / gamma)) / Double.pi
            let expected = (2 * Double.pi).squareRoot() * ((1 - eta) + eta * lorentzianShare)
            XCTAssertEqual(area(y, qd), expected, accuracy: 1e-5 * expected, "η \(eta)")
            areas.append(area(y, qd))
            let p = peak(y, qd, near: 50, within: 0.01)
            XCTAssertEqual(p.centre, 50, accuracy: 1e-5, "η \(eta)")
            XCTAssertEqual(p.fwhm, RealisticPatternRenderer.fwhmPerSigma * sigma, accuracy: 1e-3 * p.fwhm, "η \(eta)")
        }
        for a in areas { XCTAssertEqual(a, areas[0], accuracy: 1e-3 * areas[0]) }  // within the Lorentzian tails beyond the grid
        // The profile itself: area-normalised, equal to the Gaussian at η = 0 and with its half height at FWHM/2.
        XCTAssertEqual(
            RealisticPatternRenderer.pseudoVoigt(0.01, sigma: 0.02, eta: 0), exp(-0.125) / (0.02 * (2 * Double.pi).squareRoot()),
            accuracy: 1e-12)
        for eta in [0, 0.5, 1] {
            let half = RealisticPatternRenderer.fwhmPerSigma * 0.02 / 2
            XCTAssertEqual(
                RealisticPatternRenderer.pseudoVoigt(half, sigma: 0.02, eta: eta),
                RealisticPatternRenderer.pseudoVoigt(0, sigma: 0.02, eta: eta) / 2, accuracy: 1e-9, "η \(eta)")
        }
    }

    /// Kα2: a copy of each peak at Q·λ₂/λ₁ = Q·1.002485 with half the height (one narrow stick,
    /// the two lines well resolved).
    func testKAlpha2CopySitsAtTheWavelengthRatioWithHalfHeight() throws {
        var o = SynthOptions(); o.kAlpha2 = true
        let settings = RealisticPatternRenderer.Settings(options: o)
        let line = try XCTUnwrap(settings.secondLine)
        XCTAssertEqual(line.qRatio, 1.002485, accuracy: 1e-6)
        XCTAssertEqual(line.intensityRatio, 0.5)
        let q = grid(59.5, 60.7, 0.0005)
        let r = renderer(sticks: [60], q: q) { $0.secondLine = line }
        let y = r.phasePattern(0, shift: 1, logVariance: -10, twoThetaOffset: 0)
        let first = peak(y, r.q, near: 60, within: 0.02)
        let second = peak(y, r.q, near: 60 * 1.002485, within: 0.02)
        XCTAssertEqual(first.centre, 60, accuracy: 1e-5)
        XCTAssertEqual(second.centre, 60 * 1.544426 / 1.540598, accuracy: 1e-5)
        XCTAssertEqual(second.height / first.height, 0.5, accuracy: 1e-4)
        XCTAssertEqual(second.fwhm, first.fwhm, accuracy: 1e-4)
        // Without the second line, nothing there.
        let single = renderer(sticks: [60], q: q).phasePattern(0, shift: 1, logVariance: -10, twoThetaOffset: 0)
        let at = r.q.firstIndex { $0 >= second.centre }!
        XCTAssertLessThan(single[at], 1e-9 * first.height)
    }

    /// The 2θ zero offset: a peak at Q⁰ moves to 4π sin((2θ⁰ + z)/2)/λ₁ (Q⁰ = 40 nm⁻¹, z = 0.5°:
    /// 40.30979377 nm⁻¹, computed independently).
    func testTwoThetaOffsetMovesAPeakByTheFormula() throws {
        let lambda = SynthOptions.kAlpha1Angstrom / 10
        XCTAssertEqual(
            try XCTUnwrap(RealisticPatternRenderer.offsetQ(40, twoThetaOffset: 0.5, wavelength: lambda)), 40.30979377, accuracy: 1e-7)
        XCTAssertEqual(RealisticPatternRenderer.offsetQ(40, twoThetaOffset: 0, wavelength: lambda), 40)
        let back = try XCTUnwrap(RealisticPatternRenderer.offsetQ(40.30979377, twoThetaOffset: -0.5, wavelength: lambda))
        XCTAssertEqual(back, 40, accuracy: 1e-7)
        XCTAssertNil(RealisticPatternRenderer.offsetQ(90, twoThetaOffset: 0.1, wavelength: lambda))  // beyond 2θ = 180°
        let q = grid(39.5, 40.8, 0.0005)
        let r = renderer(sticks: [40], q: q)
        for (z, expected) in [(0.5, 40.30979377), (0.0, 40.0)] {
            let y = r.phasePattern(0, shift: 1, logVariance: -9, twoThetaOffset: z)
            XCTAssertEqual(peak(y, r.q, near: expected, within: 0.05).centre, expected, accuracy: 1e-5, "z \(z)°")
        }
    }

    /// Width slope a: σ grows from σ_k at the bottom of the range to (1 + a)·σ_k at the top, the
    /// area kept (so the height falls by the same factor).
    func testWidthSlopeWidensHighQPeaksByTheFactor() throws {
        let q = grid(19, 61, 0.001)
        let v = -8.0, sigma = exp(v / 2)
        let r = renderer(sticks: [20, 40, 60], q: q) {
            $0.widthSlope = 1.5
            $0.widthRange = 20...60
        }
        let y = r.phasePattern(0, shift: 1, logVariance: v, twoThetaOffset: 0)
        let low = peak(y, r.q, near: 20, within: 0.01)
        let middle = peak(y, r.q, near: 40, within: 0.01)
        let high = peak(y, r.q, near: 60, within: 0.01)
        XCTAssertEqual(low.fwhm, RealisticPatternRenderer.fwhmPerSigma * sigma, accuracy: 1e-3 * low.fwhm)
        XCTAssertEqual(middle.fwhm / low.fwhm, 1.75, accuracy: 2e-3)
        XCTAssertEqual(high.fwhm / low.fwhm, 2.5, accuracy: 2e-3)
        XCTAssertEqual(high.height / low.height, 1 / 2.5, accuracy: 2e-3)
    }

    // MARK: Generator

    private func allEffects() -> SynthOptions {
        var o = SynthOptions()
        o.divisions = 4
        o.peakMixing = 0.4
        o.kAlpha2 = true
        o.widthSlope = 1
        o.twoThetaOffsetMax = 0.2
        o.background = 0.05
        return o
    }

    /// Same seed → identical patterns and offsets; another seed → others; the truth does not
    /// depend on the effects; each effect changes the patterns.
    func testGenerationWithEffectsIsDeterministic() throws {
        let o = allEffects()
        let a = try generate(o), b = try generate(o)
        XCTAssertEqual(a.library.patterns, b.library.patterns)
        XCTAssertEqual(a.twoThetaOffsets, b.twoThetaOffsets)
        var other = o; other.seed = 2
        let c = try generate(other)
        XCTAssertNotEqual(a.library.patterns, c.library.patterns)
        XCTAssertNotEqual(a.twoThetaOffsets, c.twoThetaOffsets)
        var plain = SynthOptions(); plain.divisions = 4; plain.background = 0.05
        let base = try generate(plain)
        XCTAssertEqual(a.truthFractions, base.truthFractions)
        XCTAssertEqual(a.truthShifts, base.truthShifts)
        var one = plain; one.noise = .none
        let reference = try generate(one).library.patterns
        for effect in [\SynthOptions.peakMixing, \SynthOptions.widthSlope, \SynthOptions.twoThetaOffsetMax] {
            var e = one; e[keyPath: effect] = 0.5
            XCTAssertNotEqual(try generate(e).library.patterns, reference, "\(effect)")
        }
        var k = one; k.kAlpha2 = true
        XCTAssertNotEqual(try generate(k).library.patterns, reference, "kAlpha2")
    }

    /// The offsets lie in ±max, differ between samples, round-trip through truth-offsets.csv and
    /// are the ones the patterns were rendered with.
    func testOffsetsAreRecordedAndRoundTrip() throws {
        var o = SynthOptions(); o.divisions = 4; o.noise = .none; o.twoThetaOffsetMax = 0.3
        let result = try generate(o)
        let offsets = try XCTUnwrap(result.twoThetaOffsets)
        XCTAssertEqual(offsets.count, result.library.sampleCount)
        XCTAssertTrue(offsets.allSatisfy { abs($0) <= 0.3 })
        XCTAssertGreaterThan(Set(offsets).count, offsets.count / 2)

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("drnet-synth-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try SynthLibraryWriter.write(result, candidates: try candidates(), to: dir, description: "test")
        let path = dir + "/truth-offsets.csv"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("sample,two_theta_offset_deg\n0,"), text)
        XCTAssertEqual(try SynthTruthOffsets.read(contentsOfFile: path), offsets)
        // The offsets need the axis wavelength: import.json records Kα1 alone (no Kα2 rendered).
        let loaded = try LibraryLoader.load(directory: dir)
        XCTAssertEqual(try XCTUnwrap(loaded.axisWavelength), 1.540598, accuracy: 1e-9)
        XCTAssertNil(loaded.secondLine)

        // Sample i's pattern is its phases rendered with z_i.
        let renderer = RealisticPatternRenderer(
            phases: result.library.phases, q: result.library.q, settings: .init(options: o))
        let names = MgAlTiODiagram.candidates
        let t = result.library.gridCount
        let largest = offsets.indices.sorted { abs(offsets[$0]) > abs(offsets[$1]) }.prefix(3)
        for i in largest {
            let components = result.truthFractions.phases.enumerated().compactMap { c, name -> RealisticPatternRenderer.Component? in
                let w = result.truthFractions.fractions[i][c]
                guard w > 0 else { return nil }
                return .init(
                    phase: names.firstIndex(of: name)!, shift: result.truthShifts.fractions[i][c],
                    logVariance: result.logVariances[name]!, fraction: w)
            }
            let expected = renderer.render(components, twoThetaOffset: offsets[i]).pattern
            let unshifted = renderer.render(components, twoThetaOffset: 0).pattern
            let got = result.library.patterns[(i * t)..<((i + 1) * t)].map(Double.init)
            XCTAssertLessThanOrEqual(zip(got, expected).map { abs($0 - $1) }.max()!, 1e-6, "sample \(i)")
            XCTAssertGreaterThan(zip(got, unshifted).map { abs($0 - $1) }.max()!, 1e-3, "sample \(i): offset \(offsets[i])° had no effect")
        }
        let bad = dir + "/bad.csv"
        try "sample,two_theta_offset_deg\n0,0.1\n2,0.2\n".write(toFile: bad, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try SynthTruthOffsets.read(contentsOfFile: bad)) { XCTAssertTrue("\($0)".contains("line 3"), "\($0)") }
    }

    /// With --kalpha2 the folder's import.json (the layout of drnet import) gives the loaded
    /// library the doublet; a later run without the effects removes the files it wrote.
    func testWriterRecordsTheDoubletForTheLoader() throws {
        let result = try generate(allEffects())
        let line = try XCTUnwrap(result.library.secondLine)
        XCTAssertEqual(line.qRatio, 1.544426 / 1.540598, accuracy: 1e-12)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("drnet-synth-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cands = try candidates()
        try SynthLibraryWriter.write(result, candidates: cands, to: dir, description: "test")
        let loaded = try LibraryLoader.load(directory: dir)
        let loadedLine = try XCTUnwrap(loaded.secondLine)
        XCTAssertEqual(loadedLine.qRatio, 1.002485, accuracy: 1e-6)
        XCTAssertEqual(loadedLine.intensityRatio, 0.5)
        XCTAssertEqual(try XCTUnwrap(loaded.axisWavelength), 1.540598, accuracy: 1e-9)
        let report = try JSONDecoder().decode(
            ScanImport.Report.self, from: try Data(contentsOf: URL(fileURLWithPath: dir + "/import.json")))
        XCTAssertEqual(report.samples.count, loaded.sampleCount)
        XCTAssertEqual(report.samples[3].wavelength?.alpha2, 1.544426)
        XCTAssertEqual(report.grid.points, loaded.gridCount)
        XCTAssertEqual(report.elements, MgAlTiODiagram.elements)
        XCTAssertEqual(report.samples[3].composition["Mg"] ?? -1, loaded.compositions[9], accuracy: 1e-12)

        var plain = SynthOptions(); plain.divisions = 4
        try SynthLibraryWriter.write(try generate(plain), candidates: cands, to: dir, description: "test")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/import.json"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/truth-offsets.csv"))
        XCTAssertNil(try LibraryLoader.load(directory: dir).secondLine)
        XCTAssertNil(try LibraryLoader.load(directory: dir).axisWavelength)
    }

    /// Out-of-range settings are refused with a message naming the option and its range.
    func testInvalidEffectSettingsAreRejected() {
        let cases: [(WritableKeyPath<SynthOptions, Double>, [Double], String)] = [
            (\.peakMixing, [-0.1, 1.01, .nan], "--peak-mixing (pseudo-Voigt η) must be in [0, 1]"),
            (\.widthSlope, [-1, 5.5, .infinity, .nan], "--width-slope must be in [0, 5]"),
            (\.twoThetaOffsetMax, [-0.01, 1.5, .nan], "--two-theta-offset must be in [0, 1] degrees 2θ")
        ]
        for (key, values, message) in cases {
            var ok = SynthOptions(); ok[keyPath: key] = key == \.widthSlope ? 5 : 1
            XCTAssertNoThrow(try ok.validate())
            for value in values {
                var o = SynthOptions(); o[keyPath: key] = value
                XCTAssertThrowsError(try o.validate(), "\(message) \(value)") { e in
                    XCTAssertTrue(e is ConfigurationError, "\(e)")
                    XCTAssertTrue("\(e)".contains(message), "\(e)")
                }
            }
        }
    }

    /// The description in instance.txt names the effects that are on, and only those.
    func testDescriptionNamesTheEffects() {
        XCTAssertEqual(SynthOptions().scanEffectsDescription, "")
        XCTAssertEqual(
            allEffects().scanEffectsDescription,
            ", pseudo-Voigt η 0.4, Cu Kα2 (λ₂/λ₁ 1.002485, ratio 0.5), width slope 1.0, 2θ offset ±0.2°")
    }
}
