import Foundation

/// Inference over a library too large to hold: patterns are produced chunk by chunk by the
/// caller, run through the solver's current model and the backend's decoder and loss, and handed
/// to a sink; nothing of a chunk is kept after the sink returns, so memory is bounded by the chunk
/// (chunk × P × T rendered phases on the device), not by N.
public enum StreamingInference {
    /// One chunk's inputs: max-normalised patterns (B×T), compositions (B×M) and allowed-phase
    /// mask (B×P; empty = every candidate allowed).
    public struct Chunk {
        public var patterns: [Float]
        public var compositions: [Double]
        public var mask: [Float]
        public init(patterns: [Float], compositions: [Double], mask: [Float] = []) {
            self.patterns = patterns
            self.compositions = compositions
            self.mask = mask
        }
    }

    /// Seconds spent producing chunks (caller's generator) and running them (model + decoder +
    /// loss on the backend, including transfers).
    public struct Timing: Sendable {
        public var produceSeconds = 0.0
        public var inferSeconds = 0.0
    }

    /// Runs `count` samples in chunks of `chunk`: `produce(range)` gives the chunk's inputs,
    /// `sink(range, report)` receives its latents and reconstruction losses (B rows).
    @discardableResult
    public static func run(
        solver: DRNetSolver, count: Int, chunk: Int, produce: (Range<Int>) -> Chunk,
        sink: (Range<Int>, LossReport) -> Void
    ) -> Timing {
        let p = solver.problem.phaseCount, m = solver.problem.library.elementCount
        precondition(
            !(solver.model is PerSampleLatents) || count <= solver.problem.sampleCount,
            "StreamingInference: free per-sample latents exist only for the library's \(solver.problem.sampleCount) samples, not \(count)")
        let clock = ContinuousClock()
        var timing = Timing()
        func seconds(_ d: Duration) -> Double { d.inSeconds }
        for start in stride(from: 0, to: count, by: chunk) {
            let range = start..<min(count, start + chunk)
            let t0 = clock.now
            let c = produce(range)
            let t1 = clock.now
            let b = range.count
            precondition(c.patterns.count == b * solver.problem.gridCount && c.compositions.count == b * m)
            let mask = c.mask.isEmpty ? [Float](repeating: 1, count: b * p) : c.mask
            // The chunk's own sample indices: an amortised model reads only the patterns, free
            // per-sample latents are looked up by index (so they stream only the library itself).
            let data = BatchData(
                samples: Array(range), patterns: c.patterns, mask: mask,
                degrees: [Int](repeating: m, count: b), compositions: c.compositions,
                pairValid: [Bool](repeating: false, count: max(b - 1, 0)))
            let heads = solver.model.forward(
                on: solver.backend, samples: data.samples, patterns: data.patterns,
                compositions: data.compositions)
            let report = solver.loss.evaluate(heads: heads, batch: data, step: solver.step)
            let t2 = clock.now
            sink(range, report)
            timing.produceSeconds += seconds(t1 - t0)
            timing.inferSeconds += seconds(t2 - t1)
        }
        return timing
    }
}
