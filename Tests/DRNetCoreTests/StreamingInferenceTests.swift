import XCTest
@testable import DRNetAnalysis
@testable import DRNetCore
@testable import DRNetCrystal
@testable import DRNetEngine
@testable import DRNetIO
@testable import DRNetPlotting
@testable import DRNetSynthetic
import TestSupport

/// Direct tests of chunked streaming inference: streaming a library in chunks gives the latents
/// of one whole-library pass, whatever the chunk size, and the timing fields are filled.
final class StreamingInferenceTests: XCTestCase {
    /// The tiny synthetic setup (N = 15, T = 150, P = 5) with an amortised encoder, every
    /// candidate switched on (no pruning), a few training steps so the latents are not the
    /// initialisation's.
    func makeSolver() throws -> DRNetSolver {
        let (syn, base) = SyntheticSolveSetups.tiny()
        var o = base
        o.pruneUsage = 0
        let problem = try PreparedProblem(library: syn.library, options: o)
        let solver = try DRNetSolver(problem: problem, options: o, seed: 3)
        for start in [0, 5, 10] { solver.trainStep(samples: Array(start..<(start + 5))) }
        return solver
    }

    /// The chunk of samples `range` of the solver's library (normalised patterns, compositions,
    /// the problem's mask).
    func chunk(_ solver: DRNetSolver, _ range: Range<Int>, mask: Bool = true) -> StreamingInference.Chunk {
        let pr = solver.problem
        let t = pr.gridCount, p = pr.phaseCount, m = pr.library.elementCount
        return StreamingInference.Chunk(
            patterns: Array(pr.normalised[(range.lowerBound * t)..<(range.upperBound * t)]),
            compositions: Array(pr.library.compositions[(range.lowerBound * m)..<(range.upperBound * m)]),
            mask: mask ? Array(pr.mask[(range.lowerBound * p)..<(range.upperBound * p)]) : [])
    }

    struct Streamed {
        var fractions: [Float] = [], shifts: [Float] = [], logVariances: [Float] = [], recon: [Double] = []
        var ranges: [Range<Int>] = []
        var timing = StreamingInference.Timing()
    }

    func stream(_ solver: DRNetSolver, chunk size: Int, mask: Bool = true) -> Streamed {
        var out = Streamed()
        out.timing = StreamingInference.run(
            solver: solver, count: solver.problem.sampleCount, chunk: size, produce: { chunk(solver, $0, mask: mask) },
            sink: { range, report in
                out.ranges.append(range)
                out.fractions += report.fractions
                out.shifts += report.shifts
                out.logVariances += report.logVariances
                out.recon += report.reconstructionPerSample.map(\.total)
            })
        return out
    }

    func assertClose(_ a: [Float], _ b: [Float], tol: Float, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        let err = zip(a, b).map { Swift.abs($0 - $1) }.max() ?? .infinity
        XCTAssertLessThanOrEqual(err, tol, "\(what): max difference \(err)", file: file, line: line)
    }

    func testChunkedStreamingMatchesTheWholeLibraryPass() throws {
        let solver = try makeSolver()
        let n = solver.problem.sampleCount, p = solver.problem.phaseCount
        XCTAssertEqual(n, 15)
        let whole = solver.inferAll()  // one chunk (N ≤ 256) through the solver's own path
        // The reference's latents are not degenerate: samples differ.
        XCTAssertGreaterThan(zip(whole.fractions[0..<p], whole.fractions[(7 * p)..<(8 * p)]).map { Swift.abs($0 - $1) }.max()!, 1e-3)
        for size in [15, 5, 4, 1, 7, 40] {  // one pass, divides N, does not divide N, one sample, chunk > N
            let s = stream(solver, chunk: size)
            let want = stride(from: 0, to: n, by: size).map { $0..<min(n, $0 + size) }
            XCTAssertEqual(s.ranges, want, "chunk \(size): the sink sees consecutive ranges covering 0..<N")
            // The encoder's GEMM over a different number of rows may block its sums differently
            // (OpenBLAS): latents agree to float rounding of the head outputs, as between backends.
            assertClose(s.fractions, whole.fractions, tol: AgreementTolerances.latents, "chunk \(size): fractions")
            assertClose(s.shifts, whole.shifts, tol: AgreementTolerances.latents, "chunk \(size): shifts")
            // v = v₀ + r·tanh(y) with |v| ≤ 4: 4× the latents' absolute bound.
            assertClose(s.logVariances, whole.logVariances, tol: 4 * AgreementTolerances.latents, "chunk \(size): widths")
            XCTAssertEqual(s.recon.count, n)
            for i in 0..<n {
                // Per-sample reconstruction loss from equal latents: fp64 sums of float32 terms.
                let want = whole.recon[i].total
                XCTAssertEqual(
                    s.recon[i], want, accuracy: AgreementTolerances.lossParts * max(1, Swift.abs(want)), "chunk \(size), sample \(i)")
            }
        }
    }

