import XCTest
@testable import DRNetAnalysis
@testable import DRNetCore
@testable import DRNetCrystal
@testable import DRNetEngine
@testable import DRNetIO
@testable import DRNetPlotting
@testable import DRNetSynthetic
import TestSupport

/// Direct tests of the head maps: the masked softmax and its backward, the shift map and the
/// log-variance map, against values recomputed here and central differences.
final class LatentHeadsTests: XCTestCase {
    let eps: Float = 1e-9

    func softmax(_ a: [Float], _ m: [Float]) -> (w: [Float], maxIndex: Int) {
        var w = [Float](repeating: .nan, count: a.count)
        let idx = a.withUnsafeBufferPointer { ap in
            m.withUnsafeBufferPointer { mp in
                w.withUnsafeMutableBufferPointer { wp in
                    LatentHeads.maskedSoftmax(
                        logits: ap.baseAddress!, mask: mp.baseAddress!, count: a.count, epsilon: eps, fractions: wp.baseAddress!)
                }
            }
        }
        return (w, idx)
    }

    func backward(_ w: [Float], _ g: [Float], maxIndex: Int) -> [Float] {
        var ga = [Float](repeating: .nan, count: w.count)
        w.withUnsafeBufferPointer { wp in
            g.withUnsafeBufferPointer { gp in
                ga.withUnsafeMutableBufferPointer { gap in
                    LatentHeads.maskedSoftmaxBackward(
                        fractions: wp.baseAddress!, gradFractions: gp.baseAddress!, maxIndex: maxIndex, count: w.count,
                        epsilon: eps, gradLogits: gap.baseAddress!)
                }
            }
        }
        return ga
    }

    // MARK: Masked softmax

    func testMaskedSoftmaxZeroesMaskedPhasesAndNormalises() {
        let a: [Float] = [2, -1, 0.5, 3, -0.25]
        let m: [Float] = [1, 0, 1, 0, 1]
        let (w, idx) = softmax(a, m)
        // The max runs over all logits, masked ones included: a[3] = 3.
        XCTAssertEqual(idx, 3)
        XCTAssertEqual(w[1], 0)
        XCTAssertEqual(w[3], 0)
        let e = [2.0, 0.5, -0.25].map { Foundation.exp($0) }
        let sum = e.reduce(0, +)
        // Float exp and division: a few ulp of values ≤ 1.
        XCTAssertEqual(Double(w[0]), e[0] / sum, accuracy: 1e-6)
        XCTAssertEqual(Double(w[2]), e[1] / sum, accuracy: 1e-6)
        XCTAssertEqual(Double(w[4]), e[2] / sum, accuracy: 1e-6)
        XCTAssertEqual(w.reduce(0, +), 1, accuracy: 1e-6)
    }

    func testMaskedSoftmaxRowsSumToOneForManyRows() {
        var rng = SeededGenerator(seed: 17)
        var nearOne = 0
        for row in 0..<50 {
            let p = 3 + row % 5
            let a = (0..<p).map { _ in Float(Int(rng.next() % 2001) - 1000) / 100 }  // logits in [−10, 10]
            var m = (0..<p).map { _ in Float(rng.next() % 3 == 0 ? 0 : 1) }
            m[Int(rng.next() % UInt64(p))] = 1  // at least one allowed phase
            let (w, idx) = softmax(a, m)
            XCTAssertEqual(a[idx], a.max()!, "row \(row)")
            XCTAssertEqual(idx, a.firstIndex(of: a.max()!)!, "row \(row): the first maximum")
            for k in 0..<p where m[k] == 0 { XCTAssertEqual(w[k], 0, "row \(row), masked phase \(k)") }
            for k in 0..<p where m[k] != 0 { XCTAssertGreaterThanOrEqual(w[k], 0, "row \(row)") }
            // Σ_k w_k = S/(S + ε), S = Σ_allowed e^{a_k − max a}: 1 unless a masked logit sits
            // well above every allowed one (see the next test). Float sum of ≤ 7 terms
            // normalised by a Float reciprocal: ≤ 1e-6.
            let amax = Double(a.max()!)
            let sum = (0..<p).reduce(0.0) { $0 + (m[$1] > 0 ? Foundation.exp(Double(a[$1]) - amax) : 0) }
            XCTAssertEqual(Double(w.reduce(0, +)), sum / (sum + Double(eps)), accuracy: 1e-6, "row \(row)")
            // Allowed max within 5 of the global max: 1 − Σw ≤ ε·e⁵ = 1.5e-7, plus Float rounding.
            if a.indices.filter({ m[$0] > 0 }).map({ a[$0] }).max()! > a.max()! - 5 {
                XCTAssertEqual(w.reduce(0, +), 1, accuracy: 1e-6, "row \(row)")
                nearOne += 1
            }
        }
        XCTAssertGreaterThan(nearOne, 25, "most rows have an allowed logit near the max")
    }

