import XCTest
@testable import DRNetAnalysis
@testable import DRNetCore
@testable import DRNetCrystal
@testable import DRNetEngine
@testable import DRNetIO
@testable import DRNetPlotting
@testable import DRNetSynthetic
import TestSupport

/// Direct tests of `ConstraintTerms.evaluate` on hand-made walks (B = 3..5, P = 3..4): every
/// expected value is recomputed here from the formulas of the type's doc comment, and the
/// gradients are checked against central differences in Double.
final class ConstraintTermsTests: XCTestCase {
    // MARK: Independent reference formulas (doc comment of ConstraintTerms)

    /// H = −Σ_k P_k log(P_k + ε), P_k = (w_k + ε)^β / Σ_j (w_j + ε)^β.
    func entropy(_ w: [Float], beta: Double = 1, eps: Double = 1e-9) -> Double {
        let y = w.map { Foundation.pow(Double($0) + eps, beta) }
        let sum = y.reduce(0, +)
        return -y.map { $0 / sum }.reduce(0) { $0 + $1 * Foundation.log($1 + eps) }
    }

    /// leaky_relu(tanh((Δ − 0.95u)/a), 0.1).
    func pairPenalty(_ delta: Double, unit: Double, amplify: Double) -> Double {
        let t = Foundation.tanh((delta - 0.95 * unit) / amplify)
        return t > 0 ? t : 0.1 * t
    }

    /// log d − log(d − 1 + c).
    func dofFactor(_ d: Int, offset: Double = 0.1) -> Double {
        Foundation.log(Double(d)) - Foundation.log(Double(d) - 1 + offset)
    }

    func evaluate(
        _ o: SolverOptions, b: Int, p: Int, w: [Float], s: [Float], d: [Int], c: [Double], m: Int,
        pc: [Double]? = nil, pairValid: [Bool]? = nil, gamma: Double = 1
    ) -> ConstraintTerms.Breakdown {
        ConstraintTerms(options: o).evaluate(
            batch: b, phases: p, fractions: w, shifts: s, degrees: d, compositions: c, elementCount: m,
            phaseCompositions: pc, pairValid: pairValid, gibbsWeightNow: gamma)
    }

    /// Compositions of B samples on a line in a 3-element system, consecutive L1 distance 0.2.
    func lineCompositions(_ b: Int) -> [Double] {
        (0..<b).flatMap { i -> [Double] in
            let x = 0.1 * Double(i)
            return [0.6 - x, 0.2 + x, 0.2]
        }
    }

    // MARK: Entropy

    func testEntropyOfUniformOneHotAndHalfRows() {
        let o = SolverOptions()
        let w: [Float] = [
            0.25, 0.25, 0.25, 0.25,
            1, 0, 0, 0,
            0.5, 0.5, 0, 0,
            0.7, 0.2, 0.1, 0
        ]
        let r = evaluate(o, b: 4, p: 4, w: w, s: [Float](repeating: 1, count: 16), d: [3, 3, 3, 3], c: lineCompositions(4), m: 3)
        // ε = 1e-9 moves the entropy of these rows by at most ~P·ε·|log ε| ≈ 1e-7.
        XCTAssertEqual(r.entropy[0], Foundation.log(4), accuracy: 1e-7)
        XCTAssertEqual(r.entropy[1], 0, accuracy: 1e-7)
        XCTAssertEqual(r.entropy[2], Foundation.log(2), accuracy: 1e-7)
        let h3 = -(0.7 * Foundation.log(0.7) + 0.2 * Foundation.log(0.2) + 0.1 * Foundation.log(0.1))
        // Float inputs 0.7, 0.2, 0.1 are off by ≤ 3e-8, which moves H by ≤ 1e-7.
        XCTAssertEqual(r.entropy[3], h3, accuracy: 2e-7)
    }

