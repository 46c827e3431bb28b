import XCTest
import DRNetCore
import DRNetOpenCL
import TestSupport

/// `Kernels/skinny_gemm.cl` (the dense layers' products with a short batch dimension) against the
/// CPU path (OpenBLAS), and CLBlast's SGEMM (the same shape with `skinnyRows = 0`) against it too:
/// forward outputs and the parameter gradient after the backward pass (the three products
/// X·W, Xᵀ·Δ, Δ·Wᵀ), for batches inside and past the 16-row tile and the `skinnyRows` limit,
/// widths that are not multiples of the vector width (tails), and every vector width on the first
/// device.
final class SkinnyGemmTests: XCTestCase {
    func testDenseProductsAgreeWithTheCPUPathOnBothGemmPaths() throws {
        guard let device = TestBackends.openCLDevices().first else { throw XCTSkip("no OpenCL device here") }
        let syn = SyntheticLibrary.make(divisions: 3, gridCount: 37, sticksPerPhase: 3, distractors: 1, seed: 2)
        let decoder = PeakDecoder(phases: syn.library.phases, q: syn.library.q)
        let loss = ReconstructionLoss(options: SolverOptions())
        let net = DenseNetwork(widths: [37, 70, 33, 19], offset: 3)
        let count = 3 + net.parameterCount + 2
        var rng = SeededGenerator(seed: 11)
        var theta = [Float](repeating: 0, count: count)
        theta.withUnsafeMutableBufferPointer { net.initialise($0.baseAddress!, rng: &rng) }
        let base = try OpenCLBackend.Configuration.resolved(for: device.info, environment: [:])
        var shapes: [OpenCLBackend.Configuration] = []
        for lanes in [1, 4, 8, 16] {
            var s = base
            s.lanes = lanes
            shapes.append(s)
        }
        var clblast = base
        clblast.skinnyRows = 0
        shapes.append(clblast)
        var small = base
        small.skinnyRows = 16  // batches 1…16 ours, 17 and more CLBlast
        shapes.append(small)
        for batch in [1, 10, 16, 17, 64, 65, 300] {
            let input = (0..<(batch * 37)).map { Float(($0 * 29) % 23) / 23 }
            let gOut = (0..<(batch * 19)).map { Float(($0 * 37) % 11) / 11 - 0.5 }
            let cpu = CPUBackend(decoder: decoder, reconstruction: loss)
            cpu.loadParameters(theta, optimiser: AdamOptimizer(count: count, learningRate: 0.01))
            let wantY = cpu.denseForward(net, input: input, batch: batch)
            cpu.zeroGradient()
            cpu.denseBackward(net, outputGradient: gOut, batch: batch)
            let wantG = cpu.parameterGradient()
            for shape in shapes {
                let dev = try OpenCLBackend(device: device, decoder: decoder, reconstruction: loss, configuration: shape)
                dev.loadParameters(theta, optimiser: AdamOptimizer(count: count, learningRate: 0.01))
                let y = dev.denseForward(net, input: input, batch: batch)
                dev.zeroGradient()
                dev.denseBackward(net, outputGradient: gOut, batch: batch)
                let g = dev.parameterGradient()
                XCTAssertNil(dev.failure)
                let label = "batch \(batch), \(shape.summary)"
                let yScale = wantY.map(abs).max() ?? 1, gScale = wantG.map(abs).max() ?? 1
                let yErr = zip(y, wantY).map { abs($0 - $1) }.max() ?? 0
                let gErr = zip(g, wantG).map { abs($0 - $1) }.max() ?? 0
                XCTAssertEqual(y.count, wantY.count)
                XCTAssertLessThanOrEqual(yErr, AgreementTolerances.denseForward * yScale, "forward, \(label)")
                XCTAssertLessThanOrEqual(gErr, AgreementTolerances.parameterGradient * gScale, "gradient, \(label)")
                XCTAssertEqual(g[0..<3], [0, 0, 0], "\(label): nothing written outside the network's block")
            }
        }
    }
}
