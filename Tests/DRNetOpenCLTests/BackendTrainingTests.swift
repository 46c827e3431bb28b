import XCTest
import DRNetCore
import DRNetOpenCL
import TestSupport

/// A short but real solve (synthetic library with a known answer) on every backend: each must
/// recover the truth, and every OpenCL device must take the CPU's training steps.
///
/// Training is chaotic: two correct backends whose float sums round differently start 1e-8
/// apart and drift ×10 per ~100 steps once the Gibbs term ramps in (issue 9: the CPU path
/// against itself with OpenBLAS's Haswell vs SkylakeX kernels drifts exactly as CPU vs OpenCL
/// does). So the backends are compared where the comparison is well-conditioned: the loss
/// records of the first steps (`AgreementTolerances.earlyLossRecords`), and each final result
/// against the truth, not against each other.
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
            XCTAssertGreaterThanOrEqual(
                Double(exact) / Double(s.sampleCount), 0.9, "\(backend.name): exact phase sets \(exact)/\(s.sampleCount)")
            solutions.append(s)
        }
        if backends.count == 1 { throw XCTSkip("only the CPU backend here: no OpenCL device to compare") }
        for (i, s) in solutions.enumerated().dropFirst() {
            let c = try SolutionComparison(solutions[0], s, names: ("cpu", backends[i].name))
            XCTAssertGreaterThan(c.commonLossRecords, 10, c.text)
        }
    }

    /// Training steps through every term (pretraining, then the Gibbs/alloy ramp), taken by the
    /// CPU solver and, from the CPU's own state (θ, Adam moments and step count), by each
    /// OpenCL solver: the loss parts of each such step agree to `AgreementTolerances.trainingStep`.
    /// Re-synchronising before each compared step keeps the comparison well-conditioned: the
    /// free-running trajectories part by ×10 per ~25 steps (measured from 2e-7 at step 0).
    func testTrainingStepsAgreeFromIdenticalState() throws {
        let devices = TestBackends.openCL()
        if devices.isEmpty { throw XCTSkip("no OpenCL device here: \(OpenCLInventory.current.unusableBecause ?? "none listed")") }
        var (syn, o) = SyntheticSolveSetups.small(maxSteps: 400)
        o.pretrainSteps = 60
        let problem = try PreparedProblem(library: syn.library, options: o)
        let pool = WalkPool(graph: problem.graph, count: 50, length: o.walkLength, seed: 77)
        for device in devices {
            let cpu = try DRNetSolver(problem: problem, options: o, seed: 3)
            let dev = try DRNetSolver(problem: problem, options: o, seed: 3, backend: device.make)
            XCTAssertEqual(cpu.parameters, dev.parameters, "\(device.name): initial θ")
            var compared = 0, withGibbs = 0
            for step in 0..<240 {
                let samples = pool.minibatch(step % pool.count)
                let synchronised = step % 20 == 0
                if synchronised && step > 0 {
                    let m = cpu.backend.optimiserMoments()
                    dev.optimiser.restore(step: cpu.optimiser.step, first: m.first, second: m.second)
                    dev.backend.loadParameters(cpu.parameters, optimiser: dev.optimiser)
                }
                let want = cpu.trainStep(samples: samples), got = dev.trainStep(samples: samples)
                XCTAssertNil(dev.backend.failure, device.name)
                guard synchronised else { continue }
                compared += 1
                if want.gibbsWeight > 0 { withGibbs += 1 }
                let tol = AgreementTolerances.trainingStep
                for (g, w, name) in [
                    (got.total, want.total, "total"), (got.reconstruction, want.reconstruction, "reconstruction"),
                    (got.smoothness, want.smoothness, "smoothness")
                ] {
                    XCTAssertEqual(g, w, accuracy: tol * Swift.abs(w) + 1e-9, "\(device.name) step \(step): \(name)")
                }
                let latentTol = AgreementTolerances.latents
                for (g, w, name) in [(got.fractions, want.fractions, "fractions"), (got.shifts, want.shifts, "shifts")] {
                    for (x, y) in zip(g, w) { XCTAssertEqual(x, y, accuracy: latentTol, "\(device.name) step \(step): \(name)") }
                }
                for (x, y) in zip(got.constraints.entropy, want.constraints.entropy) {
                    XCTAssertEqual(x, y, accuracy: tol * max(1, Swift.abs(y)), "\(device.name) step \(step): entropy")
                }
                // The alloy term is tanh((Δs − 0.95u)/a) of a difference of two shifts: it
                // amplifies the shifts' float32 rounding by 1/a (a = shiftAmplify = 5e-4).
                let alloyTol = AgreementTolerances.alloyShiftUlps * Double(Float(1).ulp) / o.shiftAmplify
                for (x, y) in zip(got.constraints.alloy, want.constraints.alloy) {
                    XCTAssertEqual(x, y, accuracy: alloyTol, "\(device.name) step \(step): alloy")
                }
                XCTAssertEqual(
                    got.gibbs, want.gibbs, accuracy: tol * Swift.abs(want.gibbs) + o.alloyWeight * alloyTol,
                    "\(device.name) step \(step): Gibbs")
            }
            XCTAssertEqual(compared, 12)
            XCTAssertGreaterThan(withGibbs, 3, "the compared steps must include the constraint terms")
        }
    }
}
