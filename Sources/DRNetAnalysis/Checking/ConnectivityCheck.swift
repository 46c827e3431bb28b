import DRNetEngine
import DRNetIO

/// Connectivity of phase regions (method.md §2): for each phase, the samples holding it, and
/// for each phase combination present, the samples holding exactly that set, should form one
/// connected subgraph of the composition graph. Components are found by breadth-first search
/// on the induced subgraph; they are listed largest first (ties: smallest first sample).
public enum ConnectivityCheck {
    public struct Region: Sendable, Codable, Equatable {
        /// The phase, or the phases of the combination (joined by " + "; "(none)" for no phase).
        public var name: String
        public var phases: [String]
        public var sampleCount: Int
        /// Connected components, each ascending sample indices.
        public var components: [[Int]]
        public var connected: Bool { components.count <= 1 }
    }

    public struct Result: Sendable, Codable, Equatable {
        public var phases: [Region]
        public var combinations: [Region]
        public var disconnectedPhases: Int { phases.filter { !$0.connected }.count }
        public var disconnectedCombinations: Int { combinations.filter { !$0.connected }.count }
    }

    public static func run(_ input: CheckInput, options: CheckOptions) -> Result {
        let n = input.sampleCount
        let sets = (0..<n).map { input.present($0, threshold: options.presenceThreshold) }
        var phaseRegions: [Region] = []
        for k in 0..<input.phaseCount {
            let members = (0..<n).filter { sets[$0].contains(k) }
            if members.isEmpty { continue }
            phaseRegions.append(
                Region(
                    name: input.phaseNames[k], phases: [input.phaseNames[k]], sampleCount: members.count,
                    components: input.graph.components(of: members)))
        }
        var bySet: [[Int]: [Int]] = [:]
        for i in 0..<n { bySet[sets[i], default: []].append(i) }
        let combos = bySet.keys.sorted { $0.count != $1.count ? $0.count < $1.count : $0.lexicographicallyPrecedes($1) }
        let comboRegions = combos.map { set -> Region in
            let names = set.map { input.phaseNames[$0] }
            return Region(
                name: names.isEmpty ? "(none)" : names.joined(separator: " + "), phases: names,
                sampleCount: bySet[set]!.count, components: input.graph.components(of: bySet[set]!))
        }
        return Result(phases: phaseRegions, combinations: comboRegions)
    }
}
