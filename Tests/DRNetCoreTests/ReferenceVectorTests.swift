import XCTest
import DRNetCore
import TestSupport

/// Reproduces the reference implementation's own numbers (../shared/testvectors) on every
/// available backend (the CPU path, and each OpenCL device: PoCL here and in CI), within the
/// tolerances of the test vectors' README (float32 implementation).
final class ReferenceVectorTests: XCTestCase {
    struct Fixture {
        let ref: ReferenceVectors
        let loss: DRNetLoss
        let batch: BatchData
    }

    /// The backend the current assertions run on (prefixed to their messages).
    var backendName = "cpu"

    func fixture(_ backend: TestBackends.Available) throws -> Fixture {
        backendName = backend.name
        guard let ref = try ReferenceVectors() else { throw XCTSkip("../shared/testvectors absent: reference vectors not checked") }
        guard let alf = SharedData.dataset("al-li-fe") else { throw XCTSkip("../shared/datasets/al-li-fe absent") }
        let phases = try StickLibraryReader.read(path: alf.appendingPathComponent("sticks.csv").path)
        let q = ref.array("Q").map { Float($0) }
        let options = SolverOptions()  // the defaults are the reference's Al-Li-Fe settings
        let decoder = PeakDecoder(phases: phases, q: q, windowSigmas: options.windowSigmas, epsilon: options.epsilon)
        let comps = try NPYReader.read(path: alf.appendingPathComponent("npy/bases_comp.npy").path)
        let loss = DRNetLoss(
            options: options, decoder: decoder, phaseCompositions: comps.values, elementCount: 3,
            backend: try backend.make(decoder, ReconstructionLoss(options: options)))
        let x = ref.array("xrd_raw").map { Float($0) }
        var xn = [Float]()
        for b in 0..<4 {
            let row = x[(b * 650)..<((b + 1) * 650)]
            let m = row.max()!
            xn += row.map { $0 / (m + 1e-9) }
        }
        let batch = BatchData(
            samples: ref.array("sample_indices").map { Int($0) }, patterns: xn,
            mask: ref.phaseRows("sample_indicator"), degrees: ref.array("degree_of_freedom").map { Int($0) },
            compositions: ref.array("composition").map { Double(Float($0)) })
        return Fixture(ref: ref, loss: loss, batch: batch)
    }

