import XCTest
@testable import DRNetAnalysis
@testable import DRNetCore
@testable import DRNetCrystal
@testable import DRNetEngine
@testable import DRNetIO
@testable import DRNetPlotting
@testable import DRNetSynthetic
import TestSupport

/// Direct tests of the NNLS candidate screening on tiny synthetic libraries whose patterns are
/// mixtures of a known subset of the candidates.
final class CandidateScreeningTests: XCTestCase {
    /// Random stick candidates (seeded), as `SyntheticLibrary.make` draws them.
    func candidates(_ p: Int, sticks: Int, q: ClosedRange<Float>, seed: UInt64) -> [CandidatePhase] {
        var rng = SeededGenerator(seed: seed)
        return (0..<p).map { k in
            var pos: [Float] = [], hgt: [Float] = []
            for _ in 0..<sticks {
                let u = Float(rng.next() >> 40) / Float(1 << 24)
                pos.append(q.lowerBound + 1 + u * (q.upperBound - q.lowerBound - 2))
                hgt.append(0.1 + Float(rng.next() >> 40) / Float(1 << 24))
            }
            return CandidatePhase(name: "c\(k)", q: pos, intensity: hgt)
        }
    }

    /// A binary (M = 2) library of N = 7 samples on a path, P = 5 candidates, in which sample i
    /// at x = i/6 is the mixture (1 − x)·phase 1 + x·phase 3 rendered with `shift` and log-variance
    /// −2.5; candidates 0, 2 and 4 are never used. Returns the library and the true fractions.
    func binaryLibrary(shift: Float = 1, sampleMask: [UInt8]? = nil) -> (CompositionLibrary, [Float]) {
        let t = 240, p = 5, n = 7
        let q = (0..<t).map { 15 + 30 * Float($0) / Float(t - 1) }
        let phases = candidates(p, sticks: 10, q: 15...45, seed: 21)
        let decoder = PeakDecoder(phases: phases, q: q)
        let render = SampleRender(decoder: decoder)
        var patterns = [Float](), truth = [Float](repeating: 0, count: n * p), comps = [Double]()
        let shifts = [Float](repeating: shift, count: p), v = [Float](repeating: -2.5, count: p)
        for i in 0..<n {
            let x = Float(i) / Float(n - 1)
            var w = [Float](repeating: 0, count: p)
            w[1] = 1 - x
            w[3] = x
            decoder.render(phases: [1, 3], shifts: shifts, logVariances: v, fractions: w, into: render)
            patterns += (0..<t).map { render.reconstruction[$0] }
            for k in 0..<p { truth[i * p + k] = w[k] }
            comps += [1 - Double(x), Double(x)]
        }
        let lib = CompositionLibrary(
            name: "screening", elements: ["A", "B"], q: q, patterns: patterns, compositions: comps, phases: phases,
            sampleMask: sampleMask)
        return (lib, truth)
    }

    /// U_k = Σ_i w_ik·[w_ik > 0.01] of a fraction table.
    func usage(_ w: [Float], n: Int, p: Int) -> [Double] {
        (0..<p).map { k in (0..<n).reduce(0.0) { $0 + (w[$1 * p + k] > 0.01 ? Double(w[$1 * p + k]) : 0) } }
    }

    func testRecoversTheMixtureOfTheUsedCandidates() throws {
        let (lib, truth) = binaryLibrary()
        let problem = try PreparedProblem(library: lib, options: SolverOptions())
        // Screening at the patterns' own width: the model is exact, NNLS recovers the fractions.
        let r = CandidateScreening.run(problem: problem, logVariance: -2.5)
        let n = 7, p = 5
        for i in 0..<n {
            for k in 0..<p {
                // Coordinate descent stops at a step < 1e-6 on a float32 Gram matrix: fractions
                // are within ~1e-6 (measured ≤ 2e-7); 1e-4 leaves room for BLAS rounding.
                XCTAssertEqual(r.fractions[i * p + k], truth[i * p + k], accuracy: 1e-4, "sample \(i), phase \(k)")
            }
            // w = α/Σα: sums to 1 up to float rounding of P = 5 terms.
            XCTAssertEqual((0..<p).reduce(Float(0)) { $0 + r.fractions[i * p + $1] }, 1, accuracy: 1e-6, "sample \(i)")
        }
        let want = usage(truth, n: n, p: p)
        // Σ_x (1 − x) over x = 0, 1/6, …, 1 (x = 0 is below the 0.01 cut), from float fractions.
        for (k, u) in [0, 3.5, 0, 3.5, 0].enumerated() { XCTAssertEqual(want[k], u, accuracy: 1e-6) }
        // Seven fractions each within 1e-4 of the truth.
        for k in 0..<p { XCTAssertEqual(r.usage[k], want[k], accuracy: 1e-3, "usage of candidate \(k)") }
        for i in 0..<n {
            // ‖x − Bᵀα‖² = xᵀx + αᵀ(Gα − b) − αᵀb cancels to float rounding (~1e-6 of xᵀx): the
            // relative residual's square root of that is ≤ 1e-3 (measured 7e-4).
            XCTAssertLessThan(r.residual[i], 1e-2, "sample \(i)")
        }
    }

