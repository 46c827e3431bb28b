import XCTest
@testable import DRNetEngine

/// The CPU parameter store's gradient buffer: `zeroGradient` leaves the networks' parts to their
/// next backward (which then writes instead of adding), and every reader sees the same gradient
/// as with an eager zero.
final class CPUBackendGradientTests: XCTestCase {
    private func backend() -> (CPUBackend, DenseNetwork, DenseNetwork, Int) {
        let a = DenseNetwork(widths: [40, 24, 6], offset: 0)
        let b = DenseNetwork(widths: [40, 16, 5], offset: a.parameterCount)
        let count = a.parameterCount + b.parameterCount + 3
        let decoder = PeakDecoder(phases: [], q: (0..<16).map { 10 + Float($0) })
        let cpu = CPUBackend(decoder: decoder, reconstruction: ReconstructionLoss(options: SolverOptions()))
        var rng = SeededGenerator(seed: 3)
        var theta = [Float](repeating: 0, count: count)
        theta.withUnsafeMutableBufferPointer {
            a.initialise($0.baseAddress!, rng: &rng)
            b.initialise($0.baseAddress!, rng: &rng)
        }
        cpu.loadParameters(theta, optimiser: AdamOptimizer(count: count, learningRate: 1e-3))
        return (cpu, a, b, count)
    }

    private func values(_ n: Int, seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        return (0..<n).map { _ in Float.random(in: -1...1, using: &rng) }
    }

    /// One step's gradient: forward both networks on `x`, zero, backward `a` (and `b` when
    /// `withB`), then a row of the tail.
    private func step(_ cpu: CPUBackend, _ a: DenseNetwork, _ b: DenseNetwork, x: [Float], seed: UInt64, withB: Bool) {
        _ = cpu.denseForward(a, input: x, batch: 3)
        _ = cpu.denseForward(b, input: x, batch: 3)
        cpu.zeroGradient()
        cpu.denseBackward(a, outputGradient: values(18, seed: seed), batch: 3)
        if withB { cpu.denseBackward(b, outputGradient: values(15, seed: seed + 1), batch: 3) }
        cpu.addToGradient(rows: [a.parameterCount + b.parameterCount], width: 3, values: [1, 2, 3])
    }

    func testLazyZeroGivesTheEagerGradient() {
        let x = values(120, seed: 1)
        let (fresh, a, b, count) = backend()
        step(fresh, a, b, x: x, seed: 20, withB: true)
        let expected = fresh.parameterGradient()
        XCTAssertTrue(expected[a.parameterCount...].contains { $0 != 0 }, "the second network has a gradient")
        // After two earlier steps, the third step's gradient is its own only.
        let (reused, _, _, _) = backend()
        step(reused, a, b, x: x, seed: 5, withB: true)
        step(reused, a, b, x: x, seed: 9, withB: true)
        step(reused, a, b, x: x, seed: 20, withB: true)
        XCTAssertEqual(reused.parameterGradient(), expected)
        // A network whose backward did not run this step reads zero, not the last step's.
        step(reused, a, b, x: x, seed: 20, withB: false)
        let skipped = reused.parameterGradient()
        XCTAssertEqual(Array(skipped[..<a.parameterCount]), Array(expected[..<a.parameterCount]))
        XCTAssertTrue(skipped[a.parameterCount..<(a.parameterCount + b.parameterCount)].allSatisfy { $0 == 0 })
        XCTAssertEqual(Array(skipped[(count - 3)...]), [1, 2, 3])
        // Adam sees the same: parameters after one update equal those of an eager store.
        let (eager, _, _, _) = backend()
        step(eager, a, b, x: x, seed: 20, withB: true)
        step(reused, a, b, x: x, seed: 20, withB: true)
        XCTAssertEqual(reused.parameterGradient(), eager.parameterGradient())
    }
}
