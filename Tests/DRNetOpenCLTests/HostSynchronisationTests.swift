import XCTest
import DRNetCore
import DRNetOpenCL
import TestSupport

/// Issue 13: on a GPU the step time is set by host round trips, so the OpenCL backend counts its
/// own synchronisations (blocking reads and finishes) and a training step must make at most 3:
/// the forward pass, the decode, the step's end. Checked with every optional term on (fitted
/// background, pseudo-Voigt mixing, intensity factors), for the amortised encoder and for free
/// per-sample latents, and for a whole-library step of one chunk.
final class HostSynchronisationTests: XCTestCase {
    func options(_ model: SolverOptions.ModelKind) -> (SyntheticLibrary, SolverOptions) {
        var (syn, o) = SyntheticSolveSetups.tiny()
        o.model = model
        o.peakShape = .pseudoVoigt
        if model == .amortised { o.intensityFactorMax = 1.5 }  // the amortised model's fourth network
        o.pretrainSteps = 2
        o.rampUnit = 1
        return (syn, o)
    }

    func testTrainingStepSynchronisesAtMostThreeTimes() throws {
        let devices = TestBackends.openCL()
        if devices.isEmpty { throw XCTSkip("no OpenCL device here: \(OpenCLInventory.current.unusableBecause ?? "none listed")") }
        for device in devices {
            for model in [SolverOptions.ModelKind.amortised, .perSample] {
                let (syn, o) = options(model)
                let problem = try PreparedProblem(library: syn.library, options: o)
                let solver = try DRNetSolver(problem: problem, options: o, seed: 5, backend: device.make)
                let walk = Array(0..<min(6, problem.sampleCount))
                for step in 0..<4 {
                    let before = try XCTUnwrap(solver.backend.deviceOperations)
                    let report = solver.trainStep(samples: walk)
                    let d = try XCTUnwrap(solver.backend.deviceOperations).since(before)
                    XCTAssertNil(solver.backend.failure)
                    XCTAssertTrue(report.total.isFinite, "\(device.name) \(model) step \(step)")
                    let syncs = d.hostSynchronisations
                    XCTAssertLessThanOrEqual(syncs, 3, "\(device.name) \(model) step \(step): host synchronisations")
                    XCTAssertGreaterThanOrEqual(syncs, 1, "the step's end waits for the queue")
                    XCTAssertGreaterThan(d.kernelLaunches, 4)
                }
                // A whole-library step of one chunk: forward, decode, end.
                let before = try XCTUnwrap(solver.backend.deviceOperations)
                _ = solver.libraryStep()
                let library = try XCTUnwrap(solver.backend.deviceOperations).since(before)
                XCTAssertLessThanOrEqual(library.hostSynchronisations, 3, "\(device.name) \(model) library step")
            }
        }
    }

    /// The deferred transfers give the values the blocking ones did: the same steps on the CPU
    /// and on OpenCL from the same seed agree on their first loss (the decode's downloads) and on
    /// the parameters after one Adam step (the forward pass's downloads fed the heads).
    func testDeferredTransfersCarryTheSameValues() throws {
        let devices = TestBackends.openCL()
        if devices.isEmpty { throw XCTSkip("no OpenCL device here") }
        let (syn, o) = options(.amortised)
        let problem = try PreparedProblem(library: syn.library, options: o)
        let cpu = try DRNetSolver(problem: problem, options: o, seed: 5)
        let walk = Array(0..<min(6, problem.sampleCount))
        let reference = cpu.trainStep(samples: walk)
        for device in devices {
            let solver = try DRNetSolver(problem: problem, options: o, seed: 5, backend: device.make)
            let report = solver.trainStep(samples: walk)
            XCTAssertEqual(report.total, reference.total, accuracy: 1e-4 * max(1, abs(reference.total)), device.name)
            XCTAssertEqual(report.fractions.count, reference.fractions.count)
            for (a, b) in zip(report.fractions, reference.fractions) { XCTAssertEqual(a, b, accuracy: 1e-4, device.name) }
            let theta = solver.backend.parameterValues(), want = cpu.backend.parameterValues()
            XCTAssertEqual(theta.count, want.count)
            let worst = zip(theta, want).map { abs($0 - $1) }.max() ?? 0
            XCTAssertLessThan(worst, 1e-4, "\(device.name): θ after one step")
        }
    }
}

