import XCTest
@testable import DRNetAnalysis
@testable import DRNetCore
@testable import DRNetCrystal
@testable import DRNetEngine
@testable import DRNetIO
@testable import DRNetPlotting
@testable import DRNetSynthetic
import TestSupport

/// Hand-derived gradients of the DRNet loss against finite differences: central differences on a
/// small problem at every coordinate, and a random-direction check at full Al-Li-Fe size.
final class GradientCheckTests: XCTestCase {
    /// A small problem: 4 samples in walk order, 6 candidates, 120 grid points.
    func smallProblem(seed: UInt64, intensityFactors: Bool = false) -> (DRNetLoss, BatchData, HeadOutputs) {
        var options = SolverOptions()
        options.compositionWeight = 0.05
        options.shiftUnit = 0.02  // jumps of the random heads straddle the threshold, so
        options.shiftAmplify = 0.02  // the alloy term is active but not saturated
        if intensityFactors {
            options.intensityFactorMax = 1.5
            options.intensityRegWeight = 0.5
            options.peakFattening = true
        }
        let (lib, loss, batch) = LossGradientCheck.problem(options: options, seed: seed) { PeakDecoder(phases: $0.phases, q: $0.q) }
        let samples = batch.samples, p = lib.phaseCount
        let decoder = loss.decoder
        var rng = SeededGenerator(seed: seed)
        func gauss(_ s: Float) -> Float {
            let u1 = max(Double(rng.next() >> 11) / Double(1 << 53), 1e-12), u2 = Double(rng.next() >> 11) / Double(1 << 53)
            return s * Float((-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * .pi * u2))
        }
        let n = samples.count * p
        var heads = HeadOutputs(
            logits: (0..<n).map { _ in gauss(1.5) }, shiftPre: (0..<n).map { _ in gauss(0.1) },
            widthPre: (0..<n).map { _ in gauss(0.5) })
        if intensityFactors {
            heads.intensityPre = (0..<(n * decoder.sticks.maxSticks)).map { _ in gauss(0.7) }
            heads.fattening = 0.3
        }
        return (loss, batch, heads)
    }

    func testCentralDifferencesOnSmallProblem() {
        for (seed, step) in [(UInt64(3), 0), (3, 5000), (11, 5000)] {
            let (loss, batch, heads) = smallProblem(seed: seed)
            var g = HeadOutputs.zeros(batch: 4, phases: 6)
            _ = loss.evaluate(heads: heads, batch: batch, step: step, gradients: &g)
            func total(_ h: HeadOutputs) -> Double { loss.evaluate(heads: h, batch: batch, step: step).total }
            let h: Float = Float(ProcessInfo.processInfo.environment["DRNET_FD_H"] ?? "") ?? 3e-4
            for (name, key) in [("logits", \HeadOutputs.logits), ("shifts", \HeadOutputs.shiftPre), ("widths", \HeadOutputs.widthPre)] {
                let analytic = g[keyPath: key]
                var numeric = [Double](repeating: 0, count: analytic.count)
                for i in 0..<analytic.count {
                    var up = heads, down = heads
                    up[keyPath: key][i] += h
                    down[keyPath: key][i] -= h
                    numeric[i] = (total(up) - total(down)) / (2 * Double(h))
                }
                if ProcessInfo.processInfo.environment["DRNET_DEBUG_FD"] != nil {
                    for i in 0..<analytic.count where abs(Double(analytic[i]) - numeric[i]) > 0.05 {
                        print(name, i, analytic[i], numeric[i])
                    }
                }
                let scale = numeric.map { abs($0) }.max()!
                let err = zip(analytic, numeric).map { abs(Double($0) - $1) }.max()!
                XCTAssertGreaterThan(scale, 1e-3, "\(name): gradient vanished (seed \(seed), step \(step))")
                XCTAssertLessThan(
                    err, 4e-2 * scale, "\(name): max |analytic − numeric| = \(err), scale \(scale) (seed \(seed), step \(step))")
            }
        }
    }

