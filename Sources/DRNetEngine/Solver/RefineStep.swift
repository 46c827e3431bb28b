/// The discrete refine step (method.md §5, with the reference's boundary rule): turns soft
/// fractions into a hard per-sample mask that obeys the Gibbs and alloying rules exactly.
///
/// 1. usage U_k = Σ_i w_ik·[w_ik > presence];
/// 2. per sample keep the top-d_i phases with w ≥ presence and U_k > usageThreshold;
/// 3. visit samples in order of their smallest kept fraction; sample i is *alloying* if a phase
///    kept at both i and a graph neighbour j differs in shift by more than the shift unit. A pair
///    is a boundary pair unless i and j have the same number of elements present and the same
///    kept set; a boundary pair counts only when both samples hold their full number of phases
///    (as many as elements present). An alloying sample that holds d_i phases drops its d_i-th
///    (smallest) one, so it keeps d_i − 1 (the alloying rule).
public enum RefineStep {
    public struct Result: Sendable {
        public var mask: [UInt8]
        public var alloying: [Bool]
        public var usage: [Double]
    }

    public static func run(
        fractions w: [Float], shifts s: [Float], sampleCount n: Int, phaseCount p: Int,
        degrees d: [Int], elementsPresent nf: [Int], graph: CompositionGraph,
        presence: Double, usageThreshold: Double, shiftUnit: Double, alloyRule: Bool = true
    ) -> Result {
        var usage = [Double](repeating: 0, count: p)
        for i in 0..<n { for k in 0..<p where Double(w[i * p + k]) > presence { usage[k] += Double(w[i * p + k]) } }
        // Of each sample's top-d_i phases by fraction, those that pass both thresholds (in
        // decreasing fraction); a sample with none keeps its largest fraction.
        let ranked: [[Int]] = (0..<n).map { i in
            let top = (0..<p).sorted { w[i * p + $0] > w[i * p + $1] }.prefix(max(1, d[i]))
            let passing = top.filter { Double(w[i * p + $0]) >= presence && usage[$0] > usageThreshold }
            return passing.isEmpty ? [top[top.startIndex]] : Array(passing)
        }
        var kept: [Set<Int>] = ranked.map { Set($0) }
        let order = (0..<n).sorted { a, b in
            let ma = kept[a].map { w[a * p + $0] }.min() ?? 1, mb = kept[b].map { w[b * p + $0] }.min() ?? 1
            return ma != mb ? ma < mb : a < b
        }
        var alloying = [Bool](repeating: false, count: n)
        for i in order where alloyRule {
            var shifting = false
            for j in graph.neighbors(of: i) {
                let boundary = !(nf[i] == nf[j] && kept[i] == kept[j])
                var jump = kept[i].intersection(kept[j]).contains {
                    abs(Double(s[i * p + $0]) - Double(s[j * p + $0])) > shiftUnit
                }
                if boundary && (kept[i].count < nf[i] || kept[j].count < nf[j]) { jump = false }
                if jump { shifting = true; break }
            }
            alloying[i] = shifting
            if shifting && d[i] > 1 && ranked[i].count >= d[i] {
                kept[i].remove(ranked[i][d[i] - 1])
            }
        }
        var mask = [UInt8](repeating: 0, count: n * p)
        for i in 0..<n { for k in kept[i] { mask[i * p + k] = 1 } }
        return Result(mask: mask, alloying: alloying, usage: usage)
    }
}