    func testMaskedMaxFarAboveAllowedLogitsLosesMass() {
        // The max includes masked logits (the reference's choice): with a masked logit 20 above
        // the only allowed one, S = e^{−20} = 2.1e-9 is comparable to ε = 1e-9 and the row sums
        // to S/(S + ε) = 0.673, not 1.
        let (w, idx) = softmax([20, 0], [0, 1])
        XCTAssertEqual(idx, 0)
        let s = Foundation.exp(-20.0)
        XCTAssertEqual(Double(w[1]), s / (s + 1e-9), accuracy: 1e-5)
        XCTAssertLessThan(w[1], 0.7)
    }

    func testMaskedSoftmaxIsStableForLargeLogits() {
        let (w, idx) = softmax([1000, 0, 999], [1, 1, 1])
        XCTAssertEqual(idx, 0)
        let e1 = Foundation.exp(-1.0)
        XCTAssertEqual(Double(w[0]), 1 / (1 + e1), accuracy: 1e-6)
        XCTAssertEqual(Double(w[2]), e1 / (1 + e1), accuracy: 1e-6)
        XCTAssertEqual(w[1], 0, accuracy: 1e-30)  // e^{−1000} underflows to 0
    }

    func testFullyMaskedRowIsAllZero() {
        let (w, _) = softmax([0.3, -0.2, 1], [0, 0, 0])
        XCTAssertEqual(w, [0, 0, 0])
    }

    // MARK: Backward against finite differences

    /// L(a) = Σ_k g_k w_k(a) for fixed g; its gradient by central differences of step h on the
    /// Float forward, in Double.
    func numericGradient(_ a: [Float], _ m: [Float], _ g: [Float], h: Float) -> [Double] {
        func loss(_ a: [Float]) -> Double { zip(softmax(a, m).w, g).reduce(0) { $0 + Double($1.0) * Double($1.1) } }
        return (0..<a.count).map { j in
            var up = a, down = a
            up[j] += h
            down[j] -= h
            return (loss(up) - loss(down)) / (Double(up[j]) - Double(down[j]))
        }
    }

    func testMaskedSoftmaxBackwardMatchesCentralDifferences() {
        let cases: [(a: [Float], m: [Float], g: [Float])] = [
            ([0.2, -1.1, 0.7, 1.5], [1, 1, 1, 1], [0.3, -1.2, 2.0, 0.5]),
            // The max logit (index 1) is masked: its gradient is only the ε-sized max-shift term.
            ([0.4, 2.5, -0.3, 0.9, 0.1], [1, 0, 1, 1, 0], [1.5, 4.0, -0.7, 0.2, -3.0]),
            ([-0.5, 0.5, 0.0], [0, 1, 1], [0.0, 1.0, -1.0])
        ]
        for (n, c) in cases.enumerated() {
            let (w, idx) = softmax(c.a, c.m)
            let analytic = backward(w, c.g, maxIndex: idx)
            let numeric = numericGradient(c.a, c.m, c.g, h: 1e-2)
            let scale = numeric.map { Swift.abs($0) }.max()!
            XCTAssertGreaterThan(scale, 0.1, "case \(n): gradient vanished")
            for j in 0..<c.a.count {
                // h = 1e-2: truncation h²/6·|L'''| ≤ 2e-5·Σ|g| (softmax derivatives ≤ 1), Float
                // rounding of w (~6e-8·Σ|g|/2h ≈ 2e-5): both under 1e-3 of the scale.
                XCTAssertEqual(Double(analytic[j]), numeric[j], accuracy: 1e-3 * scale, "case \(n), logit \(j)")
                if c.m[j] == 0 {
                    // A masked logit never reaches the output (except the max shift, ~ε).
                    XCTAssertEqual(analytic[j], 0, accuracy: 1e-6, "case \(n), masked logit \(j)")
                }
            }
            // Softmax is invariant to a common shift of the logits: Σ_j dL/da_j = 0 (up to ε).
            XCTAssertEqual(analytic.reduce(0) { $0 + Double($1) }, 0, accuracy: 1e-6, "case \(n)")
        }
    }