    func testEntropyWithBetaSharpensTheDistribution() {
        var o = SolverOptions()
        o.entropyBeta = 2
        let w: [Float] = [0.6, 0.2, 0.2, 0.5, 0.5, 0, 0.2, 0.3, 0.5]
        let r = evaluate(o, b: 3, p: 3, w: w, s: [Float](repeating: 1, count: 9), d: [3, 3, 3], c: lineCompositions(3), m: 3)
        // β = 2 on [0.6, 0.2, 0.2]: P = [0.36, 0.04, 0.04]/0.44 = [9/11, 1/11, 1/11].
        let p0: [Double] = [9.0 / 11, 1.0 / 11, 1.0 / 11]
        let h0 = -p0.reduce(0) { $0 + $1 * Foundation.log($1) }
        // Float rounding of the inputs (≤ 3e-8) and ε (1e-9): ≤ 2e-7 on H.
        XCTAssertEqual(r.entropy[0], h0, accuracy: 2e-7)
        XCTAssertEqual(r.entropy[1], Foundation.log(2), accuracy: 2e-7)
        XCTAssertEqual(r.entropy[2], entropy(Array(w[6..<9]), beta: 2), accuracy: 1e-12)
        XCTAssertLessThan(r.entropy[0], entropy(Array(w[0..<3]), beta: 1), "β > 1 lowers the entropy of an unequal row")
    }

    // MARK: Alloy penalty

    func testAlloyPenaltySignAroundThreshold() {
        let o = SolverOptions()  // u = 0.001, a = 0.0005: threshold 0.95u = 0.00095
        let u = o.shiftUnit, a = o.shiftAmplify
        let row: [Float] = [0.5, 0.3, 0.2]
        let w = row + row + row + row
        // Phase 1 jumps by 0.0012 (> 0.95u) between samples 0 and 1, by 0.0007 (< 0.95u) between
        // 1 and 2; samples 2 and 3 have equal shifts.
        let s: [Float] = [
            1, 1, 1,
            1, 1.0012, 1,
            1, 1.0005, 1,
            1, 1.0005, 1
        ]
        let d = [3, 2, 3, 1]
        let r = evaluate(o, b: 4, p: 3, w: w, s: s, d: d, c: lineCompositions(4), m: 3)
        let delta0 = Double(s[4]) - Double(s[1]), delta1 = Double(s[4]) - Double(s[7])
        // The largest shared-active jump of each pair, from the Float shifts (exact in Double).
        XCTAssertEqual(r.pairMaxShift[0], delta0, accuracy: 1e-12)
        XCTAssertEqual(r.pairMaxShift[1], delta1, accuracy: 1e-12)
        XCTAssertEqual(r.pairMaxShift[2], 0, accuracy: 1e-12)
        let pen = [delta0, delta1, 0].map { pairPenalty($0, unit: u, amplify: a) }
        XCTAssertGreaterThan(r.pairPenalty[0], 0.3, "a jump above 0.95u is penalised")
        XCTAssertLessThan(r.pairPenalty[1], 0, "a jump below 0.95u gives the leaky negative branch")
        XCTAssertGreaterThan(r.pairPenalty[1], -0.1)
        for q in 0..<3 {
            // Same formula in Double on the same inputs: only summation order differs.
            XCTAssertEqual(r.pairPenalty[q], pen[q], accuracy: 1e-12, "pair \(q)")
        }
        // alloy_b = max(pen_{b−1}, pen_b) · (log d − log(d − 1 + c)); a missing pair counts as 0.
        let chosen = [max(0, pen[0]), max(pen[0], pen[1]), max(pen[1], pen[2]), max(pen[2], 0)]
        for i in 0..<4 {
            XCTAssertEqual(r.alloyPenalty[i], chosen[i], accuracy: 1e-12, "sample \(i)")
            XCTAssertEqual(r.alloy[i], chosen[i] * dofFactor(d[i]), accuracy: 1e-12, "sample \(i)")
        }
        // All samples have 3 active phases: sample 0 (d = 3) violates through its jump above 0.95u,
        // samples 1 and 3 (d = 2, 1) by count; sample 2 (d = 3) has only the sub-threshold jump.
        XCTAssertEqual(r.violation, [true, true, false, true])
        // The Gibbs loss: mean_b (H_b + λ·alloy_b)·ratio_b.
        let gibbs = (0..<4).map { (r.entropy[$0] + o.alloyWeight * r.alloy[$0]) * r.penaltyRatio[$0] }.reduce(0, +) / 4
        XCTAssertEqual(r.gibbs, gibbs, accuracy: 1e-12)
    }