    func testIntensityFactorAndFatteningGradients() {
        let (loss, batch, heads) = smallProblem(seed: 5, intensityFactors: true)
        var g = HeadOutputs.zeros(batch: 4, phases: 6)
        _ = loss.evaluate(heads: heads, batch: batch, step: 0, gradients: &g)
        XCTAssertEqual(g.intensityPre.count, heads.intensityPre.count)
        func total(_ h: HeadOutputs) -> Double { loss.evaluate(heads: h, batch: batch, step: 0).total }
        let h: Float = 3e-4
        var numeric = [Double](), analytic = [Double]()
        for i in stride(from: 0, to: heads.intensityPre.count, by: 7) {
            var up = heads, down = heads
            up.intensityPre[i] += h
            down.intensityPre[i] -= h
            numeric.append((total(up) - total(down)) / (2 * Double(h)))
            analytic.append(Double(g.intensityPre[i]))
        }
        let scale = numeric.map { abs($0) }.max()!
        XCTAssertGreaterThan(scale, 1e-3)
        let err = zip(analytic, numeric).map { abs($0 - $1) }.max()!
        XCTAssertLessThan(err, 4e-2 * scale, "intensity factors: max error \(err), scale \(scale)")
        var up = heads, down = heads
        up.fattening += h
        down.fattening -= h
        let fd = (total(up) - total(down)) / (2 * Double(h))
        XCTAssertEqual(Double(g.fattening), fd, accuracy: 4e-2 * max(abs(fd), 1e-2), "fattening")
    }

    func testRandomDirectionAtFullSize() throws {
        guard let alf = SharedData.dataset("al-li-fe") else { throw XCTSkip("../shared/datasets/al-li-fe absent") }
        let lib = try LibraryLoader.load(directory: alf.path)
        let options = SolverOptions()
        let problem = try PreparedProblem(library: lib, options: options)
        let decoder = PeakDecoder(phases: lib.phases, q: lib.q)
        let loss = DRNetLoss(
            options: options, decoder: decoder, phaseCompositions: nil, elementCount: 3,
            backend: CPUBackend(decoder: decoder, reconstruction: ReconstructionLoss(options: options)))
        let walk = WalkPool(graph: problem.graph, count: 1, length: 10, seed: 5).minibatch(0)
        let batch = problem.batch(walk, phases: Array(0..<lib.phaseCount))
        var rng = SeededGenerator(seed: 9)
        func uniform() -> Float { Float(rng.next() >> 40) / Float(1 << 24) * 2 - 1 }
        let n = walk.count * lib.phaseCount
        let heads = HeadOutputs(
            logits: (0..<n).map { _ in 2 * uniform() }, shiftPre: (0..<n).map { _ in 0.3 * uniform() },
            widthPre: (0..<n).map { _ in 0.5 * uniform() })
        let dir = HeadOutputs(
            logits: (0..<n).map { _ in uniform() }, shiftPre: (0..<n).map { _ in uniform() },
            widthPre: (0..<n).map { _ in uniform() })
        var g = HeadOutputs.zeros(batch: walk.count, phases: lib.phaseCount)
        _ = loss.evaluate(heads: heads, batch: batch, step: 0, gradients: &g)
        var analytic = 0.0
        for i in 0..<n {
            analytic += Double(g.logits[i] * dir.logits[i] + g.shiftPre[i] * dir.shiftPre[i] + g.widthPre[i] * dir.widthPre[i])
        }
        let eps: Float = 1e-3
        func moved(_ s: Float) -> HeadOutputs {
            HeadOutputs(
                logits: zip(heads.logits, dir.logits).map { $0 + s * $1 },
                shiftPre: zip(heads.shiftPre, dir.shiftPre).map { $0 + s * $1 },
                widthPre: zip(heads.widthPre, dir.widthPre).map { $0 + s * $1 })
        }
        let numeric =
            (loss.evaluate(heads: moved(eps), batch: batch, step: 0).total
                - loss.evaluate(heads: moved(-eps), batch: batch, step: 0).total) / (2 * Double(eps))
        XCTAssertEqual(analytic, numeric, accuracy: 2e-2 * abs(numeric), "directional derivative")
    }
}
