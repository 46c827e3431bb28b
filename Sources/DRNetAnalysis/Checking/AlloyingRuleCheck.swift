import DRNetEngine
import DRNetIO

/// The alloying rule, checked on a solution's shifts along the composition graph.
///
/// For an edge (i, j) and a phase k present at both (fraction ≥ the presence threshold), the
/// shift difference is Δ = |s_ik − s_jk| (multiplicative shifts, dimensionless).
///
/// - *Alloying samples* (used by the Gibbs check): i is alloying when some neighbour j and
///   shared phase k have Δ > u (the shift unit), with the refine step's boundary rule: a pair is
///   a boundary pair unless i and j have the same number of elements present and the same
///   phase set, and a boundary pair counts only when both samples hold as many phases as they
///   have elements (`RefineStep`).
/// - *Violations*: edges where a shared phase jumps, Δ > the shift tolerance: a solid solution's
///   lattice varies continuously, so neighbouring samples cannot differ by a large step.
public enum AlloyingRuleCheck {
    public struct Jump: Sendable, Codable, Equatable {
        public var samples: [Int]
        public var phase: String
        public var shifts: [Double]
        public var difference: Double
    }

    public struct Result: Sendable, Codable, Equatable {
        public var checked: Bool
        public var tolerance: Double
        /// Edges × shared phases compared.
        public var comparedPairs: Int
        /// Largest Δ over all compared pairs.
        public var largestDifference: Double
        /// Pairs with Δ > tolerance, largest first.
        public var violations: [Jump]
        /// Samples flagged alloying (Δ > u with the boundary rule), ascending.
        public var alloyingSamples: [Int]
    }

    public static func run(_ input: CheckInput, options: CheckOptions) -> Result {
        guard let s = input.shifts else {
            return Result(
                checked: false, tolerance: options.shiftTolerance, comparedPairs: 0, largestDifference: 0,
                violations: [], alloyingSamples: [])
        }
        let k = input.phaseCount, n = input.sampleCount
        let sets = (0..<n).map { Set(input.present($0, threshold: options.presenceThreshold)) }
        var jumps: [Jump] = [], compared = 0, largest = 0.0
        var alloying = [Bool](repeating: false, count: n)
        for e in input.graph.edges {
            let (i, j) = (e.i, e.j)
            for p in sets[i].intersection(sets[j]).sorted() {
                let d = abs(s[i * k + p] - s[j * k + p])
                compared += 1
                largest = max(largest, d)
                if d > options.shiftTolerance {
                    jumps.append(Jump(samples: [i, j], phase: input.phaseNames[p], shifts: [s[i * k + p], s[j * k + p]], difference: d))
                }
            }
        }
        for i in 0..<n {
            for j in input.graph.neighbors(of: i) {
                let boundary = !(input.elementsPresent[i] == input.elementsPresent[j] && sets[i] == sets[j])
                if boundary && (sets[i].count < input.elementsPresent[i] || sets[j].count < input.elementsPresent[j]) { continue }
                if sets[i].intersection(sets[j]).contains(where: { abs(s[i * k + $0] - s[j * k + $0]) > options.shiftUnit }) {
                    alloying[i] = true
                    break
                }
            }
        }
        jumps.sort { $0.difference != $1.difference ? $0.difference > $1.difference : $0.samples.lexicographicallyPrecedes($1.samples) }
        return Result(
            checked: true, tolerance: options.shiftTolerance, comparedPairs: compared, largestDifference: largest,
            violations: jumps, alloyingSamples: (0..<n).filter { alloying[$0] })
    }
}
