/// A run that has no usable result: it diverged, its device failed, or its solution breaks a rule
/// the refine step enforces. The CLI's exit status 4; nothing is written.
public struct NoResultError: Error, CustomStringConvertible, Equatable, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension PhaseMapSolution {
    /// The rules the refine step enforces exactly, checked on the exported solution: no fraction
    /// outside the refined mask, and at most d_i phases in sample i (the Gibbs limit; the refine
    /// step also lowers it to d_i − 1 where a phase alloys, which `drnet check` reports). Empty
    /// when the solution obeys them, or when the run stopped before the refine step (an
    /// interrupted run's solution is marked as such instead). One line per broken sample, at most
    /// `limit`.
    public func refineRuleViolations(limit: Int = 5) -> [String] {
        guard refinedMask.count == sampleCount * phaseCount else { return [] }
        var out: [String] = []
        for i in 0..<sampleCount {
            let present = (0..<phaseCount).filter { fractions[i * phaseCount + $0] > 0 }
            let outside = present.filter { refinedMask[i * phaseCount + $0] == 0 }
            let limitHere = i < degreesOfFreedom.count ? degreesOfFreedom[i] : Int.max
            if !outside.isEmpty {
                out.append("sample \(i): \(outside.map { phaseNames[$0] }.joined(separator: ", ")) outside the refined mask")
            } else if present.count > limitHere {
                out.append("sample \(i): \(present.count) phases > d = \(limitHere)")
            }
            if out.count >= limit { break }
        }
        return out
    }
}
