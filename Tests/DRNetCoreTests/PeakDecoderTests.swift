import XCTest
@testable import DRNetAnalysis
@testable import DRNetCore
@testable import DRNetCrystal
@testable import DRNetEngine
@testable import DRNetIO
@testable import DRNetPlotting
@testable import DRNetSynthetic

/// The windowed SIMD renderer equals a dense render (every stick on every grid point, Double).
final class PeakDecoderTests: XCTestCase {
    func testWindowedRenderEqualsDenseRender() {
        let syn = SyntheticLibrary.make(divisions: 2, gridCount: 400, qRange: 10...70, sticksPerPhase: 25, distractors: 4, seed: 21)
        let lib = syn.library
        let p = lib.phaseCount, t = lib.gridCount
        let decoder = PeakDecoder(phases: lib.phases, q: lib.q)
        let render = SampleRender(decoder: decoder)
        var rng = SeededGenerator(seed: 1)
        func u() -> Float { Float(rng.next() >> 40) / Float(1 << 24) }
        let s = (0..<p).map { _ in 0.9 + 0.2 * u() }, v = (0..<p).map { _ in -4 + 4 * u() }
        var w = (0..<p).map { _ in u() }
        let sum = w.reduce(0, +)
        w = w.map { $0 / sum }
        decoder.render(phases: (0..<p).map { Int32($0) }, shifts: s, logVariances: v, fractions: w, into: render)
        var mix = [Double](repeating: 0, count: t)
        for k in 0..<p {
            var dense = [Double](repeating: 0, count: t)
            let c = lib.phases[k].normalisedIntensity
            for (j, q0) in lib.phases[k].q.enumerated() {
                let mu = Double(s[k]) * Double(q0), vk = Double(v[k])
                for i in 0..<t {
                    let d = Double(lib.q[i]) - mu
                    dense[i] += Double(c[j]) * Foundation.exp(-d * d / (2 * Foundation.exp(vk)) - vk / 2)
                }
            }
            let m = dense.max()! + 1e-9
            var err = 0.0
            for i in 0..<t {
                let b = dense[i] / m
                mix[i] += Double(w[k]) * b
                err = max(err, abs(b - Double(render.basisRow(k)[i])))
            }
            XCTAssertLessThan(err, 1e-5, "phase \(k)")
        }
        let mm = mix.max()! + 1e-9
        let xh = render.reconstructionArray
        let err = (0..<t).map { abs(mix[$0] / mm - Double(xh[$0])) }.max()!
        XCTAssertLessThan(err, 1e-5, "mixture")
    }

    func testSimdExpAccuracy() {
        var worst: Float = 0
        var x: Float = -87
        while x < 10 {
            let lanes = FloatLanes(x, x + 0.013, x + 0.027, x + 0.031, x + 0.049, x + 0.05, x + 0.061, x + 0.077)
            let e = simdExp(lanes)
            for l in 0..<8 {
                let ref = Foundation.exp(Double(lanes[l]))
                worst = max(worst, Float(abs(Double(e[l]) - ref) / ref))
            }
            x += 0.1
        }
        XCTAssertLessThan(worst, 5e-7)
    }

    /// The vector square root (Adam's denominator) against the correctly rounded one: within
    /// 3·10⁻⁷ relative from the smallest normal float up to 10³⁷, exactly 0 at 0, 0 below the
    /// normal range, and NaN for NaN.
    func testSimdSquareRootAccuracy() {
        var worst: Double = 0
        var x = Double(Float.leastNormalMagnitude)
        while x < 1e37 {
            let lanes = FloatLanes((0..<8).map { Float(x * (1 + 0.137 * Double($0))) })
            let r = simdSquareRoot(lanes)
            for l in 0..<8 {
                let ref = Double(lanes[l]).squareRoot()
                worst = max(worst, abs(Double(r[l]) - ref) / ref)
            }
            x *= 1.37
        }
        XCTAssertLessThan(worst, 3e-7)
        let edge = simdSquareRoot(FloatLanes(0, Float.leastNormalMagnitude / 4, Float.leastNonzeroMagnitude, 1, 4, 0.25, 2, 1e-30))
        XCTAssertEqual(edge[0], 0)
        XCTAssertEqual(edge[1], 0)
        XCTAssertEqual(edge[2], 0)
        XCTAssertEqual(edge[4], 2, accuracy: 1e-6)
        XCTAssertEqual(edge[5], 0.5, accuracy: 1e-7)
        XCTAssertEqual(edge[7], 1e-15, accuracy: 1e-21)
        XCTAssertTrue(simdSquareRoot(FloatLanes(repeating: .nan))[0].isNaN)
    }
}
