import DRNetEngine
import DRNetIO

/// The element rule (method.md §2): a phase cannot appear where one of its cations is absent.
/// A cation is in a phase when its fraction there is > `PreparedProblem.presenceThreshold`, and
/// absent from a sample when the sample's fraction is ≤ that threshold (the same test as the
/// solver's element-rule mask in `PreparedProblem`). Phases with unknown composition are skipped.
public enum ElementRuleCheck {
    public struct Violation: Sendable, Codable, Equatable {
        public var sample: Int
        public var phase: String
        public var fraction: Double
        public var missingElements: [String]
    }

    public struct Result: Sendable, Codable, Equatable {
        /// Phases whose composition is known (checked) and unknown (not checked).
        public var checkedPhases: [String]
        public var uncheckedPhases: [String]
        public var violations: [Violation]
    }

    public static func run(_ input: CheckInput, options: CheckOptions) -> Result {
        let m = input.elements.count, t = PreparedProblem.presenceThreshold
        var violations: [Violation] = []
        for i in 0..<input.sampleCount {
            for k in input.present(i, threshold: options.presenceThreshold) {
                guard let pc = input.phaseCompositions[k] else { continue }
                let missing = (0..<m).filter { pc[$0] > t && input.compositions[i * m + $0] <= t }
                if !missing.isEmpty {
                    violations.append(
                        Violation(
                            sample: i, phase: input.phaseNames[k], fraction: input.fractions[i * input.phaseCount + k],
                            missingElements: missing.map { input.elements[$0] }))
                }
            }
        }
        let known = (0..<input.phaseCount).filter { input.phaseCompositions[$0] != nil }
        return Result(
            checkedPhases: known.map { input.phaseNames[$0] },
            uncheckedPhases: (0..<input.phaseCount).filter { input.phaseCompositions[$0] == nil }.map { input.phaseNames[$0] },
            violations: violations)
    }
}
