import DRNetEngine
import DRNetIO
import Foundation

/// Runs every rule check on a solution and summarises: Gibbs (with the alloying rule),
/// alloying-rule jumps, connectivity of phase and phase-combination regions, the element rule
/// and the per-sample reconstruction error. `violated` is true when a rule in `gatedRules` is
/// broken (what `drnet check` turns into its exit status).
public struct SolutionCheck: Sendable, Codable {
    public enum Rule: String, Sendable, Codable, CaseIterable {
        case gibbs, alloying, connectivity, element
    }

    public struct ReconstructionSummary: Sendable, Codable, Equatable {
        public var meanL1: Double
        public var medianL1: Double
        public var maxL1: Double
        public var meanShare: Double
        public var medianShare: Double
        /// Up to five samples with the largest share, largest first.
        public var worstSamples: [Int]
        public var perSample: [ReconstructionError.Sample]
    }

    public var solution: String
    public var library: String
    public var sampleCount: Int
    public var phases: [String]
    public var options: CheckOptions
    public var gibbs: GibbsRuleCheck.Result
    public var alloying: AlloyingRuleCheck.Result
    public var connectivity: ConnectivityCheck.Result
    /// True when the composition graph has no edges — a library without compositions, or a
    /// graph file that gives every sample alone (separate mixtures, not a composition spread):
    /// the connectivity rule does not apply.
    public var graphless: Bool
    /// Why the graph is empty, for the report (nil when it has edges).
    public var graphlessReason: String?
    public var element: ElementRuleCheck.Result
    public var reconstruction: ReconstructionSummary?
    public var gatedRules: [Rule]
    /// Rules (of all four) that are broken.
    public var brokenRules: [Rule]
    public var violated: Bool

    public init(
        input: CheckInput, options: CheckOptions = CheckOptions(), gatedRules: [Rule] = Rule.allCases,
        solution: String = "", library: String = ""
    ) {
        self.solution = solution
        self.library = library
        self.options = options
        sampleCount = input.sampleCount
        phases = input.phaseNames
        alloying = AlloyingRuleCheck.run(input, options: options)
        gibbs = GibbsRuleCheck.run(input, options: options, alloyingSamples: alloying.alloyingSamples)
        connectivity = ConnectivityCheck.run(input, options: options)
        graphless = input.graph.edges.isEmpty
        graphlessReason =
            !graphless
            ? nil
            : input.elements.isEmpty
                ? "no composition graph: the library has no compositions"
                : "the composition graph has no edges: every sample stands alone"
        element = ElementRuleCheck.run(input, options: options)
        if let r = input.reconstruction, !r.isEmpty {
            let l1 = r.map(\.l1).sorted(), share = r.map(\.share).sorted()
            let worst = (0..<r.count).sorted { r[$0].share != r[$1].share ? r[$0].share > r[$1].share : $0 < $1 }.prefix(5)
            reconstruction = ReconstructionSummary(
                meanL1: l1.reduce(0, +) / Double(l1.count), medianL1: Self.median(l1), maxL1: l1.last!,
                meanShare: share.reduce(0, +) / Double(share.count), medianShare: Self.median(share),
                worstSamples: Array(worst), perSample: r)
        }
        var broken: [Rule] = []
        if !gibbs.violations.isEmpty { broken.append(.gibbs) }
        if !alloying.violations.isEmpty { broken.append(.alloying) }
        // Without a composition graph (a library without compositions) regions have no
        // neighbourhood: connectivity does not apply.
        if !graphless, connectivity.disconnectedPhases + connectivity.disconnectedCombinations > 0 {
            broken.append(.connectivity)
        }
        if !element.violations.isEmpty { broken.append(.element) }
        brokenRules = broken
        self.gatedRules = gatedRules
        violated = broken.contains { gatedRules.contains($0) }
    }