    func testAlloyDisabledZeroesTheAlloyTerm() {
        var o = SolverOptions()
        o.alloyEnabled = false
        let row: [Float] = [0.6, 0.4, 0]
        let s: [Float] = [1, 1, 1, 1.01, 1.01, 1, 1, 1, 1]
        let r = evaluate(o, b: 3, p: 3, w: row + row + row, s: s, d: [2, 2, 2], c: lineCompositions(3), m: 3)
        XCTAssertEqual(r.alloy, [0, 0, 0])
        // Without the alloy rule, 2 active phases at d = 2 never violate: ratio = g_p.
        XCTAssertEqual(r.violation, [false, false, false])
        XCTAssertEqual(r.penaltyRatio, [o.gibbsPenalty, o.gibbsPenalty, o.gibbsPenalty])
        let h = entropy(row)
        XCTAssertEqual(r.gibbs, h * o.gibbsPenalty, accuracy: 1e-12)
    }

    // MARK: Violation flags

    /// Four samples, d = 2 everywhere: 3 active (violates by count), 2 active with a jump on a
    /// shared active phase (violates by the alloy rule), 2 active with jumps on both sides, and
    /// 1 active with a jump (below d: never violates).
    func violationCase() -> (w: [Float], s: [Float], d: [Int]) {
        let w: [Float] = [
            0.5, 0.3, 0.2,
            0.6, 0.4, 0,
            0.6, 0.4, 0.005,  // 0.005 < minActivation 0.01: not active
            1, 0, 0
        ]
        let s: [Float] = [
            1, 1, 1,
            1, 1, 1,
            1.002, 1, 1,
            1.004, 1, 1
        ]
        return (w, s, [2, 2, 2, 2])
    }

    func testViolationFlagsAndRatios() {
        let o = SolverOptions()
        let (w, s, d) = violationCase()
        let r = evaluate(o, b: 4, p: 3, w: w, s: s, d: d, c: lineCompositions(4), m: 3)
        XCTAssertEqual(r.activeCount, [3, 2, 2, 1])
        // Jumps > 0.95u on shared active phases: pair (1,2) phase 0 (0.002), pair (2,3) phase 0 (0.002).
        XCTAssertEqual(r.violatingShifts, [0, 1, 2, 1])
        XCTAssertEqual(r.violation, [true, true, true, false])
        XCTAssertEqual(r.penaltyRatio, [1, 1, 1, o.gibbsPenalty])
    }

    func testViolationWithoutAlloyRuleCountsOnlyPhases() {
        var o = SolverOptions()
        o.alloyEnabled = false
        let (w, s, d) = violationCase()
        let r = evaluate(o, b: 4, p: 3, w: w, s: s, d: d, c: lineCompositions(4), m: 3)
        XCTAssertEqual(r.violation, [true, false, false, false])
        XCTAssertEqual(r.penaltyRatio, [1, o.gibbsPenalty, o.gibbsPenalty, o.gibbsPenalty])
    }

    func testInvalidPairIsSkippedByViolationAlloyAndSmoothness() {
        let o = SolverOptions()
        let (w, s, d) = violationCase()
        let c = lineCompositions(4)
        let r = evaluate(o, b: 4, p: 3, w: w, s: s, d: d, c: c, m: 3, pairValid: [true, false, true])
        // Pair (1,2) straddles two walks: its jump no longer counts for samples 1 and 2.
        XCTAssertEqual(r.violatingShifts, [0, 0, 1, 1])
        XCTAssertEqual(r.violation, [true, false, true, false])
        // Sample 1's alloy: max over its valid pair (0,1) and the missing one (0).
        XCTAssertEqual(r.alloyPenalty[1], max(r.pairPenalty[0], 0), accuracy: 1e-15)
        XCTAssertEqual(r.alloyPenalty[2], max(0, r.pairPenalty[2]), accuracy: 1e-15)
        // Smoothness: the mean over the two valid pairs only.
        XCTAssertEqual(r.smoothPairs[1], 0)
        XCTAssertEqual(r.smooth, (r.smoothPairs[0] + r.smoothPairs[2]) / 2, accuracy: 1e-15)
    }

    // MARK: Smoothness

