/// The connectivity rule in the refine step (method.md §2: each phase occupies a connected region
/// of the composition graph). Beyond the reference, whose refine enforces only the Gibbs and
/// alloying rules and leaves connectivity to the smoothness term.
///
/// For each phase k, its members are the samples whose mask holds k with w_ik ≥ `presence` (the
/// presence threshold of the metrics and of `drnet check`, `minActivation`), and its main region
/// is the connected component of the members (on the composition graph) with the largest Σ_i w_ik.
/// Phase k stays in the mask at the main region's samples and, below the presence threshold, at
/// their graph neighbours (where the region may still grow at its border); it is dropped from the
/// mask everywhere else, except at a sample where k is the largest fraction its mask holds: there
/// a phase outside its main region is what the sample mostly consists of, and removing it would
/// leave the pattern to phases that do not explain it, so it stays and the region stays
/// disconnected (counted in `keptDisconnected`; so no sample loses its last phase). The mask only
/// shrinks; a fine-tune under it refits the fractions.
public enum ConnectivityRule {
    public struct Result: Sendable, Equatable {
        /// The mask after the rule, N×P.
        public var mask: [UInt8]
        /// (sample, phase) memberships removed.
        public var dropped: Int
        /// Phases whose members still form more than one component (a largest fraction kept).
        public var keptDisconnected: [Int]
    }

    /// - Parameters:
    ///   - mask: N×P refined mask (1 = allowed).
    ///   - fractions: N×P fractions the mask was refined from.
    public static func run(
        mask: [UInt8], fractions w: [Float], sampleCount n: Int, phaseCount p: Int,
        graph: CompositionGraph, presence: Double
    ) -> Result {
        var out = mask
        var dropped = 0
        var keptDisconnected: [Int] = []
        // Each sample's largest fraction among the phases its mask holds (-1: none).
        var largest = [Int](repeating: -1, count: n)
        for i in 0..<n {
            var best: Float = -1
            for k in 0..<p where mask[i * p + k] != 0 && w[i * p + k] > best {
                best = w[i * p + k]
                largest[i] = k
            }
        }
        for k in 0..<p {
            let members = (0..<n).filter { mask[$0 * p + k] != 0 && Double(w[$0 * p + k]) >= presence }
            let components = graph.components(of: members)
            guard !components.isEmpty else { continue }
            let mass = components.map { c in c.reduce(0.0) { $0 + Double(w[$1 * p + k]) } }
            let main = mass.indices.max { mass[$0] != mass[$1] ? mass[$0] < mass[$1] : $0 > $1 }!
            var inMain = [Bool](repeating: false, count: n)
            for i in components[main] { inMain[i] = true }
            var stillSplit = false
            for i in 0..<n where mask[i * p + k] != 0 && !inMain[i] {
                let member = Double(w[i * p + k]) >= presence
                if !member && graph.neighbors(of: i).contains(where: { inMain[$0] }) { continue }
                if largest[i] == k {
                    stillSplit = stillSplit || member
                    continue
                }
                out[i * p + k] = 0
                dropped += 1
            }
            if stillSplit { keptDisconnected.append(k) }
        }
        return Result(mask: out, dropped: dropped, keptDisconnected: keptDisconnected)
    }
}
