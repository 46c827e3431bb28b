/// The discrete refine step (method.md §5): turns soft fractions into a hard per-sample mask
/// that obeys the Gibbs and alloying rules exactly.
///
/// 1. usage U_k = Σ_i w_ik·[w_ik > presence];
/// 2. per sample keep the top-d_i phases with w ≥ presence and U_k > usageThreshold;
/// 3. visit samples; a sample is alloying if a kept phase shared with a graph neighbour differs
///    in shift by more than the shift unit (boundary pairs where the neighbour has fewer
///    elements present are skipped); alloying samples keep only their top d_i − 1 phases (≥ 1).
public enum RefineStep {
    public struct Result: Sendable {
        public var mask: [UInt8]
        public var alloying: [Bool]
        public var usage: [Double]
    }

    public static func run(fractions w: [Float], shifts s: [Float], sampleCount n: Int, phaseCount p: Int,
                           degrees d: [Int], elementsPresent: [Int], graph: CompositionGraph,
                           presence: Double, usageThreshold: Double, shiftUnit: Double) -> Result {
        var usage = [Double](repeating: 0, count: p)
        for i in 0..<n { for k in 0..<p where Double(w[i * p + k]) > presence { usage[k] += Double(w[i * p + k]) } }
        var kept = [[Int]](repeating: [], count: n)
        for i in 0..<n {
            let candidates = (0..<p).filter { Double(w[i * p + $0]) >= presence && usage[$0] > usageThreshold }
                .sorted { w[i * p + $0] > w[i * p + $1] }
            kept[i] = Array(candidates.prefix(max(1, d[i])))
            if kept[i].isEmpty {
                // Never leave a sample without a phase: keep its largest fraction.
                if let best = (0..<p).max(by: { w[i * p + $0] < w[i * p + $1] }) { kept[i] = [best] }
            }
        }
        var alloying = [Bool](repeating: false, count: n)
        for i in 0..<n {
            for j in graph.neighbors(of: i) where elementsPresent[j] >= elementsPresent[i] {
                let shared = Set(kept[i]).intersection(kept[j])
                if shared.contains(where: { abs(Double(s[i * p + $0]) - Double(s[j * p + $0])) > shiftUnit }) {
                    alloying[i] = true
                    break
                }
            }
        }
        var mask = [UInt8](repeating: 0, count: n * p)
        for i in 0..<n {
            let limit = alloying[i] ? max(1, d[i] - 1) : max(1, d[i])
            for k in kept[i].prefix(limit) { mask[i * p + k] = 1 }
        }
        return Result(mask: mask, alloying: alloying, usage: usage)
    }
}