/// Resident patterns: a decode whose `patternRows` name rows of the held patterns gathers its
/// targets on the device (B indices cross instead of B×T values) and gives the loss and gradients
/// of the uploaded copy exactly; rows of patterns the backend does not hold are uploaded.
final class ResidentPatternTests: XCTestCase {
    func testHeldPatternsReplaceTheUploadWithTheSameResult() throws {
        let devices = TestBackends.openCLDevices()
        if devices.isEmpty { throw XCTSkip("no OpenCL device here") }
        let syn = SyntheticLibrary.make(divisions: 3, gridCount: 120, sticksPerPhase: 5, distractors: 1, seed: 2)
        let p = syn.library.phaseCount, t = syn.library.gridCount, rows: [Int32] = [4, 1]
        let patterns = rows.flatMap { syn.library.patterns[(Int($0) * t)..<((Int($0) + 1) * t)] }
        for device in devices {
            let decoder = PeakDecoder(phases: syn.library.phases, q: syn.library.q, backgroundCoefficients: 5)
            let backend = try OpenCLBackend(device: device, decoder: decoder, reconstruction: ReconstructionLoss(options: SolverOptions()))
            var batch = DecoderBatch(
                phases: [[0, 1], [1, 2]], fractions: [Float](repeating: 0.5, count: 2 * p), shifts: [Float](repeating: 1, count: 2 * p),
                logVariances: [Float](repeating: -2, count: 2 * p), intensityFactors: [], fattening: 0,
                patterns: patterns, background: [Float](repeating: 0.1, count: 10))
            let before = device.operations
            let uploaded = backend.decodeAndReconstruct(batch, wantGradients: true, gradScale: 1)
            let uploadBytes = device.operations.since(before).uploadBytes
            backend.holdPatterns(syn.library.patterns, width: t)
            batch.patternRows = rows
            let mark = device.operations
            let gathered = backend.decodeAndReconstruct(batch, wantGradients: true, gradScale: 1)
            let d = device.operations.since(mark)
            XCTAssertNil(backend.failure)
            XCTAssertEqual(uploadBytes - d.uploadBytes, 2 * t * 4 - 2 * 4, "\(device.info.name): B×T floats replaced by B indices")
            XCTAssertEqual(d.hostSynchronisations, 1)
            XCTAssertEqual(gathered.parts.map(\.l1), uploaded.parts.map(\.l1))
            XCTAssertEqual(gathered.parts.map(\.divergence), uploaded.parts.map(\.divergence))
            XCTAssertEqual(gathered.gradFractions, uploaded.gradFractions)
            XCTAssertEqual(gathered.gradBackground, uploaded.gradBackground)
        }
    }

    /// A library too large for what the device keeps resident (here: a limit of 0 bytes) is not
    /// a failure: the solver says so in its notes, every batch uploads its rows, and the run
    /// takes the resident run's steps exactly.
    func testPatternsTooLargeForTheDeviceTravelWithEveryBatch() throws {
        let devices = TestBackends.openCLDevices()
        if devices.isEmpty { throw XCTSkip("no OpenCL device here") }
        var (syn, o) = SyntheticSolveSetups.tiny()
        o.pretrainSteps = 2
        o.rampUnit = 1
        let problem = try PreparedProblem(library: syn.library, options: o)
        for device in devices {
            let resident = try DRNetSolver(problem: problem, options: o, seed: 3) {
                try OpenCLBackend(device: device, decoder: $0, reconstruction: $1)
            }
            let streamed = try DRNetSolver(problem: problem, options: o, seed: 3) {
                let backend = try OpenCLBackend(device: device, decoder: $0, reconstruction: $1)
                backend.residentPatternLimitBytes = 0
                return backend
            }
            XCTAssertEqual(resident.patternResidency, .resident, device.info.name)
            guard case .uploadedPerBatch(let reason) = streamed.patternResidency else {
                return XCTFail("\(device.info.name): \(streamed.patternResidency)")
            }
            XCTAssertTrue(reason.contains("exceed what this device keeps resident"), reason)
            XCTAssertTrue(streamed.settingsNotes.contains { $0.hasPrefix("patterns uploaded with every batch") })
            XCTAssertFalse(resident.settingsNotes.contains { $0.hasPrefix("patterns uploaded") })
            let walk = Array(0..<min(6, problem.sampleCount))
            for step in 0..<3 {
                let a = resident.trainStep(samples: walk)
                let before = try XCTUnwrap(streamed.backend.deviceOperations)  // the device counts for both
                let b = streamed.trainStep(samples: walk)
                let d = try XCTUnwrap(streamed.backend.deviceOperations).since(before)
                XCTAssertNil(streamed.backend.failure)
                XCTAssertEqual(a.total, b.total, "\(device.info.name) step \(step)")
                XCTAssertLessThanOrEqual(d.hostSynchronisations, 3, "uploads are enqueued, not waited for")
                XCTAssertGreaterThanOrEqual(d.uploadBytes, walk.count * problem.gridCount * 4, "the batch's rows travel")
            }
            XCTAssertEqual(resident.backend.parameterValues(), streamed.backend.parameterValues(), device.info.name)
            _ = resident.libraryStep()
            _ = streamed.libraryStep()
            XCTAssertEqual(
                resident.backend.parameterValues(), streamed.backend.parameterValues(), "\(device.info.name): whole-library step")
        }
    }
}
