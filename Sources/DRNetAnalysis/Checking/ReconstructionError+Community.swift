import DRNetEngine
import DRNetIO

extension ReconstructionError {
    /// Every sample of a solution with R against the library's raw patterns (N×T, T =
    /// `gridCount`); nil when the solution has no R or its grid length differs.
    public static func compute(solution s: CommunitySolution, patterns: [Float], gridCount t: Int) -> [Sample]? {
        guard s.contributions != nil, s.gridCount == t, patterns.count == s.sampleCount * t else { return nil }
        return (0..<s.sampleCount).map { i in
            sample(pattern: patterns[(i * t)..<((i + 1) * t)], reconstruction: s.reconstruction(of: i)!)
        }
    }
}
