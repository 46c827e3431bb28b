import DRNetCore
import XCTest

/// The small problem of the loss-gradient checks and the central-difference comparison they
/// share: 4 samples in walk order (1, 2, 6, 7) of a synthetic library (6 candidates, 500 grid
/// points over 15…40 nm⁻¹, peaks of log-variance −1.5), every candidate allowed, degrees 2, 2, 3, 3.
public enum LossGradientCheck {
    /// The library, the loss on the CPU backend with `decoder` (built from the library) and
    /// `options`, and the batch; `pattern` may change each sample's row (i, row) before it is used.
    public static func problem(
        options: SolverOptions, seed: UInt64 = 3, decoder: (CompositionLibrary) -> PeakDecoder,
        pattern: (Int, ArraySlice<Float>) -> [Float] = { Array($1) }
    ) -> (library: CompositionLibrary, loss: DRNetLoss, batch: BatchData) {
        let lib = SyntheticLibrary.make(
            divisions: 3, gridCount: 500, qRange: 15...40, sticksPerPhase: 6, distractors: 3, logVariance: -1.5, seed: seed
        ).library
        let dec = decoder(lib)
        let loss = DRNetLoss(
            options: options, decoder: dec, phaseCompositions: lib.phaseCompositions, elementCount: 3,
            backend: CPUBackend(decoder: dec, reconstruction: ReconstructionLoss(options: options)))
        let samples = [1, 2, 6, 7]
        let t = lib.gridCount, p = lib.phaseCount
        var x = [Float]()
        for i in samples { x += pattern(i, lib.patterns[(i * t)..<((i + 1) * t)]) }
        let batch = BatchData(
            samples: samples, patterns: x, mask: [Float](repeating: 1, count: samples.count * p),
            degrees: [2, 2, 3, 3], compositions: samples.flatMap { i in (0..<3).map { lib.compositions[i * 3 + $0] } })
        return (lib, loss, batch)
    }

    /// One head to check: its name, key path, central-difference step, the stride over its
    /// entries, and the scale its numeric gradient must exceed (nil: not checked).
    public struct Head {
        public var name: String
        public var key: WritableKeyPath<HeadOutputs, [Float]>
        public var step: Float
        public var stride: Int
        public var minimumScale: Double?
        public init(
            _ name: String, _ key: WritableKeyPath<HeadOutputs, [Float]>, step: Float, stride: Int = 1, minimumScale: Double? = 1e-3
        ) {
            self.name = name
            self.key = key
            self.step = step
            self.stride = stride
            self.minimumScale = minimumScale
        }
    }

    /// Asserts that `gradient` (d total/d heads at `heads`, step 0) matches central differences
    /// of the total loss for each head: max |analytic − numeric| < 4 % of the numeric scale.
    public static func assertMatchesFiniteDifferences(
        loss: DRNetLoss, batch: BatchData, heads: HeadOutputs, gradient g: HeadOutputs, heads checked: [Head],
        file: StaticString = #filePath, line: UInt = #line
    ) {
        func total(_ h: HeadOutputs) -> Double { loss.evaluate(heads: h, batch: batch, step: 0).total }
        for c in checked {
            var numeric = [Double](), analytic = [Double]()
            for i in Swift.stride(from: 0, to: heads[keyPath: c.key].count, by: c.stride) {
                var up = heads, down = heads
                up[keyPath: c.key][i] += c.step
                down[keyPath: c.key][i] -= c.step
                numeric.append((total(up) - total(down)) / (2 * Double(c.step)))
                analytic.append(Double(g[keyPath: c.key][i]))
            }
            let scale = numeric.map { abs($0) }.max() ?? 0
            if let minimum = c.minimumScale {
                XCTAssertGreaterThan(scale, minimum, "\(c.name): gradient vanished", file: file, line: line)
            }
            let err = zip(analytic, numeric).map { abs($0 - $1) }.max() ?? 0
            XCTAssertLessThan(
                err, 4e-2 * scale, "\(c.name): max |analytic − numeric| = \(err), scale \(scale)", file: file, line: line)
        }
    }
}