    func testEmptyMaskAllowsEveryCandidateAndAGivenMaskIsApplied() throws {
        let solver = try makeSolver()
        let n = solver.problem.sampleCount, p = solver.problem.phaseCount
        let mask = solver.problem.mask
        // The element rule forbids some candidates somewhere, so the two runs differ.
        XCTAssertTrue(mask.contains(0))
        let masked = stream(solver, chunk: 4), open = stream(solver, chunk: 6, mask: false)
        for i in 0..<n {
            for k in 0..<p where mask[i * p + k] == 0 {
                XCTAssertEqual(masked.fractions[i * p + k], 0, "sample \(i), forbidden phase \(k)")
                XCTAssertGreaterThan(open.fractions[i * p + k], 0, "sample \(i), phase \(k) with an empty mask")
            }
        }
        // An empty mask is every candidate allowed: the same as an explicit all-ones mask.
        var ones = Streamed()
        StreamingInference.run(
            solver: solver, count: n, chunk: 6,
            produce: { range in
                var c = chunk(solver, range)
                c.mask = [Float](repeating: 1, count: range.count * p)
                return c
            },
            sink: { _, report in ones.fractions += report.fractions })
        assertClose(open.fractions, ones.fractions, tol: 0, "empty mask vs all-ones mask")
    }

    func testTimingSeparatesProducingFromInferenceAndExcludesTheSink() throws {
        let solver = try makeSolver()
        let n = solver.problem.sampleCount
        let produceSleep = 0.02, sinkSleep = 0.03
        let chunks = 4  // chunk 4 of N = 15
        let clock = ContinuousClock()
        let start = clock.now
        let timing = StreamingInference.run(
            solver: solver, count: n, chunk: 4,
            produce: { range in
                Thread.sleep(forTimeInterval: produceSleep)
                return chunk(solver, range)
            },
            sink: { _, _ in Thread.sleep(forTimeInterval: sinkSleep) })
        let elapsed = clock.now - start
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        // Each produce call sleeps at least `produceSleep`; inference does real work.
        XCTAssertGreaterThanOrEqual(timing.produceSeconds, Double(chunks) * produceSleep)
        XCTAssertGreaterThan(timing.inferSeconds, 0)
        // The sink's time is in neither field: produce + infer ≤ wall − Σ sink sleeps.
        XCTAssertLessThanOrEqual(timing.produceSeconds + timing.inferSeconds, wall - Double(chunks) * sinkSleep)
    }

    func testZeroCountRunsNoChunk() throws {
        let solver = try makeSolver()
        var calls = 0
        let timing = StreamingInference.run(
            solver: solver, count: 0, chunk: 4, produce: { chunk(solver, $0) }, sink: { _, _ in calls += 1 })
        XCTAssertEqual(calls, 0)
        XCTAssertEqual(timing.produceSeconds, 0)
        XCTAssertEqual(timing.inferSeconds, 0)
    }

    func testPerSampleModelStreamsEachSamplesOwnLatents() throws {
        // Regression (issue 10): StreamingInference indexed samples within the chunk (0..<B), so
        // a per-sample model (latents looked up by sample index) got samples 0..<B's latents for
        // every chunk (tiny setup, seed 3, chunk 5: sample 5 streamed [0.000998, 0, 0.998,
        // 0.000998, 0], whole pass [0.168, 0, 0.831, 0.000999, 0]; max difference 0.96).
        let (syn, base) = SyntheticSolveSetups.tiny()
        var o = base
        o.pruneUsage = 0
        o.model = .perSample
        let solver = try DRNetSolver(problem: try PreparedProblem(library: syn.library, options: o), options: o, seed: 3)
        let whole = solver.inferAll()
        let s = stream(solver, chunk: 5)
        assertClose(s.fractions, whole.fractions, tol: AgreementTolerances.latents, "per-sample model, chunk 5: fractions")
    }
}
