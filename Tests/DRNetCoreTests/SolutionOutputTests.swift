import XCTest
@testable import DRNetAnalysis
@testable import DRNetCore
@testable import DRNetCrystal
@testable import DRNetEngine
@testable import DRNetIO
@testable import DRNetPlotting
@testable import DRNetSynthetic

/// A small solve exported to the community format and pictures: R sums to the reconstruction,
/// the loader and the checks read it back, and the SVGs hold what a reader needs.
final class SolutionOutputTests: XCTestCase {
    func testSolveToCommunityFormatCheckAndPlots() throws {
        let syn = SyntheticLibrary.make(divisions: 4, gridCount: 150, qRange: 15...40, sticksPerPhase: 8, distractors: 2, seed: 9)
        var o = SolverOptions()
        o.hiddenLayers = [32]; o.maxSteps = 120; o.pretrainSteps = 40; o.rampUnit = 4
        o.polishSteps = 30; o.fineTuneSteps = 30; o.walkPoolSize = 50; o.walkLength = 5
        o.backgroundFromData = false  // these patterns have no baseline; the background's export is under test
        let solver = try DRNetSolver(problem: PreparedProblem(library: syn.library, options: o), options: o, seed: 5)
        let s = solver.solve()
        let contributions = solver.phaseContributions(phases: s.usedPhases)
        // The export pass's contributions equal a fresh pass over the library, for any phase order.
        XCTAssertNotNil(solver.exported)
        let reversed = Array(s.usedPhases.reversed())
        let cached = solver.phaseContributions(phases: reversed)
        solver.exported = nil
        XCTAssertEqual(solver.phaseContributions(phases: s.usedPhases), contributions)
        XCTAssertEqual(solver.phaseContributions(phases: reversed), cached)
        let background = try XCTUnwrap(solver.backgroundContributions(), "the model fits a background")
        XCTAssertEqual(background.count, s.sampleCount * syn.library.gridCount)
        XCTAssertEqual(s.background?.coefficients.count, s.sampleCount * SolverOptions().backgroundCoefficients)
        let c = CommunitySolution(solution: s, library: syn.library, contributions: contributions, background: background)
        XCTAssertEqual(c.phaseNames, s.usedPhases.map { s.phaseNames[$0] })
        // L from R and BG equals the solver's own per-sample error.
        for i in 0..<s.sampleCount {
            XCTAssertEqual(c.loss![i], s.reconstructionError[i], accuracy: 1e-4)
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("drnet-out-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try CommunitySolutionWriter.write(c, to: dir + "/solution.txt")
        let read = try CommunitySolutionReader.read(path: dir + "/solution.txt")
        XCTAssertEqual(read.concentrations, c.concentrations)
        XCTAssertEqual(read.background?.count, c.background?.count)
        for (a, b) in zip(read.background ?? [], c.background ?? []) { XCTAssertEqual(a, b, accuracy: 1e-5 * max(1, abs(b))) }
        for i in 0..<s.sampleCount { XCTAssertEqual(read.loss![i], s.reconstructionError[i], accuracy: 1e-4) }

        let graph = try CompositionGraph.build(compositions: syn.library.compositions, elementCount: 3)
        let loaded = LoadedSolution(path: dir, community: c, ours: s, library: syn.library, libraryPath: dir)
        let report = SolutionCheck(input: try loaded.checkInput())
        XCTAssertEqual(report.gibbs.plainViolations, 0, report.summary())
        XCTAssertEqual(report.reconstruction?.perSample.count, s.sampleCount)
        XCTAssertEqual(graph.sampleCount, s.sampleCount)

        let data = try SolutionPlotData(loaded)
        let written = try SolutionPlots.write(data, to: dir + "/plots", samples: [0, 7], png: false)
        XCTAssertTrue(written.svg.contains(dir + "/plots/regions.svg"))
        XCTAssertTrue(written.svg.contains(dir + "/plots/fit-sample-7.svg"))
        XCTAssertTrue(written.svg.contains(dir + "/plots/loss.svg"))
        let map = try String(contentsOfFile: dir + "/plots/phase-1-true0.svg", encoding: .utf8)
        for needle in [">A</text>", ">B</text>", ">C</text>", ">fraction</text>", "<circle"] { XCTAssertTrue(map.contains(needle), needle) }
        let fit = try String(contentsOfFile: dir + "/plots/fit-sample-7.svg", encoding: .utf8)
        for needle in ["Q (nm⁻¹)", ">measured</text>", ">reconstruction</text>", ">residual</text>", ">background</text>"] {
            XCTAssertTrue(fit.contains(needle), needle)
        }
    }
}
