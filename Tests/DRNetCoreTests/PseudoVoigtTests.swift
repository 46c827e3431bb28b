import XCTest
@testable import DRNetCore
@testable import DRNetEngine
@testable import DRNetSynthetic
import TestSupport

/// Pseudo-Voigt peaks (issue 12): the profile's area, width and tails, the Gaussian limit, and
/// the gradients with respect to η (and the other latents with η > 0) against finite differences.
final class PseudoVoigtTests: XCTestCase {
    /// One stick at q⁰ = 30 nm⁻¹ on a fine grid 10…50 nm⁻¹ (0.01 step), σ² = e^v.
    func renderOne(eta: Float, logVariance v: Float = -3) -> (q: [Float], row: [Float]) {
        let q = (0..<4001).map { 10 + 0.01 * Float($0) }
        let phase = CandidatePhase(name: "x", q: [30], intensity: [1])
        let decoder = PeakDecoder(phases: [phase], q: q)
        // The unnormalised phase row B̃ (before max-normalisation: the amplitudes are the formula's).
        var row = [Float](repeating: 0, count: decoder.stride)
        decoder.grid.withUnsafeBufferPointer { g in
            row.withUnsafeMutableBufferPointer { r in
                decoder.renderPhaseUnnormalised(
                    0, shift: 1, logVariance: v, factors: nil, fattening: 0, mixing: eta, grid: g.baseAddress!, into: r.baseAddress!)
            }
        }
        return (q, Array(row.prefix(q.count)))
    }

    func testAreaAndFWHMDoNotDependOnEta() {
        let (q, gaussian) = renderOne(eta: 0)
        let sigma = Foundation.exp(-1.5)
        for eta: Float in [0.3, 0.7, 1] {
            let (_, pv) = renderOne(eta: eta)
            // Areas on the grid: the Lorentzian's tails beyond ±20 nm⁻¹ hold 2γ/(π·20) of its area.
            let gamma = sigma * (2 * Foundation.log(2.0)).squareRoot()
            let missing = Double(eta) * 2 * gamma / (.pi * 20)
            let area = { (r: [Float]) in r.reduce(0) { $0 + Double($1) } * 0.01 }
            XCTAssertEqual(area(pv), area(gaussian) * (1 - missing), accuracy: 2e-3 * area(gaussian), "area at η \(eta)")
            // Half maximum crossings at the same place (the same FWHM 2√(2 ln 2)·σ).
            func fwhm(_ r: [Float]) -> Double {
                let top = r.max()!
                let above = r.indices.filter { r[$0] >= top / 2 }
                return Double(q[above.last!] - q[above.first!])
            }
            XCTAssertEqual(fwhm(pv), fwhm(gaussian), accuracy: 0.021, "FWHM at η \(eta)")
            XCTAssertEqual(fwhm(gaussian), 2 * (2 * Foundation.log(2.0)).squareRoot() * sigma, accuracy: 0.021)
        }
    }

    func testTheLorentzianTailIsExactFarFromThePeak() {
        let (q, pv) = renderOne(eta: 1)
        let variance = Foundation.exp(-3.0)
        let amplitude = Foundation.exp(1.5)  // ĉ·e^{−v/2} with ĉ = 1
        for t in [0, 500, 1500, 2600, 4000] {
            let d = Double(q[t]) - 30
            let want = amplitude * Double(PeakDecoder.lorentzianHeight) / (1 + d * d / (2 * Foundation.log(2.0) * variance))
            XCTAssertEqual(Double(pv[t]), want, accuracy: 1e-5 * want + 1e-9, "L at q = \(q[t]) (far outside ±6σ)")
        }
        // A sharp peak (σ² = e^{-9}): the Lorentzian window ends at ±316γ, where L is 10⁻⁵ of its height.
        let (qs, sharp) = renderOne(eta: 1, logVariance: -9)
        let gamma = (2 * Foundation.log(2.0) * Foundation.exp(-9.0)).squareRoot()
        let reach = Double(PeakDecoder.lorentzianReach) * gamma
        let height = sharp.max()!
        for t in qs.indices {
            let d = abs(Double(qs[t]) - 30)
            if d > reach * 1.001 { XCTAssertEqual(sharp[t], 0, "beyond the window at q = \(qs[t])") }
            if d < reach * 0.999 { XCTAssertGreaterThan(Double(sharp[t]), 0.99e-5 * Double(height), "inside at q = \(qs[t])") }
        }
        XCTAssertLessThan(reach, 20, "the window is a fraction of this grid")
        // η = 0: nothing outside the Gaussian window.
        let (_, g) = renderOne(eta: 0)
        XCTAssertEqual(g[0], 0)
        XCTAssertEqual(g[4000], 0)
    }

