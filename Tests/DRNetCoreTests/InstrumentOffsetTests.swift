import XCTest
@testable import DRNetCore
@testable import DRNetEngine
@testable import DRNetIO
@testable import DRNetSynthetic
import TestSupport

/// Instrument offsets (issue 12): the 2θ zero offset and sample displacement mapped into Q, their
/// derivatives, the decoder with offsets, and the loss's gradients against finite differences.
final class InstrumentOffsetTests: XCTestCase {
    let k = InstrumentOffset.wavenumber(wavelengthAngstrom: 1.540598)

    func testPositionFollowsBraggsLawAndItsDerivativesHold() {
        XCTAssertEqual(Double(k), 4 * .pi / 0.1540598, accuracy: 1e-3)
        for (q, z, delta) in [(Float(20), Float(0.004), Float(0)), (45, -0.003, 0.002), (70, 0.005, -0.004), (30, 0, 0)] {
            let p = InstrumentOffset.position(q, wavenumber: k, zero: z, displacement: delta)
            // By hand in Double: 2θ⁰ = 2 asin(q/K), observed 2θ = 2θ⁰ + z + δ·cos θ⁰.
            let theta = asin(Double(q) / Double(k))
            let twoTheta = 2 * theta + Double(z) + Double(delta) * cos(theta)
            XCTAssertEqual(Double(p.mu), Double(k) * sin(twoTheta / 2), accuracy: 1e-4 * Double(q))
            let h: Float = 0.05  // Float positions: a wide step (μ is smooth) keeps rounding out of the difference
            let dq =
                (InstrumentOffset.position(q + h, wavenumber: k, zero: z, displacement: delta).mu
                    - InstrumentOffset.position(q - h, wavenumber: k, zero: z, displacement: delta).mu) / (2 * h)
            XCTAssertEqual(p.dQ, dq, accuracy: 2e-3)
            let hz: Float = 1e-4
            let dz =
                (InstrumentOffset.position(q, wavenumber: k, zero: z + hz, displacement: delta).mu
                    - InstrumentOffset.position(q, wavenumber: k, zero: z - hz, displacement: delta).mu) / (2 * hz)
            XCTAssertEqual(p.dZero, dz, accuracy: 2e-2 * abs(p.dZero))
            let dd =
                (InstrumentOffset.position(q, wavenumber: k, zero: z, displacement: delta + hz).mu
                    - InstrumentOffset.position(q, wavenumber: k, zero: z, displacement: delta - hz).mu) / (2 * hz)
            XCTAssertEqual(p.dDisplacement, dd, accuracy: 2e-2 * abs(p.dDisplacement))
        }
        // No offsets: the position is unchanged; beyond the axis (q ≥ K) it is kept as well.
        XCTAssertEqual(InstrumentOffset.position(33, wavenumber: k, zero: 0, displacement: 0).mu, 33, accuracy: 1e-4)
        XCTAssertEqual(InstrumentOffset.position(k + 1, wavenumber: k, zero: 0.01, displacement: 0).mu, k + 1)
        // A common zero offset moves low-Q peaks further than high-Q ones (cos θ falls): unlike a
        // lattice shift, which moves them in proportion to q.
        let low = InstrumentOffset.position(20, wavenumber: k, zero: 0.005, displacement: 0).mu - 20
        let high = InstrumentOffset.position(70, wavenumber: k, zero: 0.005, displacement: 0).mu - 70
        XCTAssertGreaterThan(low, high)
        let (z, _, dz, _) = InstrumentOffset.offsets(10, 0, zeroMaxDegrees: 0.3, displacementMaxDegrees: 0.3)
        XCTAssertEqual(Double(z), 0.3 * .pi / 180, accuracy: 1e-7)
        XCTAssertLessThan(dz, 1e-6)
    }

