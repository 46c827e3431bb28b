import XCTest
import DRNetCore
import DRNetOpenCL
import TestSupport

/// Every OpenCL device against the CPU specification on the same inputs: decoder forward
/// (normalised MSE and a per-element bound), every gradient, the loss parts, Adam on identical
/// gradients, the dense layers and their parameter gradient, gathers and scatters; tolerances in
/// `AgreementTolerances`. Skips where OpenCL is unusable.
final class BackendAgreementTests: XCTestCase {
    struct Case {
        let decoder: PeakDecoder
        let loss: ReconstructionLoss
        let batch: DecoderBatch
    }

    /// A batch of `b` samples over a synthetic stick library (P = 12, T = 300) with random phase
    /// subsets, fractions (some exactly 0), shifts, widths, intensity factors and fattening.
    /// With `background`, the decoder fits a 6-spline background and the batch carries
    /// coefficients β ∈ [0, 0.3) (one sample's all zero).
    func makeCase(
        metric: SolverOptions.ReconstructionMetric = .symmetricKL, intensity: Bool = true, l1: Double = 0, background: Bool = false,
        mixing: Bool = false, offsets: Bool = false
    ) -> Case {
        let syn = SyntheticLibrary.make(divisions: 4, gridCount: 300, sticksPerPhase: 12, distractors: 9, seed: 3)
        var options = SolverOptions()
        options.reconstructionMetric = metric
        options.l1Weight = l1
        let decoder = PeakDecoder(
            phases: syn.library.phases, q: syn.library.q, windowSigmas: 6, epsilon: 1e-9, backgroundCoefficients: background ? 6 : 0,
            offsetWavelength: offsets ? 1.540598 : nil)
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
        let beta = background ? (0..<(b * 6)).map { $0 / 6 == 2 ? 0 : 0.3 * u() } : []
        let batch = DecoderBatch(
            phases: lists, fractions: w, shifts: s, logVariances: v, intensityFactors: factors,
            fattening: intensity ? 0.05 : 0, patterns: patterns, background: beta,
            mixing: mixing ? (0..<p).map { $0 % 4 == 0 ? 0 : 0.9 * u() } : [],
            offsets: offsets ? (0..<(2 * b)).map { _ in 0.01 * (u() - 0.5) } : [])
        return Case(decoder: decoder, loss: ReconstructionLoss(options: options), batch: batch)
    }

    func requireOpenCL() throws -> [TestBackends.Available] {
        let list = TestBackends.openCL()
        if list.isEmpty {
            throw XCTSkip("no OpenCL device here: \(OpenCLInventory.current.unusableBecause ?? "none listed")")
        }
        return list
    }

    func assertAgree(
        _ got: [Float], _ want: [Float], relative tol: Float, absolute: Float = 1e-6, _ what: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(got.count, want.count, "\(what): length", file: file, line: line)
        let scale = want.map { Swift.abs($0) }.max() ?? 0
        var worst: Float = 0, at = 0
        for i in 0..<min(got.count, want.count) where Swift.abs(got[i] - want[i]) > worst { worst = Swift.abs(got[i] - want[i]); at = i }
        XCTAssertLessThanOrEqual(
            worst, tol * scale + absolute,
            "\(what): max |Δ| \(worst) at \(at) (got \(got.isEmpty ? 0 : got[at]), want \(want.isEmpty ? 0 : want[at])), scale \(scale)",
            file: file, line: line)
    }

