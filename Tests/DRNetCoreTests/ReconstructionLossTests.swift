import XCTest
import DRNetCore

/// The reconstruction-loss options (symmetric KL, true Jensen–Shannon, L2, L1): gradients with
/// respect to the reconstruction against central differences, and the metric's basic properties.
final class ReconstructionLossTests: XCTestCase {
    func randomPattern(_ n: Int, seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        var x = (0..<n).map { _ in Float(rng.next() >> 40) / Float(1 << 24) }
        let m = x.max()!
        x = x.map { $0 / m }
        return x
    }

    func check(metric: SolverOptions.ReconstructionMetric, l1: Double) {
        var o = SolverOptions()
        o.reconstructionMetric = metric
        o.l1Weight = l1
        let loss = ReconstructionLoss(options: o)
        let n = 40
        let x = randomPattern(n, seed: 1), xh = randomPattern(n, seed: 2)
        var g = [Float](repeating: 0, count: n)
        _ = loss.evaluate(input: x, reconstruction: xh, count: n, grad: &g)
        let h: Float = 1e-3
        var worst = 0.0, scale = 0.0
        for t in 0..<n {
            var up = xh, down = xh
            up[t] += h
            down[t] -= h
            let fd =
                (loss.evaluate(input: x, reconstruction: up, count: n).total
                    - loss.evaluate(input: x, reconstruction: down, count: n).total) / (2 * Double(h))
            worst = max(worst, abs(fd - Double(g[t])))
            scale = max(scale, abs(fd))
        }
        XCTAssertGreaterThan(scale, 0.1, "\(metric)")
        XCTAssertLessThan(worst, 1e-2 * scale, "\(metric), l1 \(l1): max |analytic − numeric| \(worst) of \(scale)")
    }

    func testGradientsOfEveryMetric() {
        check(metric: .symmetricKL, l1: 0)
        check(metric: .jensenShannon, l1: 0)
        check(metric: .symmetricKL, l1: 0.05)
        check(metric: .jensenShannon, l1: 0.05)
    }

    func testIdenticalPatternsCostNothingAndJSIsBounded() {
        var o = SolverOptions()
        o.reconstructionMetric = .jensenShannon
        let loss = ReconstructionLoss(options: o)
        let x = randomPattern(50, seed: 3)
        let same = loss.evaluate(input: x, reconstruction: x, count: 50)
        XCTAssertEqual(same.divergence, 0, accuracy: 1e-9)
        XCTAssertEqual(same.l2, o.lossScale * o.l2Weight * (1e-9).squareRoot(), accuracy: 1e-6)
        // Disjoint supports: JS ≤ ln 2 per unit weight and scale.
        var a = [Float](repeating: 0, count: 50), b = a
        for t in 0..<25 { a[t] = 1 }
        for t in 25..<50 { b[t] = 1 }
        let far = loss.evaluate(input: a, reconstruction: b, count: 50)
        XCTAssertLessThanOrEqual(far.divergence, o.divergenceWeight * o.lossScale * Foundation.log(2) + 1e-6)
        XCTAssertGreaterThan(far.divergence, 0.9 * o.divergenceWeight * o.lossScale * Foundation.log(2))
    }
}
