import XCTest
@testable import DRNetAnalysis
@testable import DRNetCore
@testable import DRNetEngine
@testable import DRNetIO
@testable import DRNetSynthetic
import TestSupport

/// The fitted background (issue 12): the spline basis, the amplitude map, the smoothness penalty,
/// the decoder with a background, the loss's gradients through it against finite differences,
/// both latent models' layouts, and what a solution carries.
final class BackgroundModelTests: XCTestCase {
    let grid: [Float] = (0..<400).map { 15 + 0.1 * Float($0) }

    func testSplinesAreNonNegativeSumToOneAndSpanTheGrid() {
        for count in [4, 8, 13] {
            let basis = BackgroundBasis(q: grid, count: count)
            XCTAssertEqual(basis.knotSpacing, (Double(grid.last!) - 15) / Double(count - 3), accuracy: 1e-9)
            for t in 0..<grid.count {
                var sum: Float = 0
                for c in 0..<count {
                    let v = basis.values[c * grid.count + t]
                    XCTAssertGreaterThanOrEqual(v, 0)
                    sum += v
                }
                XCTAssertEqual(sum, 1, accuracy: 1e-5, "partition of unity at t = \(t), C = \(count)")
            }
            // Every spline contributes somewhere on the grid.
            for c in 0..<count { XCTAssertGreaterThan((0..<grid.count).map { basis.values[c * grid.count + $0] }.max()!, 0.1) }
        }
        // N₃ integrates to 1 and peaks at 2/3.
        let integral = stride(from: -2.0, through: 2.0, by: 1e-4).map { BackgroundBasis.cubicBSpline($0) * 1e-4 }.reduce(0, +)
        XCTAssertEqual(integral, 1, accuracy: 1e-6)
        XCTAssertEqual(BackgroundBasis.cubicBSpline(0), 2.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(BackgroundBasis.cubicBSpline(2), 0)
    }

    func testAConstantAndALineAreRepresentedExactly() {
        let basis = BackgroundBasis(q: grid, count: 8)
        XCTAssertEqual(basis.curve(coefficients: [Float](repeating: 0.3, count: 8)).map { Double($0) }.max()!, 0.3, accuracy: 1e-6)
        // A line: coefficients on the knot centres, β_c = a + b·(c − 1).
        let line = basis.curve(coefficients: (0..<8).map { 0.1 + 0.05 * Float($0 - 1) })
        for t in stride(from: 0, to: grid.count, by: 37) {
            let u = (Double(grid[t]) - basis.qMin) / basis.knotSpacing
            XCTAssertEqual(Double(line[t]), 0.1 + 0.05 * u, accuracy: 1e-5)
        }
    }

    func testAmplitudeIsSoftplusWithItsDerivative() {
        for z: Float in [-60, -5, -1, 0, 1, 3, 2.5, 10, 80] {
            let (v, d) = BackgroundBasis.amplitude(z)
            let x = Double(z + BackgroundBasis.amplitudeOffset)
            XCTAssertEqual(Double(v), max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x))), accuracy: 1e-5 * max(1, abs(x)))
            XCTAssertEqual(Double(d), 1 / (1 + Foundation.exp(-x)), accuracy: 1e-6)
            XCTAssertTrue(v.isFinite && v >= 0 && d.isFinite)
        }
        XCTAssertEqual(Double(BackgroundBasis.amplitude(0).value), Foundation.log1p(Foundation.exp(-3)), accuracy: 1e-6)
    }

    func testSmoothnessPenaltyAndItsGradient() {
        let basis = BackgroundBasis(q: grid, count: 7)
        let beta: [Float] = [0.1, 0.4, 0.2, 0.25, 0.9, 0.3, 0.05]
        var g = [Float](repeating: 0, count: 7)
        let value = beta.withUnsafeBufferPointer { basis.penalty($0.baseAddress!, gradient: &g, scale: 2) }
        var want = 0.0
        for c in 1..<6 { let d = Double(beta[c + 1] - 2 * beta[c] + beta[c - 1]); want += d * d }
        XCTAssertEqual(value, want, accuracy: 1e-6)
        for c in 0..<7 {
            var up = beta, down = beta
            up[c] += 1e-3
            down[c] -= 1e-3
            let fd =
                (up.withUnsafeBufferPointer { basis.penalty($0.baseAddress!) }
                    - down.withUnsafeBufferPointer { basis.penalty($0.baseAddress!) }) / 2e-3
            XCTAssertEqual(Double(g[c]), 2 * fd, accuracy: 1e-3, "dP/dβ_\(c)")
        }
        // A straight line costs nothing.
        let line: [Float] = (0..<7).map { 0.2 + 0.1 * Float($0) }
        XCTAssertEqual(line.withUnsafeBufferPointer { basis.penalty($0.baseAddress!) }, 0, accuracy: 1e-10)
    }

    /// A loss over a small problem with a background of C splines, and random heads with
    /// background pre-activations around z = 2 (β ≈ 0.3, where the background matters).
    func smallProblem(count: Int = 6, smoothness: Double = 0.5) -> (DRNetLoss, BatchData, HeadOutputs) {
        var options = SolverOptions()
        options.backgroundCoefficients = count
        options.backgroundSmoothness = smoothness
        // Each pattern with a sloped background, so that the fit has something to explain.
        let (lib, loss, batch) = LossGradientCheck.problem(
            options: options, decoder: { PeakDecoder(phases: $0.phases, q: $0.q, backgroundCoefficients: count) },
            pattern: { _, row in
                let m = row.max()!, t = row.count
                return row.enumerated().map { j, v in v / m + 0.2 * Float(t - j) / Float(t) }
            })
        let samples = batch.samples, p = lib.phaseCount
        var rng = SeededGenerator(seed: 5)
        func u() -> Float { Float(rng.next() >> 40) / Float(1 << 24) * 2 - 1 }
        let n = samples.count * p
        let heads = HeadOutputs(
            logits: (0..<n).map { _ in 1.5 * u() }, shiftPre: (0..<n).map { _ in 0.1 * u() },
            widthPre: (0..<n).map { _ in 0.5 * u() }, backgroundPre: (0..<(samples.count * count)).map { _ in 2 + u() })
        return (loss, batch, heads)
    }

    func testBackgroundGradientMatchesFiniteDifferences() {
        let (loss, batch, heads) = smallProblem()
        var g = HeadOutputs.zeros(batch: 4, phases: 6)
        let report = loss.evaluate(heads: heads, batch: batch, step: 0, gradients: &g)
        XCTAssertEqual(g.backgroundPre.count, heads.backgroundPre.count)
        XCTAssertEqual(report.background.count, 4 * 6)
        XCTAssertGreaterThan(report.backgroundPenalty, 0)
        // The background (every coefficient), and the other heads' gradients with a background in
        // the mixture (every third entry).
        LossGradientCheck.assertMatchesFiniteDifferences(
            loss: loss, batch: batch, heads: heads, gradient: g,
            heads: [
                .init("background", \.backgroundPre, step: 3e-3, minimumScale: 1e-2),
                .init("logits with a background", \.logits, step: 3e-4, stride: 3, minimumScale: nil),
                .init("widths with a background", \.widthPre, step: 3e-4, stride: 3, minimumScale: nil)
            ])
    }

    func testTheBackgroundEntersTheMixtureBeforeItsNormalisation() {
        let (loss, batch, heads) = smallProblem()
        _ = loss.evaluate(heads: heads, batch: batch, step: 0)
        let backend = loss.backend
        let p = loss.decoder.phaseCount, t = loss.decoder.gridCount
        for b in 0..<batch.count {
            let r = backend.renderedSample(b)
            let beta = (0..<6).map { BackgroundBasis.amplitude(heads.backgroundPre[b * 6 + $0]).value }
            let curve = loss.decoder.background!.curve(coefficients: beta)
            XCTAssertEqual(r.background, curve)
            let w = loss.evaluate(heads: heads, batch: batch, step: 0).fractions
            let parts = backend.phaseContributions(b, phases: Array(0..<p), fractions: w[(b * p)..<((b + 1) * p)])
            let bg = backend.backgroundContribution(b)
            for q in 0..<t {
                var sum = bg[q]
                for k in 0..<p { sum += parts[k * t + q] }
                XCTAssertEqual(sum, r.reconstruction[q], accuracy: 1e-5)
            }
            XCTAssertEqual(r.reconstruction.max()!, 1, accuracy: 1e-5, "x̂ is max-normalised with the background in")
        }
    }

    func testWithoutCoefficientsTheDecoderIsTheReferenceOne() {
        let (loss, batch, heads) = smallProblem()
        var bare = heads
        bare.backgroundPre = []
        let with = loss.evaluate(heads: heads, batch: batch, step: 0)
        let without = loss.evaluate(heads: bare, batch: batch, step: 0)
        XCTAssertNotEqual(with.reconstruction, without.reconstruction)
        XCTAssertEqual(without.backgroundPenalty, 0)
        XCTAssertTrue(without.background.isEmpty)
        let plain = PeakDecoder(phases: [], q: grid)
        XCTAssertNil(plain.background)
        XCTAssertEqual(plain.backgroundCount, 0)
    }

    func testEncoderAndPerSampleLatentsCarryTheBackgroundHead() {
        let backendDecoder = PeakDecoder(phases: [], q: grid)
        let backend = CPUBackend(decoder: backendDecoder, reconstruction: ReconstructionLoss(options: SolverOptions()))
        let p = 5, c = 4, t = grid.count
        let encoder = AmortisedEncoder(
            gridCount: t, elementCount: 3, phaseCount: p, hidden: [16], compositionInput: false, backgroundCount: c)
        let reference = AmortisedEncoder(gridCount: t, elementCount: 3, phaseCount: p, hidden: [16], compositionInput: false)
        XCTAssertEqual(encoder.fractions.widths.last, p + c)
        XCTAssertEqual(encoder.parameterCount - reference.parameterCount, c * 16 + c)
        var rng = SeededGenerator(seed: 1)
        var theta = [Float](repeating: 0, count: encoder.parameterCount)
        theta.withUnsafeMutableBufferPointer { encoder.initialise($0.baseAddress!, rng: &rng) }
        backend.loadParameters(theta, optimiser: AdamOptimizer(count: theta.count, learningRate: 1e-3))
        let x = (0..<(2 * t)).map { Float(($0 * 7) % 13) / 13 }
        let h = encoder.forward(on: backend, samples: [0, 1], patterns: x, compositions: [])
        let full = backend.denseForward(encoder.fractions, input: x, batch: 2)
        XCTAssertEqual(h.logits, [0, 1].flatMap { b in (0..<p).map { full[b * (p + c) + $0] } })
        XCTAssertEqual(h.backgroundPre, [0, 1].flatMap { b in (0..<c).map { full[b * (p + c) + p + $0] } })
        // The background gradient reaches the fraction network's last layer (its last C columns).
        _ = encoder.forward(on: backend, samples: [0, 1], patterns: x, compositions: [])
        var g = HeadOutputs.zeros(batch: 2, phases: p)
        g.backgroundPre = [Float](repeating: 1, count: 2 * c)
        backend.zeroGradient()
        encoder.backward(on: backend, gradients: g)
        let grad = backend.parameterGradient()
        let biasStart = encoder.fractions.biasOffsets.last!
        XCTAssertEqual(Array(grad[biasStart..<(biasStart + p)]), [Float](repeating: 0, count: p))
        XCTAssertEqual(Array(grad[(biasStart + p)..<(biasStart + p + c)]), [Float](repeating: 2, count: c))

        // Per-sample latents: z rows are gathered by sample and repeated samples' gradients merge.
        let latents = PerSampleLatents(sampleCount: 3, phaseCount: p, backgroundCount: c)
        XCTAssertEqual(latents.parameterCount, 3 * 3 * p + 3 * c + 1)
        var params = [Float](repeating: 0, count: latents.parameterCount)
        for i in 0..<(3 * c) { params[latents.backgroundOffset + i] = Float(i) }
        backend.loadParameters(params, optimiser: AdamOptimizer(count: params.count, learningRate: 1e-3))
        let hz = latents.forward(on: backend, samples: [2, 0, 2], patterns: [], compositions: [])
        XCTAssertEqual(hz.backgroundPre, [8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11])
        var gz = HeadOutputs.zeros(batch: 3, phases: p)
        gz.backgroundPre = [Float](repeating: 1, count: 3 * c)
        backend.zeroGradient()
        latents.backward(on: backend, gradients: gz)
        let gp = backend.parameterGradient()
        XCTAssertEqual(Array(gp[latents.backgroundOffset..<(latents.backgroundOffset + 3 * c)]), [1, 1, 1, 1, 0, 0, 0, 0, 2, 2, 2, 2])
    }

    func testOptionsValidateTheBackgroundSettings() throws {
        var o = SolverOptions()
        XCTAssertEqual(o.backgroundCoefficients, 8)
        for bad in [1, 3, 65, -1] {
            o.backgroundCoefficients = bad
            XCTAssertThrowsError(try o.validate(), "\(bad)") { e in
                XCTAssertTrue("\(e)".contains("backgroundCoefficients"), "\(e)")
            }
        }
        o.backgroundCoefficients = 0
        XCTAssertNoThrow(try o.validate())
        o.backgroundSmoothness = -1
        XCTAssertThrowsError(try o.validate())
    }
}