    // MARK: Shift and log-variance maps

    func testShiftMapRangeAndDerivative() {
        let delta: Float = 0.1
        for ramp: Float in [1, 0.5, 0] {
            var lo: Float = .infinity, hi: Float = -.infinity
            for u in stride(from: Float(-30), through: 30, by: 0.25) {
                let (s, ds) = LatentHeads.shift(u, ramp: ramp, maxShift: delta)
                lo = min(lo, s)
                hi = max(hi, s)
                XCTAssertGreaterThanOrEqual(s, 1 - ramp * delta, "u = \(u), ramp \(ramp)")
                XCTAssertLessThanOrEqual(s, 1 + ramp * delta, "u = \(u), ramp \(ramp)")
                XCTAssertGreaterThanOrEqual(ds, 0)
                // s = 1 + ρδ·tanh(u), recomputed in Double; Float result ≤ 1 ulp of 1.1.
                XCTAssertEqual(Double(s), 1 + Double(ramp * delta) * Foundation.tanh(Double(u)), accuracy: 2e-7)
                let th = Foundation.tanh(Double(u))
                XCTAssertEqual(Double(ds), Double(ramp * delta) * (1 - th * th), accuracy: 1e-7)
            }
            // tanh saturates to ±1 in Float well before |u| = 30: the range is reached.
            XCTAssertEqual(lo, 1 - ramp * delta, accuracy: 1e-7, "ramp \(ramp)")
            XCTAssertEqual(hi, 1 + ramp * delta, accuracy: 1e-7, "ramp \(ramp)")
        }
        XCTAssertEqual(LatentHeads.shift(0, ramp: 1, maxShift: delta).value, 1)
        XCTAssertEqual(LatentHeads.shift(0, ramp: 1, maxShift: delta).derivative, delta, accuracy: 1e-9)
    }

    func testLogVarianceMapRangeAndDerivative() {
        let centre: Float = -2, range: Float = 2
        var lo: Float = .infinity, hi: Float = -.infinity
        for y in stride(from: Float(-30), through: 30, by: 0.25) {
            let (v, dv) = LatentHeads.logVariance(y, centre: centre, range: range)
            lo = min(lo, v)
            hi = max(hi, v)
            XCTAssertTrue((centre - range)...(centre + range) ~= v, "y = \(y): v = \(v)")
            let th = Foundation.tanh(Double(y))
            // Float tanh and one multiply-add of magnitude ≤ 4: ≤ 1e-6.
            XCTAssertEqual(Double(v), Double(centre) + Double(range) * th, accuracy: 1e-6)
            XCTAssertEqual(Double(dv), Double(range) * (1 - th * th), accuracy: 1e-6)
        }
        XCTAssertEqual(lo, centre - range)
        XCTAssertEqual(hi, centre + range)
        XCTAssertEqual(LatentHeads.logVariance(0, centre: centre, range: range).value, centre)
    }

    func testMapDerivativesMatchCentralDifferences() {
        // Central differences in Double of the Float maps, h = 1e-2: truncation h²/6·|f'''| ≤
        // 2e-5·(ρδ or r), Float rounding of the values ≤ 1.2e-7·4/2h = 2.4e-5. Tolerance 1e-4.
        let h: Float = 1e-2
        for x: Float in [-2, -0.7, 0, 0.3, 1.1, 2.5] {
            let sUp = LatentHeads.shift(x + h, ramp: 0.8, maxShift: 0.1).value
            let sDown = LatentHeads.shift(x - h, ramp: 0.8, maxShift: 0.1).value
            let sNum = (Double(sUp) - Double(sDown)) / Double(2 * h)
            XCTAssertEqual(Double(LatentHeads.shift(x, ramp: 0.8, maxShift: 0.1).derivative), sNum, accuracy: 1e-4, "u = \(x)")
            let vUp = LatentHeads.logVariance(x + h, centre: -2, range: 2).value
            let vDown = LatentHeads.logVariance(x - h, centre: -2, range: 2).value
            let vNum = (Double(vUp) - Double(vDown)) / Double(2 * h)
            XCTAssertEqual(Double(LatentHeads.logVariance(x, centre: -2, range: 2).derivative), vNum, accuracy: 1e-3, "y = \(x)")
        }
    }
}