    func testSmoothnessL2OverDistance() {
        let o = SolverOptions()
        let w: [Float] = [
            0.5, 0.3, 0.2,
            0.5, 0.3, 0.2,
            0.4, 0.4, 0.2
        ]
        let c = lineCompositions(3)
        let r = evaluate(o, b: 3, p: 3, w: w, s: [Float](repeating: 1, count: 9), d: [3, 3, 3], c: c, m: 3)
        // L1 distance between consecutive compositions: |−0.1| + |0.1| + 0 = 0.2.
        let dist = 0.2
        // Identical neighbours: sqrt(ε)/dist = 3.2e-5/0.2, i.e. ~0.
        XCTAssertEqual(r.smoothPairs[0], (1e-9).squareRoot() / dist, accuracy: 1e-9)
        XCTAssertLessThan(r.smoothPairs[0], 2e-4)
        let dw = [Double(w[3]) - Double(w[6]), Double(w[4]) - Double(w[7]), Double(w[5]) - Double(w[8])]
        let want = (dw.reduce(0) { $0 + $1 * $1 } + 1e-9).squareRoot() / dist
        // The distance is summed from Doubles (0.6 − 0.5 etc. are inexact): relative 1e-12.
        XCTAssertEqual(r.smoothPairs[1], want, accuracy: 1e-12)
        XCTAssertEqual(r.smoothPairs[1], 0.02.squareRoot() / 0.2, accuracy: 1e-6)  // Float inputs: ~1e-7
        XCTAssertEqual(r.smooth, (r.smoothPairs[0] + r.smoothPairs[1]) / 2, accuracy: 1e-15)
    }

    func testSmoothnessL1() {
        var o = SolverOptions()
        o.smoothness = .l1
        let w: [Float] = [
            0.5, 0.3, 0.2,
            0.5, 0.3, 0.2,
            0.1, 0.4, 0.5
        ]
        let r = evaluate(o, b: 3, p: 3, w: w, s: [Float](repeating: 1, count: 9), d: [3, 3, 3], c: lineCompositions(3), m: 3)
        XCTAssertEqual(r.smoothPairs[0], 0)
        // |0.4| + |−0.1| + |−0.3| = 0.8 (Float inputs: ≤ 1e-7).
        XCTAssertEqual(r.smoothPairs[1], 0.8, accuracy: 1e-7)
        XCTAssertEqual(r.smooth, 0.4, accuracy: 1e-7)
    }

    // MARK: Composition

    /// Phase compositions (P = 3 × M = 3): pure A, pure B, and half A half B.
    let phaseComps: [Double] = [1, 0, 0, 0, 1, 0, 0.5, 0.5, 0]

    func testCompositionTermIsZeroForMatchingMassBalance() {
        let o = SolverOptions()
        // w = [0.2, 0.3, 0.5] predicts [0.45, 0.55, 0]; w = [0.6, 0, 0.4] predicts [0.8, 0.2, 0].
        let w: [Float] = [0.2, 0.3, 0.5, 0.6, 0, 0.4, 0, 1, 0]
        let c: [Double] = [0.45, 0.55, 0, 0.8, 0.2, 0, 0, 1, 0]
        let r = evaluate(o, b: 3, p: 3, w: w, s: [Float](repeating: 1, count: 9), d: [2, 2, 1], c: c, m: 3, pc: phaseComps)
        let predicted: [Double] = [0.45, 0.55, 0, 0.8, 0.2, 0, 0, 1, 0]
        for i in 0..<9 {
            // Float fractions (≤ 3e-8 off) propagate linearly into the normalised prediction.
            XCTAssertEqual(r.predictedComposition[i], predicted[i], accuracy: 1e-7, "entry \(i)")
        }
        for i in 0..<3 {
            // KL of equal distributions: 0 up to S·(Float rounding ~3e-8)² and ε terms.
            XCTAssertEqual(r.compositionPerSample[i], 0, accuracy: 1e-6, "sample \(i)")
        }
    }

    func testCompositionTermMatchesKLDivergence() {
        let o = SolverOptions()
        let w: [Float] = [0.2, 0.3, 0.5, 0.6, 0.1, 0.3, 0.25, 0.25, 0.5]
        let c: [Double] = [0.3, 0.6, 0.1, 0.5, 0.3, 0.2, 0.2, 0.7, 0.1]
        // All elements get some prediction, so the KL has no log(x/ε) term.
        let pc: [Double] = [0.8, 0.1, 0.1, 0.1, 0.8, 0.1, 0.4, 0.4, 0.2]
        let r = evaluate(o, b: 3, p: 3, w: w, s: [Float](repeating: 1, count: 9), d: [3, 3, 3], c: c, m: 3, pc: pc)
        var mean = 0.0
        for i in 0..<3 {
            var y = [Double](repeating: 0, count: 3)
            for k in 0..<3 { for e in 0..<3 { y[e] += Double(w[i * 3 + k]) * pc[k * 3 + e] } }
            let sy = y.reduce(0, +)
            let pp = y.map { $0 / sy }
            let cs = (0..<3).reduce(0.0) { $0 + c[i * 3 + $1] }
            let cc = (0..<3).map { c[i * 3 + $0] / cs }
            let kl = (0..<3).reduce(0.0) { $0 + pp[$1] * Foundation.log(pp[$1] / cc[$1]) }
            // ε = 1e-9 inside the normalisations and logs: relative ~1e-8 on these O(0.1) values.
            XCTAssertEqual(r.compositionPerSample[i], o.lossScale * kl, accuracy: 1e-6, "sample \(i)")
            XCTAssertGreaterThan(r.compositionPerSample[i], 0.1, "sample \(i): mismatched compositions must cost")
            mean += o.lossScale * kl / 3
        }
        XCTAssertEqual(r.composition, mean, accuracy: 1e-6)
    }

