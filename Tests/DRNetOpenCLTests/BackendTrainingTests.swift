import XCTest
import DRNetCore
import DRNetOpenCL
import TestSupport

/// A short but real solve (synthetic library with a known answer) on every backend: each must
/// recover the truth, and every OpenCL device must give the CPU's phase sets.
final class BackendTrainingTests: XCTestCase {
    func solve(_ backend: TestBackends.Available) throws -> (PhaseMapSolution, SyntheticLibrary) {
        let (syn, o) = SyntheticSolveSetups.small(maxSteps: 1200)
        let problem = try PreparedProblem(library: syn.library, options: o)
        let solver = try DRNetSolver(problem: problem, options: o, seed: 3, backend: backend.make)
        let s = solver.solve()
        XCTAssertNil(solver.backend.failure, backend.name)
        return (s, syn)
    }

    func testShortSolveAgreesOnEveryBackend() throws {
        let backends = TestBackends.all()
        var solutions: [PhaseMapSolution] = []
        for backend in backends {
            let (s, syn) = try solve(backend)
            XCTAssertEqual(Set(s.usedPhases), Set(syn.truePhases), "\(backend.name): phases used")
            var exact = 0
            for i in 0..<s.sampleCount {
                let got = Set((0..<s.phaseCount).filter { s.fractions[i * s.phaseCount + $0] >= 0.01 })
                let want = Set((0..<s.phaseCount).filter { syn.truth[i * s.phaseCount + $0] >= 0.01 })
                if got == want { exact += 1 }
            }
            XCTAssertGreaterThanOrEqual(Double(exact) / Double(s.sampleCount), 0.9, "\(backend.name): exact phase sets \(exact)/\(s.sampleCount)")
            solutions.append(s)
        }
        if backends.count == 1 { throw XCTSkip("only the CPU backend here: no OpenCL device to compare") }
        for (i, s) in solutions.enumerated().dropFirst() {
            let c = try SolutionComparison(solutions[0], s, names: ("cpu", backends[i].name))
            XCTAssertGreaterThanOrEqual(c.identicalPhaseSetShare, 0.95, c.text)
            XCTAssertLessThan(c.meanFractionDifference, 0.02, c.text)
            XCTAssertGreaterThan(c.commonLossRecords, 10, c.text)
        }
    }
}
