import XCTest
@testable import DRNetAnalysis
@testable import DRNetCore
@testable import DRNetCrystal
@testable import DRNetEngine
@testable import DRNetIO
@testable import DRNetPlotting
@testable import DRNetSynthetic
import TestSupport

/// A reduced but real solve: a small synthetic ternary library with a known answer.
final class SyntheticSolveTests: XCTestCase {
    func solve(model: SolverOptions.ModelKind) throws -> (PhaseMapSolution, SyntheticLibrary) {
        let (syn, o) = SyntheticSolveSetups.small(model: model)
        let problem = try PreparedProblem(library: syn.library, options: o)
        let solver = try DRNetSolver(problem: problem, options: o, seed: 3)
        return (solver.solve(), syn)
    }

    func check(_ s: PhaseMapSolution, _ syn: SyntheticLibrary, file: StaticString = #filePath, line: UInt = #line) {
        let p = s.phaseCount
        var exact = 0, err = 0.0
        for i in 0..<s.sampleCount {
            let got = Set((0..<p).filter { s.fractions[i * p + $0] >= 0.01 })
            let want = Set((0..<p).filter { syn.truth[i * p + $0] >= 0.01 })
            if got == want { exact += 1 }
            err += 0.5 * (0..<p).reduce(0.0) { $0 + Double(abs(s.fractions[i * p + $1] - syn.truth[i * p + $1])) }
        }
        XCTAssertEqual(Set(s.usedPhases), Set(syn.truePhases), "phases used", file: file, line: line)
        if ProcessInfo.processInfo.environment["DRNET_DEBUG"] != nil {
            for i in 0..<s.sampleCount {
                print(i, (0..<p).map { String(format: "%.2f/%.2f", s.fractions[i * p + $0], syn.truth[i * p + $0]) }.joined(separator: " "))
            }
            print(s.lossHistory.suffix(5))
        }
        XCTAssertGreaterThanOrEqual(
            Double(exact) / Double(s.sampleCount), 0.9, "exact phase sets \(exact)/\(s.sampleCount)", file: file, line: line)
        XCTAssertLessThan(err / Double(s.sampleCount), 0.05, "mean fraction error", file: file, line: line)
        // The Gibbs rule holds exactly after the refine step.
        for i in 0..<s.sampleCount {
            XCTAssertLessThanOrEqual((0..<p).filter { s.fractions[i * p + $0] > 0 }.count, s.degreesOfFreedom[i], file: file, line: line)
        }
    }

    func testAmortisedSolveRecoversSyntheticTruth() throws {
        let (s, syn) = try solve(model: .amortised)
        check(s, syn)
    }

    func testPerSampleSolveRecoversSyntheticTruth() throws {
        let (s, syn) = try solve(model: .perSample)
        check(s, syn)
    }
}

/// Every random choice flows from the seed: the same seed gives the same solution bit for bit.
final class DeterminismTests: XCTestCase {
    func run(seed: UInt64) throws -> PhaseMapSolution {
        let (syn, o) = SyntheticSolveSetups.tiny()
        let problem = try PreparedProblem(library: syn.library, options: o)
        return try DRNetSolver(problem: problem, options: o, seed: seed).solve()
    }

    func testSameSeedSameSolutionDifferentSeedDifferentRun() throws {
        let a = try run(seed: 11), b = try run(seed: 11), c = try run(seed: 12)
        XCTAssertEqual(a.fractions, b.fractions)
        XCTAssertEqual(a.shifts, b.shifts)
        XCTAssertEqual(a.lossHistory.map(\.total), b.lossHistory.map(\.total))
        XCTAssertNotEqual(a.lossHistory.map(\.total), c.lossHistory.map(\.total))
    }
}
