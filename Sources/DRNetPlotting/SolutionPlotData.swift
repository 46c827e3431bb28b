import DRNetAnalysis
import DRNetEngine
import DRNetIO

/// What the plots draw, from a loaded solution and its library. Matrices row-major.
public struct SolutionPlotData: Sendable {
    public var title: String
    public var elements: [String]
    /// N×M cation fractions.
    public var compositions: [Double]
    public var edges: [Edge]
    public var phaseNames: [String]
    /// N×K fractions (normalised per sample).
    public var fractions: [Double]
    /// Q grid (nm⁻¹) and raw patterns N×T.
    public var q: [Float]
    public var patterns: [Float]
    /// N×K×T per-phase reconstructions in the patterns' units (R), nil when absent.
    public var contributions: [Float]?
    /// N×T fitted backgrounds in the patterns' units (BG), nil when the solution has none.
    public var background: [Float]? = nil
    public var lossHistory: [LossRecord]
    public var presenceThreshold: Double

    public var sampleCount: Int { compositions.count / max(elements.count, 1) }
    public var phaseCount: Int { phaseNames.count }
    public var gridCount: Int { q.count }

    public init(
        title: String, elements: [String], compositions: [Double], edges: [Edge], phaseNames: [String], fractions: [Double],
        q: [Float], patterns: [Float], contributions: [Float]?, lossHistory: [LossRecord], presenceThreshold: Double = 0.01
    ) {
        self.title = title; self.elements = elements; self.compositions = compositions; self.edges = edges
        self.phaseNames = phaseNames; self.fractions = fractions; self.q = q; self.patterns = patterns
        self.contributions = contributions; self.lossHistory = lossHistory; self.presenceThreshold = presenceThreshold
    }

    /// From a loaded solution (graph, fractions and names as the checks see them).
    public init(_ s: LoadedSolution, presenceThreshold: Double = 0.01) throws {
        let input = try s.checkInput()
        self.init(
            title: s.library.name, elements: s.library.elements, compositions: s.library.compositions, edges: input.graph.edges,
            phaseNames: input.phaseNames, fractions: input.fractions, q: s.library.q, patterns: s.library.patterns,
            contributions: s.community.contributions, lossHistory: s.ours?.lossHistory ?? [], presenceThreshold: presenceThreshold)
        background = s.community.background
    }

    /// BG of sample i (T values, patterns' units), nil without a background.
    public func background(of i: Int) -> ArraySlice<Float>? {
        guard let bg = background, bg.count == sampleCount * gridCount else { return nil }
        return bg[(i * gridCount)..<((i + 1) * gridCount)]
    }

    /// Phases present at sample i (fraction ≥ the threshold).
    public func present(_ i: Int) -> [Int] {
        (0..<phaseCount).filter { fractions[i * phaseCount + $0] >= presenceThreshold && fractions[i * phaseCount + $0] > 0 }
    }

    /// Short composition text of sample i ("Al 0.33 Li 0.33 Fe 0.33").
    /// Sample i's composition for a title: every element of a ternary (or smaller) system, and
    /// only the elements present (fraction ≥ 0.005) when there are more, so that a library of
    /// many elements keeps a title that fits; "no composition" without elements.
    public func compositionText(_ i: Int) -> String {
        let m = elements.count
        guard m > 0 else { return "no composition" }
        let shown = m <= 3 ? Array(0..<m) : (0..<m).filter { compositions[i * m + $0] >= 0.005 }
        return shown.map { "\(elements[$0]) " + String(format: "%.2f", compositions[i * m + $0]) }.joined(separator: " ")
    }
}