    // MARK: Gradients against central differences

    /// Central differences of `value` in Double at each Float input, step h = 1e-3 (the actual
    /// step is the Float difference Float(x + h) − Float(x − h)).
    func numericGradient(_ x: [Float], h: Float = 1e-3, value: ([Float]) -> Double) -> [Double] {
        (0..<x.count).map { i in
            var up = x, down = x
            up[i] += h
            down[i] -= h
            return (value(up) - value(down)) / (Double(up[i]) - Double(down[i]))
        }
    }

    /// Compares an analytic Float gradient with central differences: max error ≤ tol·scale.
    func assertGradient(
        _ analytic: [Float], _ numeric: [Double], tol: Double, _ what: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        let scale = numeric.map { Swift.abs($0) }.max()!
        let err = zip(analytic, numeric).map { Swift.abs(Double($0) - $1) }.max()!
        XCTAssertGreaterThan(scale, 1e-2, "\(what): gradient vanished", file: file, line: line)
        XCTAssertLessThan(err, tol * scale, "\(what): max |analytic − numeric| = \(err), scale \(scale)", file: file, line: line)
    }

    /// A smooth point of every term: fractions ≥ 0.05 (far from minActivation 0.01), neighbouring
    /// fractions differ by ≥ 0.02 in every phase, and with u = a = 0.05 the pairs' largest shift
    /// jumps (0.07, 0.03, 0.025) sit ≥ 0.0175 from 0.95u = 0.0475, each unique by ≥ 0.005, and
    /// the penalties compared by each sample differ by ≥ 0.008 (a step moves them by ≤ 0.002), so
    /// central differences of step 1e-3 never cross a kink. Degrees [2, 3, 4, 2] with 4 active
    /// phases: samples 0, 1, 3 violate, sample 2 does not (ratio g_p).
    func smoothPoint() -> (o: SolverOptions, w: [Float], s: [Float], d: [Int], c: [Double]) {
        var o = SolverOptions()
        o.shiftUnit = 0.05
        o.shiftAmplify = 0.05
        o.entropyBeta = 1.5
        let w: [Float] = [
            0.5, 0.3, 0.15, 0.05,
            0.4, 0.35, 0.17, 0.08,
            0.2, 0.3, 0.4, 0.1,
            0.1, 0.25, 0.45, 0.2
        ]
        let s: [Float] = [
            1.00, 1.00, 1.00, 1.00,
            1.07, 1.01, 0.99, 1.00,
            1.04, 1.00, 1.00, 1.02,
            1.015, 1.00, 1.01, 1.00
        ]
        let c: [Double] = [0.6, 0.3, 0.1, 0.5, 0.3, 0.2, 0.35, 0.4, 0.25, 0.2, 0.45, 0.35]
        return (o, w, s, [2, 3, 4, 2], c)
    }