    static func median(_ sorted: [Double]) -> Double {
        let n = sorted.count
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2])
    }

    /// The human-readable report.
    public func summary(listLimit: Int = 8) -> String {
        var out: [String] = []
        func f(_ x: Double, _ d: Int = 4) -> String { String(format: "%.\(d)f", x) }
        func samples(_ c: [Int]) -> String {
            c.count <= 12
                ? c.map(String.init).joined(separator: ",") : c.prefix(10).map(String.init).joined(separator: ",") + ",… (\(c.count))"
        }
        out.append("check: \(solution)\(library.isEmpty ? "" : " on library \(library)")")
        out.append("  \(sampleCount) samples, \(phases.count) phases: \(phases.joined(separator: ", "))")
        out.append(
            "  presence threshold \(options.presenceThreshold); phases per sample: "
                + gibbs.phasesPerSample.enumerated().filter { $0.element > 0 }.map { "\($0.offset): \($0.element)" }.joined(separator: ", ")
        )
        // Gibbs
        out.append(
            "Gibbs rule (≤ d_i phases, ≤ d_i − 1 where alloying): \(gibbs.violations.count) violating samples "
                + "(\(gibbs.plainViolations) over d_i; \(alloying.alloyingSamples.count) alloying samples)")
        for v in gibbs.violations.prefix(listLimit) {
            out.append(
                "  sample \(v.sample): \(v.phases.count) phases > \(v.limit) (d=\(v.degreesOfFreedom)\(v.alloying ? ", alloying" : "")): \(v.phases.joined(separator: ", "))"
            )
        }
        if gibbs.violations.count > listLimit { out.append("  … \(gibbs.violations.count - listLimit) more") }
        // Alloying
        if alloying.checked {
            out.append(
                "Alloying rule (shift jump between neighbours ≤ \(alloying.tolerance)): \(alloying.violations.count) violating pairs "
                    + "of \(alloying.comparedPairs) compared; largest jump \(f(alloying.largestDifference, 5))")
            for v in alloying.violations.prefix(listLimit) {
                out.append(
                    "  samples \(v.samples[0])–\(v.samples[1]) \(v.phase): \(f(v.shifts[0], 5)) vs \(f(v.shifts[1], 5)) (Δ \(f(v.difference, 5)))"
                )
            }
            if alloying.violations.count > listLimit { out.append("  … \(alloying.violations.count - listLimit) more") }
        } else {
            out.append("Alloying rule: not checked (the solution has no shifts)")
        }
        // Connectivity
        if let why = graphlessReason {
            out.append("Connectivity: not applicable (\(why))")
        } else {
            out.append(
                "Connectivity: \(connectivity.disconnectedPhases) of \(connectivity.phases.count) phase regions and "
                    + "\(connectivity.disconnectedCombinations) of \(connectivity.combinations.count) phase-combination regions disconnected"
            )
            for r in connectivity.phases {
                out.append(
                    "  phase \(r.name): \(r.sampleCount) samples, \(r.components.count) component\(r.components.count == 1 ? "" : "s")"
                        + (r.connected ? "" : ": " + r.components.map { "[\(samples($0))]" }.joined(separator: " ")))
            }
            for r in connectivity.combinations {
                out.append(
                    "  {\(r.name)}: \(r.sampleCount) samples, \(r.components.count) component\(r.components.count == 1 ? "" : "s")"
                        + (r.connected ? "" : ": " + r.components.map { "[\(samples($0))]" }.joined(separator: " ")))
            }
        }
        // Element
        if element.checkedPhases.isEmpty {
            out.append("Element rule: not checked (no phase compositions for the solution's phases)")
        } else {
            out.append(
                "Element rule: \(element.violations.count) violations (\(element.checkedPhases.count) phases checked"
                    + (element.uncheckedPhases.isEmpty ? "" : "; unknown composition: \(element.uncheckedPhases.joined(separator: ", "))")
                    + ")")
            for v in element.violations.prefix(listLimit) {
                out.append(
                    "  sample \(v.sample): \(v.phase) (fraction \(f(v.fraction, 3))) needs \(v.missingElements.joined(separator: ", ")), absent there"
                )
            }
            if element.violations.count > listLimit { out.append("  … \(element.violations.count - listLimit) more") }
        }
        // Reconstruction
        if let r = reconstruction {
            out.append(
                "Reconstruction (L1 on max-normalised patterns): mean \(f(r.meanL1)) per point (median \(f(r.medianL1)), max \(f(r.maxL1))); "
                    + "share of pattern mean \(f(r.meanShare)) (median \(f(r.medianShare))); worst samples \(r.worstSamples.map(String.init).joined(separator: ", "))"
            )
        } else {
            out.append("Reconstruction: not available (no R<i>_<k> in the solution)")
        }
        let gated = brokenRules.filter { gatedRules.contains($0) }
        out.append(
            gated.isEmpty
                ? "result: no rule violated"
                    + (brokenRules.isEmpty ? "" : " (not gated: \(brokenRules.map(\.rawValue).joined(separator: ", ")))")
                : "result: VIOLATED: \(gated.map(\.rawValue).joined(separator: ", "))")
        return out.joined(separator: "\n")
    }
}