    func assertClose(_ got: [Double], _ want: [Double], abs tol: Double, _ what: String, file: StaticString = #filePath, line: UInt = #line)
    {
        XCTAssertEqual(got.count, want.count, "\(what): length", file: file, line: line)
        let err = zip(got, want).map { Swift.abs($0 - $1) }.max() ?? 0
        XCTAssertLessThanOrEqual(err, tol, "[\(backendName)] \(what): max abs error \(err)", file: file, line: line)
    }

    func assertRelative(
        _ got: [Double], _ want: [Double], rel tol: Double, _ what: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(got.count, want.count, "\(what): length", file: file, line: line)
        let scale = want.map { Swift.abs($0) }.max() ?? 0
        let err = zip(got, want).map { Swift.abs($0 - $1) }.max() ?? 0
        XCTAssertLessThanOrEqual(
            err, tol * max(scale, 1e-30), "[\(backendName)] \(what): max abs error \(err) vs scale \(scale)", file: file, line: line)
    }

    func heads(_ f: Fixture, _ object: [String: Any]? = nil) -> HeadOutputs {
        HeadOutputs(
            logits: f.ref.phaseRows("a", in: object), shiftPre: f.ref.phaseRows("u", in: object),
            widthPre: f.ref.phaseRows("v", in: object))
    }

    /// Gradient [head][b][160] → (u, v, a) each [b][159].
    func gradientRows(_ f: Fixture, _ key: String, in object: [String: Any]? = nil) -> [[Double]] {
        let g = f.ref.array(key, in: object)
        var out: [[Double]] = []
        for h in 0..<3 {
            var rows: [Double] = []
            for b in 0..<4 { for k in 0..<159 { rows.append(g[h * 640 + b * 160 + k]) } }
            out.append(rows)
        }
        return out
    }

    func testLatentsDecoderAndLossesMatchReference() throws {
        for backend in TestBackends.all() {
            let f = try fixture(backend)
            let r = f.loss.evaluate(heads: heads(f), batch: f.batch, step: 5000)
            assertClose(r.fractions.map(Double.init), f.ref.phaseRows("w").map(Double.init), abs: 1e-6, "w")
            assertClose(r.shifts.map(Double.init), f.ref.phaseRows("s").map(Double.init), abs: 2e-6, "s")
            assertClose(r.logVariances.map(Double.init), f.ref.phaseRows("logvar").map(Double.init), abs: 2e-6, "logvar")
            // Candidate order (3 largest w) and their rendered patterns B.
            let cand = f.ref.array("candidate_phases").map { Int($0) }
            let bRef = f.ref.array("B"), normRef = f.ref.array("B_normaliser")
            for b in 0..<4 {
                let order = (0..<159).sorted { r.fractions[b * 159 + $0] > r.fractions[b * 159 + $1] }
                XCTAssertEqual(Array(order.prefix(3)), Array(cand[(b * 3)..<(b * 3 + 3)]), "candidate order, sample \(b)")
                for j in 0..<3 {
                    let k = cand[b * 3 + j]
                    let render = f.loss.backend.renderedSample(b)
                    let got = (render.row(ofPhase: k) ?? []).map { Double($0) }
                    let want = Array(bRef[((b * 3 + j) * 650)..<((b * 3 + j + 1) * 650)])
                    assertClose(got, want, abs: 5e-5, "B[\(b)][\(j)]")
                    assertRelative(
                        [Double(render.normaliser(ofPhase: k) ?? 0)], [normRef[b * 3 + j]], rel: 1e-5, "B normaliser[\(b)][\(j)]")
                }
                let xh = f.loss.backend.renderedSample(b).reconstruction.map(Double.init)
                assertClose(xh, Array(f.ref.array("xhat")[(b * 650)..<((b + 1) * 650)]), abs: 5e-5, "xhat[\(b)]")
            }
            let parts = r.reconstructionPerSample
            assertRelative(parts.map(\.klForward), f.ref.array("kl_fwd"), rel: 1e-5, "kl_fwd")
            assertRelative(parts.map(\.klReverse), f.ref.array("kl_rev"), rel: 1e-5, "kl_rev")
            assertRelative(parts.map(\.divergence), f.ref.array("js"), rel: 1e-5, "js")
            assertRelative(parts.map(\.l2), f.ref.array("l2"), rel: 1e-5, "l2")
            assertRelative(parts.map(\.total), f.ref.array("recon_batch"), rel: 1e-5, "recon_batch")
            assertRelative([r.reconstruction], [f.ref.scalar("recon")], rel: 1e-5, "recon")
            let c = r.constraints
            assertRelative(c.entropy, f.ref.array("entropy"), rel: 1e-5, "entropy")
            assertRelative(c.pairMaxShift, Array(f.ref.array("max_shift").prefix(3)), rel: 2e-3, "max_shift")
            assertRelative(c.pairPenalty, f.ref.array("shift_penalty_pairs"), rel: 2e-3, "shift penalty pairs")
            assertRelative(c.alloyPenalty, f.ref.array("alloy_penalty"), rel: 2e-3, "alloy_penalty")
            assertRelative(c.alloy, f.ref.array("alloy"), rel: 2e-3, "alloy")
            XCTAssertEqual(c.activeCount, f.ref.array("n_active").map { Int($0) }, "n_active")
            XCTAssertEqual(c.violatingShifts, f.ref.array("num_violate").map { Int($0) }, "num_violate")
            XCTAssertEqual(c.violation, f.ref.array("violation").map { $0 > 0.5 }, "violation")
            XCTAssertEqual(c.penaltyRatio, f.ref.array("penalty_ratio"), "penalty_ratio")
            assertRelative([c.gibbs], [f.ref.scalar("gibbs_loss")], rel: 1e-5, "gibbs_loss")
            assertRelative(c.smoothPairs, f.ref.array("smooth_pairs"), rel: 1e-5, "smooth pairs")
            assertRelative([c.smooth], [f.ref.scalar("smooth")], rel: 1e-5, "smooth")
            assertClose(c.predictedComposition, f.ref.array("comp_prime"), abs: 1e-5, "comp_prime")
            assertRelative(c.compositionPerSample, f.ref.array("comp_loss_batch"), rel: 1e-4, "comp_loss_batch")
            assertRelative([r.total], [f.ref.scalar("total_step5000")], rel: 1e-5, "total at step 5000")
            let r0 = f.loss.evaluate(heads: heads(f), batch: f.batch, step: 0)
            assertRelative([r0.total], [f.ref.scalar("total_step0")], rel: 1e-5, "total at step 0")
        }
    }

    func testGradientsMatchReference() throws {
        for backend in TestBackends.all() {
            let f = try fixture(backend)
            for (step, key) in [(5000, "grad_total_step5000"), (0, "grad_total_step0")] {
                var g = HeadOutputs.zeros(batch: 4, phases: 159)
                _ = f.loss.evaluate(heads: heads(f), batch: f.batch, step: step, gradients: &g)
                let want = gradientRows(f, key)
                assertRelative(g.shiftPre.map(Double.init), want[0], rel: 5e-4, "\(key) u")
                assertRelative(g.widthPre.map(Double.init), want[1], rel: 5e-4, "\(key) v")
                // Masked logits: the reference's float32 gradient there is up to 5e-7, compare absolutely.
                assertRelative(g.logits.map(Double.init), want[2], rel: 5e-4, "\(key) a")
            }
        }
    }

    func testAlloyCaseMatchesReference() throws {
        for backend in TestBackends.all() {
            let f = try fixture(backend)
            let ac = f.ref.alloyCase
            var g = HeadOutputs.zeros(batch: 4, phases: 159)
            let r = f.loss.evaluate(heads: heads(f, ac), batch: f.batch, step: 5000, gradients: &g)
            let c = r.constraints
            assertClose(r.fractions.map(Double.init), f.ref.phaseRows("w", in: ac).map(Double.init), abs: 1e-6, "w")
            assertRelative(c.pairMaxShift, Array(f.ref.array("max_shift", in: ac).prefix(3)), rel: 2e-3, "max_shift")
            assertRelative(c.pairPenalty, f.ref.array("shift_penalty_pairs", in: ac), rel: 2e-3, "pair penalty")
            assertRelative(c.alloyPenalty, f.ref.array("alloy_penalty", in: ac), rel: 2e-3, "alloy_penalty")
            assertRelative(c.alloy, f.ref.array("alloy", in: ac), rel: 2e-3, "alloy")
            XCTAssertEqual(c.activeCount, f.ref.array("n_active", in: ac).map { Int($0) })
            XCTAssertEqual(c.violatingShifts, f.ref.array("num_violate", in: ac).map { Int($0) })
            XCTAssertEqual(c.violation, f.ref.array("violation", in: ac).map { $0 > 0.5 })
            XCTAssertEqual(c.penaltyRatio, f.ref.array("penalty_ratio", in: ac))
            assertRelative(c.entropy, f.ref.array("entropy", in: ac), rel: 1e-5, "entropy")
            assertRelative([c.gibbs], [f.ref.scalar("gibbs_loss", in: ac)], rel: 2e-3, "gibbs_loss")
            assertRelative(c.smoothPairs, f.ref.array("smooth_pairs", in: ac), rel: 1e-5, "smooth pairs")
            assertRelative(r.reconstructionPerSample.map(\.total), f.ref.array("recon_batch", in: ac), rel: 1e-5, "recon_batch")
            assertRelative([r.total], [f.ref.scalar("total_step5000", in: ac)], rel: 1e-5, "total")
            let want = gradientRows(f, "grad_total_step5000", in: ac)
            assertRelative(g.shiftPre.map(Double.init), want[0], rel: 2e-3, "grad u")
            assertRelative(g.widthPre.map(Double.init), want[1], rel: 5e-4, "grad v")
            assertRelative(g.logits.map(Double.init), want[2], rel: 5e-4, "grad a")
        }
    }
}