    func testTheDecoderMovesEveryStickOfTheSampleByItsOffset() {
        let q = (0..<3000).map { 15 + 0.02 * Float($0) }
        let phase = CandidatePhase(name: "x", q: [25, 55], intensity: [1, 1])
        let plain = PeakDecoder(phases: [phase], q: q)
        let decoder = PeakDecoder(phases: [phase], q: q, offsetWavelength: 1.540598)
        XCTAssertEqual(decoder.wavenumber!, k, accuracy: 1e-4)
        let r0 = SampleRender(decoder: plain), r1 = SampleRender(decoder: decoder)
        let one: [Float] = [1], v: [Float] = [-6]
        plain.render(phases: [0], shifts: one, logVariances: v, fractions: one, into: r0)
        let zero: [Float] = [0, 0]
        decoder.render(phases: [0], shifts: one, logVariances: v, fractions: one, offsets: zero, into: r1)
        // Zero offsets are no offsets (K·sin(asin(q/K)) = q to Float rounding).
        let same = zip(r0.reconstructionArray, r1.reconstructionArray).map { abs($0 - $1) }.max()!
        XCTAssertLessThan(same, 1e-3, "zero offsets are no offsets")
        let offsets: [Float] = [0.004, 0]
        decoder.render(phases: [0], shifts: one, logVariances: v, fractions: one, offsets: offsets, into: r1)
        let x = r1.reconstructionArray
        for q0: Float in [25, 55] {
            let near = q.indices.filter { abs(q[$0] - q0) < 1 }
            let peak = near.max { x[$0] < x[$1] }!
            let want = InstrumentOffset.position(q0, wavenumber: k, zero: 0.004, displacement: 0).mu
            XCTAssertEqual(q[peak], want, accuracy: 0.011, "the stick at \(q0) is seen at \(want)")
            XCTAssertGreaterThan(q[peak] - q0, 0.05)
        }
    }

    func testGradientsWithOffsetsMatchFiniteDifferences() {
        var options = SolverOptions()
        options.peakShape = .pseudoVoigt
        options.peakMixingMax = 0.5
        let (lib, loss, batch) = LossGradientCheck.problem(options: options) {
            PeakDecoder(phases: $0.phases, q: $0.q, backgroundCoefficients: 8, offsetWavelength: 1.540598)
        }
        let samples = batch.samples, p = lib.phaseCount
        var rng = SeededGenerator(seed: 13)
        func u() -> Float { Float(rng.next() >> 40) / Float(1 << 24) * 2 - 1 }
        let n = samples.count * p
        var heads = HeadOutputs(
            logits: (0..<n).map { _ in 1.5 * u() }, shiftPre: (0..<n).map { _ in 0.1 * u() },
            widthPre: (0..<n).map { _ in 0.5 * u() }, backgroundPre: (0..<(samples.count * 8)).map { _ in u() },
            mixingPre: (0..<p).map { _ in u() })
        heads.offsetPre = (0..<(2 * samples.count)).map { _ in u() }
        var g = HeadOutputs.zeros(batch: 4, phases: p)
        let report = loss.evaluate(heads: heads, batch: batch, step: 0, gradients: &g)
        XCTAssertEqual(report.offsets.count, 8)
        XCTAssertTrue(report.offsets.allSatisfy { abs($0) < Float(0.3 * .pi / 180) + 1e-7 })
        LossGradientCheck.assertMatchesFiniteDifferences(
            loss: loss, batch: batch, heads: heads, gradient: g,
            heads: [
                .init("offsets", \.offsetPre, step: 3e-3), .init("shifts", \.shiftPre, step: 3e-4),
                .init("widths", \.widthPre, step: 3e-4), .init("mixing", \.mixingPre, step: 3e-3)
            ])
        // Frozen shifts freeze the offsets.
        var frozen = HeadOutputs.zeros(batch: 4, phases: p)
        _ = loss.evaluate(heads: heads, batch: batch, step: 0, gradients: &frozen, freezeShifts: true)
        XCTAssertEqual(frozen.offsetPre, [Float](repeating: 0, count: 8))
    }

    func testOnlyALibraryWithAnAxisWavelengthGetsOffsets() throws {
        let syn = SyntheticLibrary.make(divisions: 3, gridCount: 200, sticksPerPhase: 5, distractors: 1, seed: 2)
        var options = SolverOptions()
        options.hiddenLayers = [16]
        let withoutAxis = try DRNetSolver(problem: PreparedProblem(library: syn.library, options: options), options: options, seed: 1)
        XCTAssertNil(withoutAxis.loss.decoder.wavenumber)
        var lib = syn.library
        lib.axisWavelength = 1.540598
        let withAxis = try DRNetSolver(problem: PreparedProblem(library: lib, options: options), options: options, seed: 1)
        XCTAssertNotNil(withAxis.loss.decoder.wavenumber)
        options.instrumentOffsets = false
        let off = try DRNetSolver(problem: PreparedProblem(library: lib, options: options), options: options, seed: 1)
        XCTAssertNil(off.loss.decoder.wavenumber)
        // The per-sample layout keeps u and o together as the shift parameters.
        let latents = PerSampleLatents(sampleCount: 3, phaseCount: 4, backgroundCount: 2, offsets: true)
        XCTAssertEqual(latents.shiftParameters, 12..<30)
        XCTAssertEqual(latents.parameterCount, 3 * 4 * 3 + 3 * 2 + 3 * 2 + 1)
    }
}
