import DRNetCrystal
import DRNetEngine
import DRNetIO
import Foundation

/// A small synthetic ternary library with a known answer, for tests and benchmarks.
///
/// Compositions lie on a ternary grid with `divisions` steps per side. Three "true" phases sit at
/// the corners (pure A, B, C); a sample's true fractions are its barycentric (cation) coordinates,
/// so the Gibbs rule (d = number of elements present) holds by construction and every phase
/// region is connected. Patterns are rendered by the same Gaussian decoder (σ² = e^v) with every
/// true phase unshifted; `distractors` extra random candidates are added to the stick library.
/// Candidate k's sticks are random positions in the Q range with random heights (seeded).
public struct SyntheticLibrary {
    public var library: CompositionLibrary
    /// True fractions, N×P over all candidates (only the first 3 are non-zero).
    public var truth: [Float]
    public var truePhases: [Int] { [0, 1, 2] }

    public static func make(
        divisions: Int = 10, gridCount: Int = 300, qRange: ClosedRange<Float> = 15...60,
        sticksPerPhase: Int = 12, distractors: Int = 5, logVariance: Float = -2.5,
        seed: UInt64 = 7
    ) -> SyntheticLibrary {
        var rng = SeededGenerator(seed: seed)
        let t = gridCount
        let q = (0..<t).map { qRange.lowerBound + (qRange.upperBound - qRange.lowerBound) * Float($0) / Float(t - 1) }
        let p = 3 + distractors
        var phases: [CandidatePhase] = []
        for k in 0..<p {
            var pos: [Float] = [], hgt: [Float] = []
            for _ in 0..<sticksPerPhase {
                let u = Float(rng.next() >> 40) / Float(1 << 24)
                pos.append(qRange.lowerBound + 1 + u * (qRange.upperBound - qRange.lowerBound - 2))
                hgt.append(0.1 + Float(rng.next() >> 40) / Float(1 << 24))
            }
            phases.append(CandidatePhase(name: k < 3 ? "true\(k)" : "distractor\(k)", q: pos, intensity: hgt))
        }
        var comps: [Double] = []
        for a in 0...divisions {
            for b in 0...(divisions - a) {
                let c = divisions - a - b
                comps += [Double(a), Double(b), Double(c)].map { $0 / Double(divisions) }
            }
        }
        let n = comps.count / 3
        let decoder = PeakDecoder(phases: phases, q: q)
        let render = SampleRender(decoder: decoder)
        var patterns = [Float](repeating: 0, count: n * t)
        var truth = [Float](repeating: 0, count: n * p)
        let ones = [Float](repeating: 1, count: p), v = [Float](repeating: logVariance, count: p)
        var phaseComps = [Double](repeating: 0, count: p * 3)
        for k in 0..<p { phaseComps[k * 3 + (k % 3)] = 1 }
        for i in 0..<n {
            var w = [Float](repeating: 0, count: p)
            for k in 0..<3 { w[k] = Float(comps[i * 3 + k]) }
            decoder.render(phases: [0, 1, 2], shifts: ones, logVariances: v, fractions: w, into: render)
            for j in 0..<t { patterns[i * t + j] = render.reconstruction[j] }
            for k in 0..<3 { truth[i * p + k] = w[k] }
        }
        let lib = CompositionLibrary(
            name: "synthetic", elements: ["A", "B", "C"], q: q, patterns: patterns,
            compositions: comps, phases: phases, phaseCompositions: phaseComps,
            sources: LibrarySources(generator: "built-in synthetic library (seed \(seed))"))
        return SyntheticLibrary(library: lib, truth: truth)
    }
}