    func testBroadScreeningOfShiftedPatternsKeepsOnlyUsedCandidates() throws {
        // Patterns shifted by 1 %, screened unshifted with broad peaks (v = 0, the solver's
        // v₀ + r): the fit is approximate, but the used candidates dominate and the unused ones
        // stay below the solver's default pruning threshold.
        let (lib, _) = binaryLibrary(shift: 1.01)
        let problem = try PreparedProblem(library: lib, options: SolverOptions())
        let r = CandidateScreening.run(problem: problem, logVariance: 0)
        let prune = SolverOptions().pruneUsage
        for k in [1, 3] { XCTAssertGreaterThan(r.usage[k], 3, "used candidate \(k) (true usage 3.5)") }
        for k in [0, 2, 4] { XCTAssertLessThan(r.usage[k], prune, "unused candidate \(k)") }
        // Pure ends are recovered, and phase 3's fraction does not fall along the path (at
        // x = 1/6 its 1/6 share goes partly to candidate 4: measured 0 and 0.032).
        XCTAssertGreaterThan(r.fractions[0 * 5 + 1], 0.95)
        XCTAssertGreaterThan(r.fractions[6 * 5 + 3], 0.95)
        let f3 = (0..<7).map { r.fractions[$0 * 5 + 3] }
        for i in 1..<7 { XCTAssertGreaterThanOrEqual(f3[i], f3[i - 1], "phase 3 fraction along the path: \(f3)") }
        XCTAssertGreaterThan(f3[4], f3[2] + 0.3, "phase 3 fraction along the path: \(f3)")
        // The shifted, narrower peaks are not matched: the residual is large but below 1.
        for i in 0..<7 { XCTAssertTrue((0.1..<1).contains(r.residual[i]), "sample \(i): residual \(r.residual[i])") }
    }

    func testSyntheticLibraryDistractorsAreUnused() throws {
        let syn = SyntheticLibrary.make(divisions: 4, gridCount: 150, qRange: 15...40, sticksPerPhase: 8, distractors: 2, seed: 9)
        let lib = syn.library
        let n = lib.sampleCount, p = lib.phaseCount
        let problem = try PreparedProblem(library: lib, options: SolverOptions())
        let want = usage(syn.truth, n: n, p: p)
        // 15 samples of a 4-division ternary grid: each corner phase sums to 5 (0.25-steps).
        XCTAssertEqual(want, [5, 5, 5, 0, 0])
        let exact = CandidateScreening.run(problem: problem, logVariance: -2.5)
        for i in 0..<n {
            for k in 0..<p {
                // As above: an exact model, fractions to the descent's stopping step.
                XCTAssertEqual(exact.fractions[i * p + k], syn.truth[i * p + k], accuracy: 1e-4, "sample \(i), phase \(k)")
            }
        }
        for k in 0..<p { XCTAssertEqual(exact.usage[k], want[k], accuracy: 2e-3, "usage of candidate \(k)") }
        // The solver's broad screening (v = 0): used ≈ 5 each, distractors below pruning.
        let broad = CandidateScreening.run(problem: problem, logVariance: 0)
        for k in 0..<3 { XCTAssertEqual(broad.usage[k], 5, accuracy: 0.5, "true phase \(k)") }
        for k in 3..<p { XCTAssertLessThan(broad.usage[k], SolverOptions().pruneUsage, "distractor \(k)") }
    }

    func testMaskedCandidateGetsZeroFraction() throws {
        // Phase 3 is forbidden at sample 6, the pure phase-3 pattern: its fraction there is
        // exactly 0, the fit is poor, and the other samples are unaffected.
        var mask = [UInt8](repeating: 1, count: 35)
        mask[6 * 5 + 3] = 0
        let (lib, truth) = binaryLibrary(sampleMask: mask)
        let problem = try PreparedProblem(library: lib, options: SolverOptions())
        let r = CandidateScreening.run(problem: problem, logVariance: -2.5)
        XCTAssertEqual(r.fractions[6 * 5 + 3], 0)
        XCTAssertEqual((0..<5).reduce(Float(0)) { $0 + r.fractions[6 * 5 + $1] }, 1, accuracy: 1e-6)
        XCTAssertGreaterThan(r.residual[6], 0.5, "sample 6 cannot be fitted without phase 3")
        for i in 0..<6 {
            for k in 0..<5 {
                XCTAssertEqual(r.fractions[i * 5 + k], truth[i * 5 + k], accuracy: 1e-4, "sample \(i), phase \(k)")
            }
        }
    }
}