    /// The small problem of the gradient checks with pseudo-Voigt peaks (η_max 0.8, e around 0).
    func smallProblem() -> (DRNetLoss, BatchData, HeadOutputs) {
        var options = SolverOptions()
        options.peakShape = .pseudoVoigt
        options.peakMixingMax = 0.8
        options.backgroundCoefficients = 5
        let (lib, loss, batch) = LossGradientCheck.problem(options: options) {
            PeakDecoder(phases: $0.phases, q: $0.q, backgroundCoefficients: 5)
        }
        let samples = batch.samples, p = lib.phaseCount
        var rng = SeededGenerator(seed: 7)
        func u() -> Float { Float(rng.next() >> 40) / Float(1 << 24) * 2 - 1 }
        let n = samples.count * p
        let heads = HeadOutputs(
            logits: (0..<n).map { _ in 1.5 * u() }, shiftPre: (0..<n).map { _ in 0.1 * u() },
            widthPre: (0..<n).map { _ in 0.5 * u() }, backgroundPre: (0..<(samples.count * 5)).map { _ in u() },
            mixingPre: (0..<p).map { _ in u() })
        return (loss, batch, heads)
    }

    func testGradientsWithPseudoVoigtPeaksMatchFiniteDifferences() {
        let (loss, batch, heads) = smallProblem()
        var g = HeadOutputs.zeros(batch: 4, phases: 6)
        let report = loss.evaluate(heads: heads, batch: batch, step: 0, gradients: &g)
        XCTAssertEqual(report.mixing.count, 6)
        XCTAssertTrue(report.mixing.allSatisfy { $0 > 0 && $0 < 0.8 })
        XCTAssertEqual(g.mixingPre.count, 6)
        LossGradientCheck.assertMatchesFiniteDifferences(
            loss: loss, batch: batch, heads: heads, gradient: g,
            heads: [
                .init("mixing", \.mixingPre, step: 3e-3), .init("logits", \.logits, step: 3e-4),
                .init("shifts", \.shiftPre, step: 3e-4), .init("widths", \.widthPre, step: 3e-4),
                .init("background", \.backgroundPre, step: 3e-3)
            ])
    }

    func testMixingMapAndOptions() throws {
        for e: Float in [-30, -2, 0, 1.5, 30] {
            let (v, d) = LatentHeads.mixing(e, maximum: 0.6)
            let s = 1 / (1 + Foundation.exp(-Double(e)))
            XCTAssertEqual(Double(v), 0.6 * s, accuracy: 1e-6)
            XCTAssertEqual(Double(d), 0.6 * s * (1 - s), accuracy: 1e-6)
        }
        var o = SolverOptions()
        XCTAssertEqual(o.peakShape, .auto)
        XCTAssertFalse(o.pseudoVoigt, "auto is resolved by the solver (DataDefaults), Gaussian until then")
        for bad in [1.5, 0] {
            o.peakMixingMax = bad
            XCTAssertThrowsError(try o.validate()) { XCTAssertTrue("\($0)".contains("peakMixingMax")) }
        }
        o.peakMixingMax = 1
        XCTAssertNoThrow(try o.validate())
        o.peakShape = .pseudoVoigt
        XCTAssertTrue(o.pseudoVoigt)
        // The η block sits before the fattening scalar in both models, initialised at e = −2.
        let enc = AmortisedEncoder(gridCount: 20, elementCount: 3, phaseCount: 4, hidden: [8], compositionInput: false, mixing: true)
        var theta = [Float](repeating: 0, count: enc.parameterCount)
        var rng = SeededGenerator(seed: 1)
        theta.withUnsafeMutableBufferPointer { enc.initialise($0.baseAddress!, rng: &rng) }
        XCTAssertEqual(Array(theta[enc.mixingOffset..<(enc.mixingOffset + 4)]), [-2, -2, -2, -2])
        XCTAssertEqual(enc.mixingOffset + 4, enc.parameterCount - 1)
        let latents = PerSampleLatents(sampleCount: 3, phaseCount: 4, backgroundCount: 5, mixing: true)
        XCTAssertEqual(latents.parameterCount, 3 * 3 * 4 + 3 * 5 + 4 + 1)
    }
}
