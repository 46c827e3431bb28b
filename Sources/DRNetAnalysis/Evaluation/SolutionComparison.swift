import DRNetEngine
import DRNetIO
import Foundation

/// How far two solutions of the same library are apart (e.g. the same solve on the CPU and on an
/// OpenCL device): per-sample phase sets (fraction > `threshold`), fraction differences
/// (½·L1 per sample, and the largest single difference), shift differences where both solutions
/// use the phase, the loss curves at common record steps, and the wall-time ratio.
public struct SolutionComparison: Codable, Sendable {
    public var first: String
    public var second: String
    public var samples: Int
    public var threshold: Double
    public var identicalPhaseSets: Int
    public var identicalPhaseSetShare: Double
    /// Samples whose phase sets differ, with both sets (phase names).
    public var differingSamples: [Difference]
    public var maxFractionDifference: Double
    public var meanFractionDifference: Double
    public var maxShiftDifference: Double
    public var meanShiftDifference: Double
    /// Loss curves: common record steps, the largest relative difference of the total loss
    /// among them, and both final totals.
    public var commonLossRecords: Int
    public var maxRelativeLossDifference: Double
    public var finalLoss: [Double]
    public var wallSeconds: [Double]
    /// second's wall time / first's.
    public var timeRatio: Double

    public struct Difference: Codable, Sendable {
        public var sample: Int
        public var firstPhases: [String]
        public var secondPhases: [String]
    }

    public enum Mismatch: Error, CustomStringConvertible {
        case shapes(String)
        public var description: String {
            switch self {
            case .shapes(let why): return "the solutions cannot be compared: \(why)"
            }
        }
    }

    public init(_ a: PhaseMapSolution, _ b: PhaseMapSolution, names: (String, String), threshold: Double = 0) throws {
        guard a.sampleCount == b.sampleCount, a.phaseCount == b.phaseCount, a.phaseNames == b.phaseNames else {
            throw Mismatch.shapes(
                "\(names.0) has N=\(a.sampleCount) P=\(a.phaseCount), \(names.1) has N=\(b.sampleCount) P=\(b.phaseCount)"
                    + (a.phaseNames == b.phaseNames ? "" : " (different candidate lists)"))
        }
        let n = a.sampleCount, p = a.phaseCount
        first = names.0
        second = names.1
        samples = n
        self.threshold = threshold
        var same = 0, diffs: [Difference] = []
        var maxW = 0.0, sumW = 0.0, maxS = 0.0, sumS = 0.0, countS = 0
        for i in 0..<n {
            let sa = (0..<p).filter { Double(a.fractions[i * p + $0]) > threshold }
            let sb = (0..<p).filter { Double(b.fractions[i * p + $0]) > threshold }
            if sa == sb {
                same += 1
            } else {
                diffs.append(Difference(sample: i, firstPhases: sa.map { a.phaseNames[$0] }, secondPhases: sb.map { b.phaseNames[$0] }))
            }
            var l1 = 0.0
            for k in 0..<p {
                let d = Swift.abs(Double(a.fractions[i * p + k]) - Double(b.fractions[i * p + k]))
                l1 += d
                maxW = Swift.max(maxW, d)
                if a.fractions[i * p + k] > 0 && b.fractions[i * p + k] > 0 {
                    let ds = Swift.abs(Double(a.shifts[i * p + k]) - Double(b.shifts[i * p + k]))
                    maxS = Swift.max(maxS, ds); sumS += ds; countS += 1
                }
            }
            sumW += 0.5 * l1
        }
        identicalPhaseSets = same
        identicalPhaseSetShare = n > 0 ? Double(same) / Double(n) : 1
        differingSamples = diffs
        maxFractionDifference = maxW
        meanFractionDifference = n > 0 ? sumW / Double(n) : 0
        maxShiftDifference = maxS
        meanShiftDifference = countS > 0 ? sumS / Double(countS) : 0
        var byStep: [String: Double] = [:]
        for r in a.lossHistory { byStep["\(r.stage)@\(r.step)"] = r.total }
        var common = 0, maxRel = 0.0
        for r in b.lossHistory {
            guard let other = byStep["\(r.stage)@\(r.step)"] else { continue }
            common += 1
            maxRel = Swift.max(maxRel, Swift.abs(r.total - other) / Swift.max(Swift.abs(other), 1e-12))
        }
        commonLossRecords = common
        maxRelativeLossDifference = maxRel
        finalLoss = [a.lossHistory.last?.total ?? .nan, b.lossHistory.last?.total ?? .nan]
        wallSeconds = [a.wallSeconds, b.wallSeconds]
        timeRatio = a.wallSeconds > 0 ? b.wallSeconds / a.wallSeconds : .nan
    }

    /// A few lines for people.
    public var text: String {
        var lines = [
            "\(first) vs \(second): N=\(samples)",
            String(
                format: "  identical phase sets (fraction > %g): %d/%d (%.1f%%)", threshold, identicalPhaseSets, samples,
                100 * identicalPhaseSetShare),
            String(format: "  fraction difference: mean ½·L1 %.4f, max %.4f", meanFractionDifference, maxFractionDifference),
            String(format: "  shift difference (phases both use): mean %.2e, max %.2e", meanShiftDifference, maxShiftDifference),
            String(
                format: "  loss curves: %d common records, max relative difference %.2e; final %.4f vs %.4f",
                commonLossRecords, maxRelativeLossDifference, finalLoss[0], finalLoss[1]),
            String(format: "  wall time: %.1f s vs %.1f s (second / first = %.2f)", wallSeconds[0], wallSeconds[1], timeRatio)
        ]
        for d in differingSamples.prefix(10) {
            lines.append("  sample \(d.sample): \(d.firstPhases.joined(separator: "+")) vs \(d.secondPhases.joined(separator: "+"))")
        }
        if differingSamples.count > 10 { lines.append("  … \(differingSamples.count - 10) more differing samples") }
        return lines.joined(separator: "\n")
    }
}
