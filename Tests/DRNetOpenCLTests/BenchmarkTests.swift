import DRNetCore
import DRNetOpenCL
import Foundation
import TestSupport
import XCTest

/// The benchmark of `drnet bench` as a Swift program runs it, on a tiny library.
final class BenchmarkTests: XCTestCase {
    /// A tiny library (N = 15, Q = 150, P = 5) and settings of a few steps.
    func tinySetup() -> (CompositionLibrary, Benchmark.Settings) {
        let library = SyntheticLibrary.make(divisions: 4, gridCount: 150, qRange: 15...40, sticksPerPhase: 8, distractors: 2, seed: 9)
            .library
        var settings = Benchmark.Settings()
        settings.steps = 4
        settings.warmup = 1
        settings.seed = 3
        settings.options.hiddenLayers = [32]
        settings.options.walkLength = 5
        settings.options.walkPoolSize = 50
        return (library, settings)
    }

    func testTrainingStepOnCPU() throws {
        let (library, settings) = tinySetup()
        let r = try Benchmark.trainingStep(library: library, device: .cpu, settings: settings)
        XCTAssertEqual(r.benchmark, "train-step")
        XCTAssertEqual(r.device, "cpu")
        XCTAssertEqual(r.driver, CPUBackend.blasDescription)
        XCTAssertEqual(r.library, library.name)
        XCTAssertEqual([r.samples, r.gridPoints, r.candidates], [15, 150, 5])
        XCTAssertEqual(r.batch, 5)
        XCTAssertEqual(r.model, "amortised")
        XCTAssertEqual(r.steps, 4)
        XCTAssertGreaterThan(r.medianStepMs, 0)
        XCTAssertGreaterThan(r.meanStepMs, 0)
        let parts = [r.encoderForwardMs, r.lossAndDecoderMs, r.encoderBackwardMs, r.optimiserMs]
        XCTAssertTrue(parts.allSatisfy { $0 > 0 }, "\(parts)")
        // The parts are laps inside each timed step: they sum to its time, less the call itself.
        let sum = parts.reduce(0, +)
        XCTAssertLessThanOrEqual(sum, r.meanStepMs * 1.001)
        XCTAssertGreaterThan(sum, r.meanStepMs * 0.7, "parts \(parts) against a mean step of \(r.meanStepMs) ms")
        XCTAssertNil(r.kernelMsPerStep)
        XCTAssertNil(r.kernelLaunchesPerStep, "no device operations on the CPU path")
        XCTAssertNil(r.hostSynchronisationsPerStep)
        XCTAssertGreaterThan(r.inferenceSamplesPerSecond, 0)
        // The steps take the solver's minibatches: walksPerStep walks each (3 × 5 samples).
        var wide = settings
        wide.options.walksPerStep = 3
        XCTAssertEqual(try Benchmark.trainingStep(library: library, device: .cpu, settings: wide).batch, 15)
        XCTAssertGreaterThan(r.peakMemoryMB, 1)

        // The JSON keys of `drnet bench --json` (no kernel times on the CPU path).
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(r)) as? [String: Any]
        XCTAssertEqual(
            object.map { Set($0.keys) },
            [
                "batch", "benchmark", "candidates", "device", "driver", "encoderBackwardMs", "encoderForwardMs", "gridPoints",
                "inferenceSamplesPerSecond", "library", "lossAndDecoderMs", "meanStepMs", "medianStepMs", "model", "optimiserMs",
                "peakMemoryMB", "samples", "steps"
            ])
    }

    func testSweepPointsOnCPU() throws {
        var (_, settings) = tinySetup()
        settings.sweepGridPoints = 100
        settings.sweepCandidates = 6
        settings.sweepN = [40]
        settings.sweepQ = []
        settings.sweepP = [4]
        settings.sweepSteps = 2
        settings.sweepWarmup = 1
        settings.chunk = 16
        var records: [Benchmark.SweepRecord] = []
        try Benchmark.sweeps(device: .cpu, settings: settings) { records.append($0) }
        XCTAssertEqual(records.map(\.benchmark), ["inference-N", "sweep-P"])
        let n = records[0]
        XCTAssertEqual([n.samples, n.gridPoints, n.candidates, n.chunk], [40, 100, 6, 16])
        XCTAssertGreaterThan(n.inferenceSamplesPerSecond, 0)
        XCTAssertGreaterThan(n.inferSeconds ?? 0, 0)
        XCTAssertNotNil(n.generateSeconds)
        XCTAssertEqual(n.inferenceSamplesPerSecond, 40 / (n.inferSeconds ?? 0), accuracy: 1e-6 * n.inferenceSamplesPerSecond)
        XCTAssertNil(n.medianStepMs)
        let p = records[1]
        XCTAssertEqual([p.samples, p.gridPoints, p.candidates], [231, 100, 4])
        XCTAssertGreaterThan(p.medianStepMs ?? 0, 0)
        XCTAssertGreaterThan(p.inferenceSamplesPerSecond, 0)
        XCTAssertNil(p.inferSeconds)
        XCTAssertNil(p.generateSeconds)
        XCTAssertTrue(records.allSatisfy { $0.device == "cpu" && $0.peakMemoryMB > 1 })
    }

    func testInvalidSettingsAreRefused() {
        let (library, base) = tinySetup()
        var settings = base
        settings.steps = 0
        XCTAssertThrowsError(try Benchmark.trainingStep(library: library, device: .cpu, settings: settings)) { error in
            XCTAssertEqual("\(error)", "benchmark settings: steps and sweepSteps must be ≥ 1")
        }
        settings = base
        settings.sweepQ = [8]
        XCTAssertThrowsError(try Benchmark.sweeps(device: .cpu, settings: settings) { _ in XCTFail("no record expected") })
    }

    func testKernelTimesOnOpenCL() throws {
        guard let first = TestBackends.openCLDevices().first else { throw XCTSkip("no OpenCL device here") }
        let (device, _) = try DeviceChoice.resolve("opencl:\(first.info.id)", profiling: true, environment: [:])
        var (library, settings) = tinySetup()
        settings.steps = 2
        let r = try Benchmark.trainingStep(library: library, device: device, settings: settings)
        XCTAssertEqual(r.device, device.name)
        XCTAssertTrue(r.driver.contains(" / driver "), r.driver)
        XCTAssertEqual(r.steps, 2)
        XCTAssertGreaterThan(r.medianStepMs, 0)
        let kernels = try XCTUnwrap(r.kernelMsPerStep, "no per-kernel times on \(device.name)")
        XCTAssertFalse(kernels.isEmpty)
        XCTAssertTrue(kernels.values.allSatisfy { $0 >= 0 && $0.isFinite }, "\(kernels)")
        XCTAssertTrue(kernels.values.contains { $0 > 0 }, "\(kernels)")
        XCTAssertNotNil(kernels["render_phases"], "\(kernels.keys.sorted())")
        // The device's own count of launches and round trips per step (issue 13's baseline).
        let launches = try XCTUnwrap(r.kernelLaunchesPerStep), syncs = try XCTUnwrap(r.hostSynchronisationsPerStep)
        XCTAssertGreaterThanOrEqual(launches, 10, "\(launches)")
        XCTAssertLessThanOrEqual(syncs, 3, "\(syncs): issue 13's bound")
        XCTAssertGreaterThanOrEqual(syncs, 1, "\(syncs)")
        XCTAssertGreaterThan(try XCTUnwrap(r.uploadBytesPerStep), 0)
        XCTAssertGreaterThan(try XCTUnwrap(r.downloadBytesPerStep), 0)
        // Steps of 3 walks move 3 walks' latents and gradients (the bench once timed one walk
        // per step whatever walksPerStep said).
        var wide = settings
        wide.options.walksPerStep = 3
        let w = try Benchmark.trainingStep(library: library, device: device, settings: wide)
        XCTAssertEqual(w.batch, 3 * r.batch)
        XCTAssertGreaterThan(try XCTUnwrap(w.downloadBytesPerStep), 2.5 * (r.downloadBytesPerStep ?? 0))
    }

    /// The counter itself: one batched decode with gradients (no intensity factors, background,
    /// mixing or offsets) is 4 launches (render, mix, loss, backward), 7 enqueued uploads (pairs
    /// ×3, w, s, v, patterns), 5 enqueued downloads (loss parts, d/dw, d/ds, d/dv, d/df per pair)
    /// completed by one finish, and 3 fills (zeroed gradients): one host synchronisation. A
    /// background adds a launch, an upload and a download.
    func testDeviceOperationsAreCounted() throws {
        guard let first = TestBackends.openCLDevices().first else { throw XCTSkip("no OpenCL device here") }
        let syn = SyntheticLibrary.make(divisions: 3, gridCount: 120, sticksPerPhase: 5, distractors: 1, seed: 2)
        let p = syn.library.phaseCount, t = syn.library.gridCount
        for background in [false, true] {
            let decoder = PeakDecoder(phases: syn.library.phases, q: syn.library.q, backgroundCoefficients: background ? 5 : 0)
            let backend = try OpenCLBackend(device: first, decoder: decoder, reconstruction: ReconstructionLoss(options: SolverOptions()))
            let batch = DecoderBatch(
                phases: [[0, 1], [1, 2]], fractions: [Float](repeating: 0.5, count: 2 * p), shifts: [Float](repeating: 1, count: 2 * p),
                logVariances: [Float](repeating: -2, count: 2 * p), intensityFactors: [], fattening: 0,
                patterns: Array(syn.library.patterns[0..<(2 * t)]), background: background ? [Float](repeating: 0.1, count: 10) : [])
            let before = first.operations
            _ = backend.decodeAndReconstruct(batch, wantGradients: true, gradScale: 1)
            XCTAssertNil(backend.failure)
            let d = first.operations.since(before)
            XCTAssertEqual(d.kernelLaunches, background ? 5 : 4, "launches (background \(background))")
            XCTAssertEqual(d.uploads, background ? 8 : 7, "uploads (background \(background))")
            XCTAssertEqual(d.queuedReads, background ? 6 : 5, "downloads (background \(background))")
            XCTAssertEqual(d.blockingReads, 0)
            XCTAssertEqual(d.finishes, 1)
            XCTAssertEqual(d.fills, 3)
            XCTAssertEqual(d.hostSynchronisations, 1)
            XCTAssertEqual(backend.deviceOperations?.hostSynchronisations, first.operations.hostSynchronisations)
        }
        XCTAssertNil(
            CPUBackend(decoder: PeakDecoder(phases: [], q: syn.library.q), reconstruction: ReconstructionLoss(options: SolverOptions()))
                .deviceOperations)
    }
}