    /// A NaN mixture (what a diverged step produces) has no maximum: before issue 13 the kernels'
    /// argmax stayed at its initial 0x7fffffff and the backward pass indexed past its buffers.
    /// Now the argmax is a grid index, the CPU path's (0), and forward + backward run cleanly
    /// (the NaN reaches the loss, where the solver reports the divergence).
    func testANaNMixtureKeepsItsArgmaxInsideTheGrid() throws {
        for backend in try requireOpenCL() {
            let c = makeCase(intensity: false)
            var batch = c.batch
            for i in batch.fractions.indices { batch.fractions[i] = .nan }
            let cpu = CPUBackend(decoder: c.decoder, reconstruction: c.loss)
            let dev = try backend.make(c.decoder, c.loss)
            let rc = cpu.decodeAndReconstruct(batch, wantGradients: true, gradScale: 1)
            let rd = dev.decodeAndReconstruct(batch, wantGradients: true, gradScale: 1)
            XCTAssertNil(dev.failure, backend.name)
            for b in 0..<batch.count {
                let at = dev.renderedSample(b).mixtureArgmax
                XCTAssertTrue((0..<c.decoder.gridCount).contains(at), "\(backend.name): mixture argmax \(at) outside the grid")
                XCTAssertEqual(at, cpu.renderedSample(b).mixtureArgmax, "\(backend.name): the CPU path's index")
            }
            XCTAssertTrue(rc.parts.contains { !$0.total.isFinite }, "the CPU loss of a NaN mixture is not finite")
            XCTAssertTrue(rd.parts.contains { !$0.total.isFinite }, "\(backend.name): the loss of a NaN mixture is not finite")
        }
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
                    assertAgree(got, want, relative: AgreementTolerances.decoderForward, "\(backend.name) x̂[\(b)] (IS \(intensity))")
                    let rc = cpu.renderedSample(b), rd = dev.renderedSample(b)
                    XCTAssertEqual(rd.phases, c.batch.phases[b].map { Int($0) }, "\(backend.name) rendered phases [\(b)]")
                    XCTAssertEqual(rd.phases, rc.phases)
                    for k in c.batch.phases[b].map({ Int($0) }) {
                        let wantRow = Array(rc.row(ofPhase: k) ?? []), gotRow = Array(rd.row(ofPhase: k) ?? [])
                        assertAgree(gotRow, wantRow, relative: AgreementTolerances.decoderForward, "\(backend.name) B[\(b)][\(k)]")
                        XCTAssertEqual(rd.argmax(ofPhase: k), rc.argmax(ofPhase: k), "\(backend.name) argmax B[\(b)][\(k)]")
                    }
                    XCTAssertEqual(rd.mixtureArgmax, rc.mixtureArgmax, "\(backend.name) mixture argmax [\(b)]")
                    assertAgree(rd.mixture, rc.mixture, relative: AgreementTolerances.decoderForward, "\(backend.name) m[\(b)]")
                    // The export's operation: c_k = w_k·B_k/(M + ε), only the requested rows.
                    let all = Array(0..<c.decoder.phaseCount), p = c.decoder.phaseCount
                    let w = c.batch.fractions[(b * p)..<((b + 1) * p)]
                    let cc = cpu.phaseContributions(b, phases: all, fractions: w), cd = dev.phaseContributions(b, phases: all, fractions: w)
                    assertAgree(cd, cc, relative: AgreementTolerances.decoderForward, "\(backend.name) contributions [\(b)]")
                    var sum = [Float](repeating: 0, count: c.decoder.gridCount)
                    for k in 0..<p { for t in 0..<sum.count { sum[t] += cc[k * sum.count + t] } }
                    assertAgree(sum, want, relative: 1e-5, "Σ_k contributions = x̂ [\(b)]")
                }
                XCTAssertLessThanOrEqual(
                    num / den, AgreementTolerances.decoderNormalisedMSE, "\(backend.name): normalised MSE of x̂ (IS \(intensity))")
            }
        }
    }

    /// The GPU shape (scalar lanes, 64/256-wide groups) and a mixed one, run on whatever device is
    /// here, so that every kernel variant is checked even on a CPU-only machine.
    func testEveryKernelShapeAgrees() throws {
        guard let device = TestBackends.openCLDevices().first else { throw XCTSkip("no OpenCL device here") }
        let shapes = [
            OpenCLBackend.Configuration(lanes: 1, pairGroup: 64, sampleGroup: 256, elementGroup: 256),
            OpenCLBackend.Configuration(lanes: 4, pairGroup: 8, sampleGroup: 16, elementGroup: 32),
            OpenCLBackend.Configuration(lanes: 8, pairGroup: 2, sampleGroup: 4, elementGroup: 64)
        ]
        for (n, shape) in shapes.enumerated() {
            let c = makeCase(intensity: true, background: n != 1, mixing: n != 0, offsets: n != 2)
            let cpu = CPUBackend(decoder: c.decoder, reconstruction: c.loss)
            let dev = try OpenCLBackend(device: device, decoder: c.decoder, reconstruction: c.loss, configuration: shape)
            let want = cpu.decodeAndReconstruct(c.batch, wantGradients: true, gradScale: 1)
            let got = dev.decodeAndReconstruct(c.batch, wantGradients: true, gradScale: 1)
            XCTAssertNil(dev.failure)
            let what = "lanes \(shape.lanes) groups \(shape.pairGroup)/\(shape.sampleGroup)"
            for b in 0..<c.batch.count {
                assertAgree(dev.reconstruction(b), cpu.reconstruction(b), relative: AgreementTolerances.decoderForward, "\(what) x̂[\(b)]")
                XCTAssertEqual(got.parts[b].total, want.parts[b].total, accuracy: AgreementTolerances.lossParts * want.parts[b].total, what)
            }
            assertAgree(got.gradFractions, want.gradFractions, relative: AgreementTolerances.fractionGradient, "\(what) d/dw")
            assertAgree(got.gradShifts, want.gradShifts, relative: AgreementTolerances.peakParameterGradient, "\(what) d/ds")
            assertAgree(got.gradLogVariances, want.gradLogVariances, relative: AgreementTolerances.peakParameterGradient, "\(what) d/dv")
            assertAgree(
                got.gradIntensityFactors, want.gradIntensityFactors, relative: AgreementTolerances.peakParameterGradient, "\(what) d/dIS")
            assertAgree(got.gradBackground, want.gradBackground, relative: AgreementTolerances.fractionGradient, "\(what) d/dβ")
            assertAgree(got.gradMixing, want.gradMixing, relative: AgreementTolerances.peakParameterGradient, "\(what) d/dη")
            assertAgree(got.gradOffsets, want.gradOffsets, relative: AgreementTolerances.peakParameterGradient, "\(what) d/d(z, δ)")
        }
    }

    /// Instrument offsets (issue 12) on every device: peak positions K·sin(θ + (z + δ cos θ)/2),
    /// x̂, the loss and the gradients with respect to the offsets and the shifts.
    func testInstrumentOffsetsAgree() throws {
        for backend in try requireOpenCL() {
            let c = makeCase(intensity: false, background: true, mixing: true, offsets: true)
            let cpu = CPUBackend(decoder: c.decoder, reconstruction: c.loss)
            let dev = try backend.make(c.decoder, c.loss)
            let want = cpu.decodeAndReconstruct(c.batch, wantGradients: true, gradScale: 0.5)
            let got = dev.decodeAndReconstruct(c.batch, wantGradients: true, gradScale: 0.5)
            XCTAssertNil(dev.failure, backend.name)
            XCTAssertEqual(want.gradOffsets.count, 2 * c.batch.count)
            XCTAssertGreaterThan(want.gradOffsets.map { Swift.abs($0) }.max() ?? 0, 0, "the CPU gradient d/dz vanished")
            for b in 0..<c.batch.count {
                assertAgree(
                    dev.reconstruction(b), cpu.reconstruction(b), relative: AgreementTolerances.decoderForward, "\(backend.name) x̂[\(b)]")
                XCTAssertEqual(got.parts[b].total, want.parts[b].total, accuracy: AgreementTolerances.lossParts * want.parts[b].total)
            }
            let what = "\(backend.name) offsets"
            assertAgree(got.gradOffsets, want.gradOffsets, relative: AgreementTolerances.peakParameterGradient, "\(what) d/d(z, δ)")
            assertAgree(got.gradShifts, want.gradShifts, relative: AgreementTolerances.peakParameterGradient, "\(what) d/ds")
            assertAgree(got.gradMixing, want.gradMixing, relative: AgreementTolerances.peakParameterGradient, "\(what) d/dη")
            assertAgree(got.gradBackground, want.gradBackground, relative: AgreementTolerances.fractionGradient, "\(what) d/dβ")
        }
    }

    /// Pseudo-Voigt peaks (issue 12) on every device: rows (Lorentzian tails over the whole grid),
    /// x̂, the loss and every gradient, d/dη per sample and phase included.
    func testPseudoVoigtForwardAndGradientsAgree() throws {
        for backend in try requireOpenCL() {
            let c = makeCase(intensity: true, mixing: true)
            let cpu = CPUBackend(decoder: c.decoder, reconstruction: c.loss)
            let dev = try backend.make(c.decoder, c.loss)
            let want = cpu.decodeAndReconstruct(c.batch, wantGradients: true, gradScale: 0.5)
            let got = dev.decodeAndReconstruct(c.batch, wantGradients: true, gradScale: 0.5)
            XCTAssertNil(dev.failure, backend.name)
            XCTAssertGreaterThan(want.gradMixing.map { Swift.abs($0) }.max() ?? 0, 0, "the CPU gradient d/dη vanished")
            for b in 0..<c.batch.count {
                let rc = cpu.renderedSample(b), rd = dev.renderedSample(b)
                for k in rc.phases {
                    assertAgree(
                        Array(rd.row(ofPhase: k) ?? []), Array(rc.row(ofPhase: k) ?? []), relative: AgreementTolerances.decoderForward,
                        "\(backend.name) B[\(b)][\(k)] (η \(c.batch.mixing[k]))")
                }
                assertAgree(
                    dev.reconstruction(b), cpu.reconstruction(b), relative: AgreementTolerances.decoderForward, "\(backend.name) x̂[\(b)]")
                XCTAssertEqual(got.parts[b].total, want.parts[b].total, accuracy: AgreementTolerances.lossParts * want.parts[b].total)
            }
            let what = "\(backend.name) pseudo-Voigt"
            assertAgree(got.gradMixing, want.gradMixing, relative: AgreementTolerances.peakParameterGradient, "\(what) d/dη")
            assertAgree(got.gradFractions, want.gradFractions, relative: AgreementTolerances.fractionGradient, "\(what) d/dw")
            assertAgree(got.gradShifts, want.gradShifts, relative: AgreementTolerances.peakParameterGradient, "\(what) d/ds")
            assertAgree(got.gradLogVariances, want.gradLogVariances, relative: AgreementTolerances.peakParameterGradient, "\(what) d/dv")
            assertAgree(
                got.gradIntensityFactors, want.gradIntensityFactors, relative: AgreementTolerances.peakParameterGradient, "\(what) d/dIS")
            assertAgree(got.gradFattening, want.gradFattening, relative: AgreementTolerances.peakParameterGradient, "\(what) d/df")
        }
    }

    /// The fitted background (issue 12) on every device: the curve b = Σ_c β_c·φ_c in the
    /// mixture, x̂, the background's and the phases' contributions (which sum to x̂), the loss
    /// and d loss/dβ (plus every other gradient, which the background changes through x̂).
    func testBackgroundForwardAndGradientAgree() throws {
        for backend in try requireOpenCL() {
            let c = makeCase(intensity: false, background: true)
            let cpu = CPUBackend(decoder: c.decoder, reconstruction: c.loss)
            let dev = try backend.make(c.decoder, c.loss)
            let want = cpu.decodeAndReconstruct(c.batch, wantGradients: true, gradScale: 0.5)
            let got = dev.decodeAndReconstruct(c.batch, wantGradients: true, gradScale: 0.5)
            XCTAssertNil(dev.failure, backend.name)
            XCTAssertEqual(want.gradBackground.count, c.batch.count * 6)
            XCTAssertGreaterThan(want.gradBackground.map { Swift.abs($0) }.max() ?? 0, 0, "the CPU gradient d/dβ vanished")
            let p = c.decoder.phaseCount, t = c.decoder.gridCount
            for b in 0..<c.batch.count {
                let rc = cpu.renderedSample(b), rd = dev.renderedSample(b)
                let beta = Array(c.batch.background[(b * 6)..<((b + 1) * 6)])
                assertAgree(rc.background, c.decoder.background!.curve(coefficients: beta), relative: 1e-6, "CPU b[\(b)] = Σβφ")
                assertAgree(rd.background, rc.background, relative: AgreementTolerances.decoderForward, "\(backend.name) b[\(b)]")
                assertAgree(
                    dev.reconstruction(b), cpu.reconstruction(b), relative: AgreementTolerances.decoderForward, "\(backend.name) x̂[\(b)]")
                XCTAssertEqual(got.parts[b].total, want.parts[b].total, accuracy: AgreementTolerances.lossParts * want.parts[b].total)
                let w = c.batch.fractions[(b * p)..<((b + 1) * p)]
                let phases = dev.phaseContributions(b, phases: Array(0..<p), fractions: w)
                let bg = dev.backgroundContribution(b)
                assertAgree(bg, cpu.backgroundContribution(b), relative: AgreementTolerances.decoderForward, "\(backend.name) b/M [\(b)]")
                var sum = bg
                for k in 0..<p { for q in 0..<t { sum[q] += phases[k * t + q] } }
                assertAgree(sum, dev.reconstruction(b), relative: 1e-5, "\(backend.name) Σ_k c_k + b/M = x̂ [\(b)]")
            }
            assertAgree(got.gradBackground, want.gradBackground, relative: AgreementTolerances.fractionGradient, "\(backend.name) d/dβ")
            assertAgree(got.gradFractions, want.gradFractions, relative: AgreementTolerances.fractionGradient, "\(backend.name) d/dw")
            assertAgree(got.gradShifts, want.gradShifts, relative: AgreementTolerances.peakParameterGradient, "\(backend.name) d/ds")
            assertAgree(
                got.gradLogVariances, want.gradLogVariances, relative: AgreementTolerances.peakParameterGradient, "\(backend.name) d/dv")
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
                    for (g, w, name) in [
                        (got.parts[b].klForward, want.parts[b].klForward, "KL(p‖p̂)"),
                        (got.parts[b].klReverse, want.parts[b].klReverse, "KL(p̂‖p)"),
                        (got.parts[b].divergence, want.parts[b].divergence, "divergence"),
                        (got.parts[b].l2, want.parts[b].l2, "L2"), (got.parts[b].l1, want.parts[b].l1, "L1"),
                        (got.parts[b].total, want.parts[b].total, "total")
                    ] {
                        XCTAssertEqual(g, w, accuracy: AgreementTolerances.lossParts * Swift.abs(w) + 1e-5, "\(what) sample \(b) \(name)")
                    }
                }
                assertAgree(got.gradFractions, want.gradFractions, relative: AgreementTolerances.fractionGradient, "\(what) d/dw")
                assertAgree(got.gradShifts, want.gradShifts, relative: AgreementTolerances.peakParameterGradient, "\(what) d/ds")
                assertAgree(
                    got.gradLogVariances, want.gradLogVariances, relative: AgreementTolerances.peakParameterGradient, "\(what) d/dv")
                assertAgree(
                    got.gradIntensityFactors, want.gradIntensityFactors, relative: AgreementTolerances.peakParameterGradient,
                    "\(what) d/dIS")
                assertAgree(got.gradFattening, want.gradFattening, relative: AgreementTolerances.peakParameterGradient, "\(what) d/df")
            }
        }
    }

    /// A small encoder (300 → 64 → 32 → 12) with 5 parameters before and 7 after it in the
    /// store, and a fixed output gradient: the inputs of the dense-layer and Adam tests.
    struct StoreCase {
        let net: DenseNetwork
        let theta: [Float]
        let input: [Float]
        let outputGradient: [Float]
        let batch: Int
        var count: Int { theta.count }
    }

    func makeStoreCase() -> StoreCase {
        let c = makeCase()
        let net = DenseNetwork(widths: [300, 64, 32, 12], offset: 5)
        let count = 5 + net.parameterCount + 7
        var rng = SeededGenerator(seed: 5)
        var theta = [Float](repeating: 0, count: count)
        theta.withUnsafeMutableBufferPointer { net.initialise($0.baseAddress!, rng: &rng) }
        for i in 0..<5 { theta[i] = Float(i) * 0.1 }
        for i in (count - 7)..<count { theta[i] = Float(i % 5) - 2 }
        let batch = 6
        let gOut = (0..<(batch * 12)).map { Float(($0 * 37) % 11) / 11 - 0.5 }
        return StoreCase(net: net, theta: theta, input: c.batch.patterns, outputGradient: gOut, batch: batch)
    }

    /// Dense layers forward (CLBlast vs OpenBLAS) and the parameter gradient after the backward
    /// pass, compared before any optimiser step, relative to each one's scale; gathers and
    /// scatters exactly.
    func testDenseLayersAndGradientAgree() throws {
        for backend in try requireOpenCL() {
            let c = makeCase()
            let sc = makeStoreCase()
            let cpu = CPUBackend(decoder: c.decoder, reconstruction: c.loss)
            let dev = try backend.make(c.decoder, c.loss)
            var outputs: [[Float]] = [], gradients: [[Float]] = [], scattered: [[Float]] = []
            for store in [cpu as ComputeBackend, dev] {
                store.loadParameters(sc.theta, optimiser: AdamOptimizer(count: sc.count, learningRate: 0.01))
                outputs.append(store.denseForward(sc.net, input: sc.input, batch: sc.batch))
                store.zeroGradient()
                store.denseBackward(sc.net, outputGradient: sc.outputGradient, batch: sc.batch)
                gradients.append(store.parameterGradient())
                XCTAssertEqual(
                    store.gatherParameters(rows: [0, sc.count - 7], width: 3),
                    [0, 0.1, 0.2, sc.theta[sc.count - 7], sc.theta[sc.count - 6], sc.theta[sc.count - 5]],
                    "\(backend.name) gather")
                store.zeroGradient()
                store.addToGradient(rows: [1, sc.count - 4], width: 2, values: [0.5, -0.25, 1, 2])
                scattered.append(store.parameterGradient())
                XCTAssertNil(store.failure)
            }
            assertAgree(outputs[1], outputs[0], relative: AgreementTolerances.denseForward, absolute: 0, "\(backend.name) dense forward")
            assertAgree(
                gradients[1], gradients[0], relative: AgreementTolerances.parameterGradient, absolute: 0,
                "\(backend.name) parameter gradient after dense backward")
            XCTAssertEqual(scattered[1], scattered[0], "\(backend.name) scatter-add into g")
            XCTAssertEqual(scattered[0].filter { $0 != 0 }.count, 4)
        }
    }

    /// Adam on identical θ, gradients and moments, so that the kernel's arithmetic is what is
    /// compared, not the rounding of its inputs. The gradient holds values near ε = 1e-8 on
    /// purpose (where m̂/(√v̂ + ε) is most sensitive to how ε enters), exact zeros, signs mixed
    /// from step to step, and large values; a scaled range (factor 0.5) straddles vector chunks.
    /// Run on every device's own shape and, on the first device, at every vector width the
    /// kernels support (LANES 1, 4, 8, 16).
    func testAdamAgreesOnIdenticalGradients() throws {
        var stores: [(String, (PeakDecoder, ReconstructionLoss) throws -> ComputeBackend)] = try requireOpenCL().map { ($0.name, $0.make) }
        if let device = TestBackends.openCLDevices().first {
            for lanes in [1, 4, 8, 16] {
                let shape = OpenCLBackend.Configuration(lanes: lanes, pairGroup: 1, sampleGroup: 1, elementGroup: 64)
                stores.append(
                    (
                        "\(device.info.name) lanes \(lanes)",
                        {
                            try OpenCLBackend(device: device, decoder: $0, reconstruction: $1, configuration: shape)
                        }
                    ))
            }
        }
        let c = makeCase()
        let count = 1000 + 13  // not a multiple of any vector width
        var rng = SeededGenerator(seed: 21)
        func u() -> Float { Float(rng.next() >> 40) / Float(1 << 24) }
        let theta = (0..<count).map { _ in 2 * u() - 1 }
        let nearEpsilon: [Float] = [1e-8, -1e-8, 3e-9, -5e-9, 2e-8, 1.2e-8, 0, 1e-10]
        func gradient(step: Int) -> [Float] {
            (0..<count).map { i -> Float in
                switch i % 4 {
                case 0: return nearEpsilon[(i / 4 + step) % nearEpsilon.count] * (step % 2 == 0 ? 1 : -1)
                case 1: return 0
                case 2: return (2 * u() - 1) * 1e-3
                default: return (2 * u() - 1) * 10
                }
            }
        }
        let steps = 3, lr: Float = 0.01
        let grads = (0..<steps).map(gradient)
        let scaled = (range: 37..<517, factor: Float(0.5))
        func run(_ store: ComputeBackend) -> (theta: [Float], moments: (first: [Float], second: [Float])) {
            store.loadParameters(theta, optimiser: AdamOptimizer(count: count, learningRate: Double(lr)))
            for (t, g) in grads.enumerated() {
                store.zeroGradient()
                store.addToGradient(rows: [0], width: count, values: g)
                store.adamStep(scaled: t == 1 ? scaled : nil)
            }
            store.synchronise()
            XCTAssertNil(store.failure)
            return (store.parameterValues(), store.optimiserMoments())
        }
        let want = run(CPUBackend(decoder: c.decoder, reconstruction: c.loss))
        // Compared as the move θ − θ₀, whose scale is the update size lr × steps.
        let wantMove = zip(want.theta, theta).map { $0 - $1 }
        let thetaUlp = (theta.map { Swift.abs($0) }.max() ?? 1).ulp
        let bound = AgreementTolerances.adamParameters * lr * Float(steps) + AgreementTolerances.adamParameterUlps * thetaUlp
        // The gradient near ε must really move θ by a sizeable, ε-dependent fraction of lr.
        XCTAssertGreaterThan(Swift.abs(wantMove[0]), 0.1 * lr, "the ε-sensitive element (g = ±1e-8) must move")
        for (name, make) in stores {
            let got = run(try make(c.decoder, c.loss))
            let move = zip(got.theta, theta).map { $0 - $1 }
            var worst: Float = 0, at = 0
            for i in 0..<count where Swift.abs(move[i] - wantMove[i]) > worst { worst = Swift.abs(move[i] - wantMove[i]); at = i }
            XCTAssertLessThanOrEqual(
                worst, bound,
                "\(name) Adam move: max |Δ| \(worst) at \(at) (g \(grads.map { $0[at] }), got \(move[at]), want \(wantMove[at]))")
            assertAgree(got.moments.first, want.moments.first, relative: AgreementTolerances.adamMoments, absolute: 0, "\(name) Adam m")
            assertAgree(got.moments.second, want.moments.second, relative: AgreementTolerances.adamMoments, absolute: 0, "\(name) Adam v")
        }
    }
}
