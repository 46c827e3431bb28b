import DRNetEngine
import DRNetIO

/// The Gibbs phase rule with the alloying rule (method.md §2): sample i may hold at most d_i
/// phases, and at most d_i − 1 where one of its phases alloys (an alloying sample, see
/// `AlloyingRuleCheck`; only when d_i > 1). A phase is present when its fraction is ≥ the
/// presence threshold.
public enum GibbsRuleCheck {
    public struct Violation: Sendable, Codable, Equatable {
        public var sample: Int
        public var phases: [String]
        /// The limit that applies: d_i, or d_i − 1 at an alloying sample.
        public var limit: Int
        public var degreesOfFreedom: Int
        public var alloying: Bool
    }

    public struct Result: Sendable, Codable, Equatable {
        /// Samples with more phases than d_i.
        public var plainViolations: Int
        /// Every sample over its limit (d_i, or d_i − 1 where alloying), ascending.
        public var violations: [Violation]
        /// Histogram: samples holding 0, 1, 2, … phases.
        public var phasesPerSample: [Int]
    }

    public static func run(_ input: CheckInput, options: CheckOptions, alloyingSamples: [Int]) -> Result {
        let alloying = Set(alloyingSamples)
        var violations: [Violation] = [], plain = 0, histogram: [Int] = []
        for i in 0..<input.sampleCount {
            let present = input.present(i, threshold: options.presenceThreshold)
            while histogram.count <= present.count { histogram.append(0) }
            histogram[present.count] += 1
            let d = input.degrees[i]
            let a = alloying.contains(i) && d > 1
            let limit = a ? d - 1 : d
            if present.count > d { plain += 1 }
            if present.count > limit {
                violations.append(
                    Violation(
                        sample: i, phases: present.map { input.phaseNames[$0] }, limit: limit,
                        degreesOfFreedom: d, alloying: a))
            }
        }
        return Result(plainViolations: plain, violations: violations, phasesPerSample: histogram)
    }
}
