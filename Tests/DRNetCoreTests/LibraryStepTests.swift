import XCTest
@testable import DRNetCore
@testable import DRNetEngine
@testable import DRNetSynthetic
import TestSupport

/// Whole-library steps of the per-sample stages: the random path cover, its chunks, and a step
/// whose chunked gradient is the library's mean-loss gradient.
final class LibraryStepTests: XCTestCase {
    private func ternaryGraph(divisions d: Int) throws -> CompositionGraph {
        var c: [Double] = []
        for a in 0...d { for b in 0...(d - a) { c += [Double(a), Double(b), Double(d - a - b)].map { $0 / Double(d) } } }
        return try CompositionGraph.build(compositions: c, elementCount: 3)
    }

    func testPathCoverHoldsEverySampleOnceAlongEdges() throws {
        let g = try ternaryGraph(divisions: 12)
        var rng = SeededGenerator(seed: 5)
        let paths = g.randomPathCover(rng: &rng)
        XCTAssertEqual(paths.flatMap { $0 }.sorted(), Array(0..<g.sampleCount))
        for path in paths {
            for k in path.indices.dropFirst() { XCTAssertTrue(g.neighbors(of: path[k - 1]).contains(path[k])) }
        }
        // Mostly long paths: a Delaunay grid leaves few samples stranded.
        XCTAssertLessThan(paths.count, g.sampleCount / 4, "\(paths.count) paths for \(g.sampleCount) samples")
        var again = SeededGenerator(seed: 5), other = SeededGenerator(seed: 6)
        XCTAssertEqual(g.randomPathCover(rng: &again), paths)
        XCTAssertNotEqual(g.randomPathCover(rng: &other), paths)
        var capped = SeededGenerator(seed: 5)
        XCTAssertTrue(g.randomPathCover(maxLength: 3, rng: &capped).allSatisfy { $0.count <= 3 })
        let lonely = try CompositionGraph(sampleCount: 4, edges: [])
        XCTAssertEqual(lonely.randomPathCover(rng: &rng).map(\.count), [1, 1, 1, 1])
    }

    func testChunksCutPathsAndMarkOnlyPathPairs() {
        let c = LibraryBatchChunks(paths: [[0, 1, 2], [3], [4, 5, 6, 7]], limit: 3).chunks
        XCTAssertEqual(c.map(\.samples), [[0, 1, 2], [3, 4, 5], [6, 7]])
        XCTAssertEqual(c.map(\.pairValid), [[true, true], [false, true], [true]])
        XCTAssertEqual(LibraryBatchChunks(paths: [[2, 1]], limit: 256).chunks.map(\.samples), [[2, 1]])
    }

    /// A step in chunks of 4 and one in a single chunk, from the same state and path cover, give
    /// the same gradient (per-sample terms only: the pairs cut at chunk boundaries would differ)
    /// — so each chunk's share is weighted right.
    func testChunkedStepGradientIsTheWholeLibraryGradient() throws {
        var (syn, o) = SyntheticSolveSetups.tiny()
        o.model = .perSample
        o.pretrainSteps = 1_000_000
        o.smoothnessWeight = 0
        let problem = try PreparedProblem(library: syn.library, options: o)
        let chunked = try DRNetSolver(problem: problem, options: o, seed: 2)
        let whole = try DRNetSolver(problem: problem, options: o, seed: 2)
        let a = chunked.libraryStep(chunkLimit: 4), b = whole.libraryStep(chunkLimit: problem.sampleCount)
        XCTAssertEqual(a.fractions.count, problem.sampleCount * problem.phaseCount)
        XCTAssertEqual(a.reconstruction, b.reconstruction, accuracy: 1e-6 * abs(b.reconstruction))
        XCTAssertEqual(a.total, b.total, accuracy: 1e-6 * abs(b.total))
        let ga = chunked.backend.parameterGradient(), gb = whole.backend.parameterGradient()
        let scale = gb.map { abs($0) }.max() ?? 0
        XCTAssertGreaterThan(scale, 0)
        let worst = zip(ga, gb).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThan(worst, 1e-5 * scale, "chunked and whole-library gradients differ by \(worst) (scale \(scale))")
        // Every sample's latents moved: one Adam step over the library.
        XCTAssertEqual(chunked.step, 1)
        // (The width block: a sample with one allowed phase has no fraction gradient.)
        let n = problem.sampleCount, p = problem.phaseCount
        let widths = try XCTUnwrap(chunked.model as? PerSampleLatents).widthOffset
        for i in 0..<n {
            XCTAssertTrue((0..<p).contains { ga[widths + i * p + $0] != 0 }, "sample \(i) got no gradient")
        }
    }

    /// The polish and fine-tune count whole-library steps; `walks` keeps the minibatch steps.
    func testPerSampleStagesUseLibraryStepsByDefault() throws {
        let (syn, o) = SyntheticSolveSetups.tiny()
        XCTAssertEqual(o.perSampleBatch, .library)
        let problem = try PreparedProblem(library: syn.library, options: o)
        let solver = try DRNetSolver(problem: problem, options: o, seed: 1)
        let solution = solver.solve()
        XCTAssertEqual(solution.polishSteps, o.polishSteps)
        XCTAssertGreaterThan(solution.fineTuneSteps, 0)
        // Timed steps: training minibatches plus one per library step.
        XCTAssertEqual(solver.timings.steps, solution.trainingSteps + solution.polishSteps + solution.fineTuneSteps)
        var walks = o
        walks.perSampleBatch = .walks
        let other = try DRNetSolver(problem: problem, options: walks, seed: 1).solve()
        XCTAssertNotEqual(other.fractions, solution.fractions)
    }
}