    func testGibbsGradientsMatchCentralDifferences() {
        let point = smoothPoint()
        let (w, s, d, c) = (point.w, point.s, point.d, point.c)
        var o = point.o
        o.smoothnessWeight = 0
        let terms = ConstraintTerms(options: o)
        let gamma = 0.7
        func gibbs(_ w: [Float], _ s: [Float]) -> Double {
            terms.evaluate(
                batch: 4, phases: 4, fractions: w, shifts: s, degrees: d, compositions: c, elementCount: 3,
                phaseCompositions: nil, gibbsWeightNow: gamma
            ).gibbs * gamma
        }
        var gw = [Float](repeating: 0, count: 16), gs = gw
        let r = gw.withUnsafeMutableBufferPointer { gwp in
            gs.withUnsafeMutableBufferPointer { gsp in
                terms.evaluate(
                    batch: 4, phases: 4, fractions: w, shifts: s, degrees: d, compositions: c, elementCount: 3,
                    phaseCompositions: nil, gibbsWeightNow: gamma, gradW: gwp.baseAddress, gradS: gsp.baseAddress)
            }
        }
        // The point exercises both ratios and both sides of the penalty.
        XCTAssertEqual(r.violation, [true, true, false, true])
        XCTAssertTrue(r.pairPenalty.contains { $0 > 0 } && r.pairPenalty.contains { $0 < 0 })
        // Truncation error h²/6·|f'''| with h = 1e-3: the entropy's f''' ≲ 1/w² ~ 400 for w ≥ 0.05
        // (≤ 7e-5 against a scale of ~0.5); the tanh of width a = 0.05 has f''' ≤ 2/a³ times the
        // weight γ·factor/B ≲ 0.1, ≤ 3e-4 against a slope of ~2. Float storage of the gradient adds
        // 6e-8 relative. 1e-3 of the gradient's scale covers both with margin.
        assertGradient(gw, numericGradient(w) { gibbs($0, s) }, tol: 1e-3, "d gibbs / d w")
        assertGradient(gs, numericGradient(s) { gibbs(w, $0) }, tol: 1e-3, "d gibbs / d s")
    }

    func testSmoothnessGradientsMatchCentralDifferences() {
        for kind in [SolverOptions.SmoothnessKind.l2OverDistance, .l1] {
            let point = smoothPoint()
            let (w, s, d, c) = (point.w, point.s, point.d, point.c)
            var o = point.o
            o.smoothness = kind
            o.smoothnessWeight = 0.3
            let terms = ConstraintTerms(options: o)
            func smooth(_ w: [Float]) -> Double {
                terms.evaluate(
                    batch: 4, phases: 4, fractions: w, shifts: s, degrees: d, compositions: c, elementCount: 3,
                    phaseCompositions: nil, gibbsWeightNow: 0
                ).smooth * o.smoothnessWeight
            }
            var gw = [Float](repeating: 0, count: 16)
            gw.withUnsafeMutableBufferPointer { gwp in
                _ = terms.evaluate(
                    batch: 4, phases: 4, fractions: w, shifts: s, degrees: d, compositions: c, elementCount: 3,
                    phaseCompositions: nil, gibbsWeightNow: 0, gradW: gwp.baseAddress)
            }
            // L2: |Δw| ≥ 0.1 per pair, so f''' ≲ 1/|Δw|²/dist ~ 1e3 and h²/6·f''' < 2e-4 of
            // the scale; L1 is linear between kinks (no |Δw_k| < 2h here): exact up to rounding.
            assertGradient(gw, numericGradient(w, value: smooth), tol: 1e-3, "d smooth / d w (\(kind))")
        }
    }

    func testCompositionGradientMatchesCentralDifferences() {
        let point = smoothPoint()
        let (w, s, d, c) = (point.w, point.s, point.d, point.c)
        var o = point.o
        o.smoothnessWeight = 0
        o.compositionWeight = 0.2
        let pc: [Double] = [0.8, 0.1, 0.1, 0.1, 0.8, 0.1, 0.2, 0.2, 0.6, 0.3, 0.3, 0.4]
        let terms = ConstraintTerms(options: o)
        func composition(_ w: [Float]) -> Double {
            terms.evaluate(
                batch: 4, phases: 4, fractions: w, shifts: s, degrees: d, compositions: c, elementCount: 3,
                phaseCompositions: pc, gibbsWeightNow: 0
            ).composition * o.compositionWeight
        }
        var gw = [Float](repeating: 0, count: 16)
        gw.withUnsafeMutableBufferPointer { gwp in
            _ = terms.evaluate(
                batch: 4, phases: 4, fractions: w, shifts: s, degrees: d, compositions: c, elementCount: 3,
                phaseCompositions: pc, gibbsWeightNow: 0, gradW: gwp.baseAddress)
        }
        // The KL of normalised mixtures is smooth with f''' ~ S/w² ~ 4e4·0.2 at these fractions;
        // h²/6·f''' ≈ 1e-3 absolute against a scale of ~10: 1e-3 relative holds with margin.
        assertGradient(gw, numericGradient(w, value: composition), tol: 1e-3, "d composition / d w")
    }
}
