import XCTest
import DRNetCore
import DRNetOpenCL
import TestSupport

/// Every OpenCL device against the CPU specification on the same inputs: decoder forward
/// (normalised MSE ≤ 1e-7 and a per-element bound), every gradient, the loss parts, one Adam
/// step, the dense layers, gathers and scatters. Skips where OpenCL is unusable.
final class BackendAgreementTests: XCTestCase {
    struct Case {
        let decoder: PeakDecoder
        let loss: ReconstructionLoss
        let batch: DecoderBatch
    }

    /// A batch of `b` samples over a synthetic stick library (P = 12, T = 300) with random phase
    /// subsets, fractions (some exactly 0), shifts, widths, intensity factors and fattening.
    func makeCase(metric: SolverOptions.ReconstructionMetric = .symmetricKL, intensity: Bool = true, l1: Double = 0) -> Case {
        let syn = SyntheticLibrary.make(divisions: 4, gridCount: 300, sticksPerPhase: 12, distractors: 9, seed: 3)
        var options = SolverOptions()
        options.reconstructionMetric = metric
        options.l1Weight = l1
        let decoder = PeakDecoder(phases: syn.library.phases, q: syn.library.q, windowSigmas: 6, epsilon: 1e-9)
        let p = decoder.phaseCount, t = decoder.gridCount, nmax = decoder.sticks.maxSticks
        var rng = SeededGenerator(seed: 11)
        func u() -> Float { Float(rng.next() >> 40) / Float(1 << 24) }
        let b = 6
        var lists: [[Int32]] = [], w = [Float](repeating: 0, count: b * p), s = w, v = w
        for i in 0..<b {
            let list = (0..<p).filter { _ in u() < 0.6 }.map { Int32($0) }
            lists.append(list.isEmpty ? [0] : list)
            var total: Float = 0
            for k in lists[i] { let x = u() < 0.2 ? 0 : u(); w[i * p + Int(k)] = x; total += x }
            for k in lists[i] { w[i * p + Int(k)] /= max(total, 1e-6) }
            for k in 0..<p { s[i * p + k] = 0.98 + 0.04 * u(); v[i * p + k] = -3.5 + 2.5 * u() }
        }
        let factors = intensity ? (0..<(b * p * nmax)).map { _ in 0.7 + 0.7 * u() } : []
        let samples = (0..<b).map { ($0 * 5) % syn.library.sampleCount }
        var patterns: [Float] = []
        for i in samples {
            let row = syn.library.patterns[(i * t)..<((i + 1) * t)]
            let m = row.max() ?? 1
            patterns += row.map { $0 / (m + 1e-9) }
        }
        let batch = DecoderBatch(phases: lists, fractions: w, shifts: s, logVariances: v, intensityFactors: factors,
                                 fattening: intensity ? 0.05 : 0, patterns: patterns)
        return Case(decoder: decoder, loss: ReconstructionLoss(options: options), batch: batch)
    }

    func requireOpenCL() throws -> [TestBackends.Available] {
        let list = TestBackends.openCL()
        if list.isEmpty {
            throw XCTSkip("no OpenCL device here: \(OpenCLInventory.current.unusableBecause ?? "none listed")")
        }
        return list
    }

    func assertAgree(_ got: [Float], _ want: [Float], relative tol: Float, absolute: Float = 1e-6, _ what: String,
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, want.count, "\(what): length", file: file, line: line)
        let scale = want.map { Swift.abs($0) }.max() ?? 0
        var worst: Float = 0, at = 0
        for i in 0..<min(got.count, want.count) where Swift.abs(got[i] - want[i]) > worst { worst = Swift.abs(got[i] - want[i]); at = i }
        XCTAssertLessThanOrEqual(worst, tol * scale + absolute,
                                 "\(what): max |Δ| \(worst) at \(at) (got \(got.isEmpty ? 0 : got[at]), want \(want.isEmpty ? 0 : want[at])), scale \(scale)",
                                 file: file, line: line)
    }

    func testDecoderForwardAgrees() throws {
        for backend in try requireOpenCL() {
            for intensity in [false, true] {
                let c = makeCase(intensity: intensity)
                let cpu = CPUBackend(decoder: c.decoder, reconstruction: c.loss)
                let dev = try backend.make(c.decoder, c.loss)
                _ = cpu.decodeAndReconstruct(c.batch, wantGradients: false, gradScale: 1)
                _ = dev.decodeAndReconstruct(c.batch, wantGradients: false, gradScale: 1)
                XCTAssertNil(dev.failure, backend.name)
                var num = 0.0, den = 0.0
                for b in 0..<c.batch.count {
                    let want = cpu.reconstruction(b), got = dev.reconstruction(b)
                    for t in 0..<want.count { num += Double(got[t] - want[t]) * Double(got[t] - want[t]); den += Double(want[t] * want[t]) }
                    assertAgree(got, want, relative: 1e-4, "\(backend.name) x̂[\(b)] (IS \(intensity))")
                    let rc = cpu.renderedSample(b), rd = dev.renderedSample(b)
                    for k in c.batch.phases[b].map({ Int($0) }) {
                        let wantRow = Array(UnsafeBufferPointer(start: rc.basisRow(k), count: c.decoder.gridCount))
                        let gotRow = Array(UnsafeBufferPointer(start: rd.basisRow(k), count: c.decoder.gridCount))
                        assertAgree(gotRow, wantRow, relative: 1e-4, "\(backend.name) B[\(b)][\(k)]")
                        XCTAssertEqual(rd.argmax[k], rc.argmax[k], "\(backend.name) argmax B[\(b)][\(k)]")
                    }
                    XCTAssertEqual(rd.mixtureArgmax, rc.mixtureArgmax, "\(backend.name) mixture argmax [\(b)]")
                }
                XCTAssertLessThanOrEqual(num / den, 1e-7, "\(backend.name): normalised MSE of x̂ (IS \(intensity))")
            }
        }
    }

    /// The GPU shape (scalar lanes, 64/256-wide groups) and a mixed one, run on whatever device is
    /// here, so that every kernel variant is checked even on a CPU-only machine.
    func testEveryKernelShapeAgrees() throws {
        guard let device = TestBackends.openCLDevices().first else { throw XCTSkip("no OpenCL device here") }
        let shapes = [OpenCLBackend.Configuration(lanes: 1, pairGroup: 64, sampleGroup: 256, elementGroup: 256),
                      OpenCLBackend.Configuration(lanes: 4, pairGroup: 8, sampleGroup: 16, elementGroup: 32),
                      OpenCLBackend.Configuration(lanes: 8, pairGroup: 2, sampleGroup: 4, elementGroup: 64)]
        for shape in shapes {
            let c = makeCase(intensity: true)
            let cpu = CPUBackend(decoder: c.decoder, reconstruction: c.loss)
            let dev = try OpenCLBackend(device: device, decoder: c.decoder, reconstruction: c.loss, configuration: shape)
            let want = cpu.decodeAndReconstruct(c.batch, wantGradients: true, gradScale: 1)
            let got = dev.decodeAndReconstruct(c.batch, wantGradients: true, gradScale: 1)
            XCTAssertNil(dev.failure)
            let what = "lanes \(shape.lanes) groups \(shape.pairGroup)/\(shape.sampleGroup)"
            for b in 0..<c.batch.count {
                assertAgree(dev.reconstruction(b), cpu.reconstruction(b), relative: 1e-4, "\(what) x̂[\(b)]")
                XCTAssertEqual(got.parts[b].total, want.parts[b].total, accuracy: 1e-4 * want.parts[b].total, what)
            }
            assertAgree(got.gradFractions, want.gradFractions, relative: 2e-4, "\(what) d/dw")
            assertAgree(got.gradShifts, want.gradShifts, relative: 2e-3, "\(what) d/ds")
            assertAgree(got.gradLogVariances, want.gradLogVariances, relative: 2e-3, "\(what) d/dv")
            assertAgree(got.gradIntensityFactors, want.gradIntensityFactors, relative: 2e-3, "\(what) d/dIS")
        }
    }

    func testLossAndGradientsAgree() throws {
        for backend in try requireOpenCL() {
            for (metric, l1) in [(SolverOptions.ReconstructionMetric.symmetricKL, 0.0), (.jensenShannon, 0.0), (.symmetricKL, 0.5)] {
                let c = makeCase(metric: metric, intensity: true, l1: l1)
                let cpu = CPUBackend(decoder: c.decoder, reconstruction: c.loss)
                let dev = try backend.make(c.decoder, c.loss)
                let want = cpu.decodeAndReconstruct(c.batch, wantGradients: true, gradScale: 0.25)
                let got = dev.decodeAndReconstruct(c.batch, wantGradients: true, gradScale: 0.25)
                XCTAssertNil(dev.failure, backend.name)
                let what = "\(backend.name) \(metric) L1 \(l1)"
                for b in 0..<c.batch.count {
                    for (g, w, name) in [(got.parts[b].klForward, want.parts[b].klForward, "KL(p‖p̂)"),
                                         (got.parts[b].klReverse, want.parts[b].klReverse, "KL(p̂‖p)"),
                                         (got.parts[b].divergence, want.parts[b].divergence, "divergence"),
                                         (got.parts[b].l2, want.parts[b].l2, "L2"), (got.parts[b].l1, want.parts[b].l1, "L1"),
                                         (got.parts[b].total, want.parts[b].total, "total")] {
                        XCTAssertEqual(g, w, accuracy: 1e-4 * Swift.abs(w) + 1e-5, "\(what) sample \(b) \(name)")
                    }
                }
                assertAgree(got.gradFractions, want.gradFractions, relative: 2e-4, "\(what) d/dw")
                assertAgree(got.gradShifts, want.gradShifts, relative: 2e-3, "\(what) d/ds")
                assertAgree(got.gradLogVariances, want.gradLogVariances, relative: 2e-3, "\(what) d/dv")
                assertAgree(got.gradIntensityFactors, want.gradIntensityFactors, relative: 2e-3, "\(what) d/dIS")
                assertAgree(got.gradFattening, want.gradFattening, relative: 2e-3, "\(what) d/df")
            }
        }
    }

    /// Dense layers (forward, backward through CLBlast), gathers, scatters and one Adam step
    /// leave the same θ as the CPU store.
    func testParameterStoreAgrees() throws {
        for backend in try requireOpenCL() {
            let c = makeCase()
            let cpu = CPUBackend(decoder: c.decoder, reconstruction: c.loss)
            let dev = try backend.make(c.decoder, c.loss)
            let net = DenseNetwork(widths: [300, 64, 32, 12], offset: 5)
            let count = 5 + net.parameterCount + 7
            var rng = SeededGenerator(seed: 5)
            var theta = [Float](repeating: 0, count: count)
            theta.withUnsafeMutableBufferPointer { net.initialise($0.baseAddress!, rng: &rng) }
            for i in 0..<5 { theta[i] = Float(i) * 0.1 }
            for i in (count - 7)..<count { theta[i] = Float(i % 5) - 2 }
            let batch = 6
            let input = c.batch.patterns
            let gOut = (0..<(batch * 12)).map { Float(($0 * 37) % 11) / 11 - 0.5 }
            var results: [[Float]] = []
            var outputs: [[Float]] = []
            for store in [cpu as ComputeBackend, dev] {
                let adam = AdamOptimizer(count: count, learningRate: 0.01)
                store.loadParameters(theta, optimiser: adam)
                outputs.append(store.denseForward(net, input: input, batch: batch))
                store.zeroGradient()
                store.denseBackward(net, outputGradient: gOut, batch: batch)
                XCTAssertEqual(store.gatherParameters(rows: [0, count - 7], width: 3), [0, 0.1, 0.2, theta[count - 7], theta[count - 6], theta[count - 5]])
                store.addToGradient(rows: [1, count - 4], width: 2, values: [0.5, -0.25, 1, 2])
                store.adamStep(scaled: (range: (count - 7)..<count, factor: 0.5))
                store.adamStep(scaled: nil)
                store.synchronise()
                results.append(store.parameterValues())
                XCTAssertNil(store.failure)
            }
            assertAgree(outputs[1], outputs[0], relative: 1e-5, "\(backend.name) dense forward")
            assertAgree(results[1], results[0], relative: 1e-5, "\(backend.name) θ after backward + Adam")
            XCTAssertEqual(dev.optimiserMoments().first.count, count)
        }
    }
}
