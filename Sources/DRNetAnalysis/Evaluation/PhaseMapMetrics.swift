import DRNetEngine
import DRNetIO
import Foundation

/// One sample whose thresholded phase set differs between solution and truth.
public struct SampleMismatch: Codable, Sendable, Equatable {
    /// Sample index.
    public var sample: Int
    /// Phases present (fraction ≥ threshold) in the solution, in union order.
    public var solutionPhases: [String]
    /// Phases present in the truth, in union order.
    public var truthPhases: [String]

    public init(sample: Int, solutionPhases: [String], truthPhases: [String]) {
        self.sample = sample
        self.solutionPhases = solutionPhases
        self.truthPhases = truthPhases
    }
}

/// The result of evaluating a solution's fraction table against a truth (or reference) table.
///
/// Union order: the truth's phases in its column order, then the solution-only phases in the
/// solution's column order. Ratios whose denominator is zero take the vacuous value documented on
/// each field (never NaN, so the struct always encodes to JSON).
public struct PhaseMapEvaluation: Codable, Sendable, Equatable {
    /// Solution file path as given (for reports), or nil.
    public var solutionFile: String?
    /// Truth file path as given, or nil.
    public var truthFile: String?
    /// Presence threshold T: a phase is present in a sample when its fraction is ≥ T.
    public var threshold: Double
    /// Number of samples compared.
    public var sampleCount: Int

    /// Samples whose solution phase set equals the truth phase set.
    public var exactMatchCount: Int
    /// `exactMatchCount / sampleCount`.
    public var exactMatchShare: Double

    /// (sample, phase) pairs present in both.
    public var truePositives: Int
    /// Pairs present in the solution only.
    public var falsePositives: Int
    /// Pairs present in the truth only.
    public var falseNegatives: Int
    /// Micro precision TP / (TP + FP); 1 when the solution marks nothing present.
    public var precision: Double
    /// Micro recall TP / (TP + FN); 1 when the truth marks nothing present.
    public var recall: Double
    /// Harmonic mean 2PR / (P + R); 0 when P + R = 0.
    public var f1: Double

    /// Mean over samples of ½·Σ_k |w_k − w*_k| over the union of phases (unthresholded fractions).
    public var meanFractionError: Double
    /// Largest per-sample ½·L1 error.
    public var maxFractionError: Double

    /// (sample, phase) pairs scored by the 3-bin accuracy: phase present in truth or solution.
    public var fractionBinPairs: Int
    /// Of those, pairs whose fractions fall in the same bin (w ≤ 1/3, ≤ 2/3, > 2/3).
    public var fractionBinCorrect: Int
    /// `fractionBinCorrect / fractionBinPairs`; 1 when there are no pairs.
    public var fractionBinAccuracy: Double

    /// Phases named in both tables (truth order).
    public var phasesInBoth: [String]
    /// Phases only the solution names (solution order).
    public var phasesOnlyInSolution: [String]
    /// Phases only the truth names (truth order).
    public var phasesOnlyInTruth: [String]

    /// Samples whose phase sets differ, by increasing sample index.
    public var mismatches: [SampleMismatch]
}

/// Phase-map metrics: compares a solution's fraction table with a truth table.
public enum PhaseMapMetrics {
    /// The field's usual presence threshold.
    public static let defaultThreshold: Double = 0.01

    /// The 3-bin index of a fraction: 0 for w ≤ 1/3, 1 for w ≤ 2/3, 2 above.
    public static func fractionBin(_ w: Double) -> Int {
        if w <= 1.0 / 3.0 { return 0 }
        if w <= 2.0 / 3.0 { return 1 }
        return 2
    }

    /// Evaluates `solution` against `truth`, rows aligned by sample index. Phases are matched by
    /// exact name; a phase absent from one table counts as fraction 0 there.
    /// - Parameters:
    ///   - threshold: presence threshold T, 0 < T < 1; a phase is present when fraction ≥ T.
    ///   - solutionFile, truthFile: paths used in error messages and copied into the result.
    /// - Throws: `InputError` (naming the solution file) when the sample sets differ or are empty;
    ///   `InputError` naming the table when a row's fractions sum to more than
    ///   `maximumRowSum` (percentages instead of fractions: fractions sum to 1);
    ///   `ConfigurationError` for a threshold outside (0, 1).
    public static func evaluate(
        solution: FractionTable, truth: FractionTable,
        threshold: Double = defaultThreshold,
        solutionFile: String? = nil, truthFile: String? = nil
    ) throws -> PhaseMapEvaluation {
        guard threshold.isFinite, threshold > 0, threshold < 1 else {
            throw ConfigurationError(
                "presence threshold must be a fraction between 0 and 1 (exclusive), got \(threshold)")
        }
        let solName = solutionFile ?? "solution"
        let truthName = truthFile ?? "truth"
        guard !truth.samples.isEmpty else {
            throw InputError(file: truthName, expected: "at least one sample row", found: "none")
        }
        try checkFractions(truth, file: truthName)
        try checkFractions(solution, file: solName)
        if solution.samples != truth.samples {
            let sol = Set(solution.samples), tru = Set(truth.samples)
            let missing = truth.samples.filter { !sol.contains($0) }
            let extra = solution.samples.filter { !tru.contains($0) }
            var parts: [String] = []
            if !missing.isEmpty { parts.append("\(missing.count) missing (\(listSome(missing)))") }
            if !extra.isEmpty { parts.append("\(extra.count) extra (\(listSome(extra)))") }
            throw InputError(
                file: solName, location: "column sample",
                expected: "the same \(truth.sampleCount) samples as \(truthName)",
                found: "\(solution.sampleCount) samples, " + parts.joined(separator: ", "))
        }

        // Union of phases and each table's column for it (nil = absent = 0).
        let solOnly = solution.phases.filter { truth.phaseIndex(of: $0) == nil }
        let union = truth.phases + solOnly
        let solCol = union.map { solution.phaseIndex(of: $0) }
        let truCol = union.map { truth.phaseIndex(of: $0) }

        var exact = 0, tp = 0, fp = 0, fn = 0, binPairs = 0, binCorrect = 0
        var errSum = 0.0, errMax = 0.0
        var mismatches: [SampleMismatch] = []
        for r in 0..<truth.sampleCount {
            let sRow = solution.fractions[r], tRow = truth.fractions[r]
            var l1 = 0.0
            var same = true
            var sSet: [String] = [], tSet: [String] = []
            for k in 0..<union.count {
                let w = solCol[k].map { sRow[$0] } ?? 0
                let wt = truCol[k].map { tRow[$0] } ?? 0
                l1 += abs(w - wt)
                let inS = w >= threshold, inT = wt >= threshold
                if inS { sSet.append(union[k]) }
                if inT { tSet.append(union[k]) }
                switch (inS, inT) {
                case (true, true): tp += 1
                case (true, false): fp += 1; same = false
                case (false, true): fn += 1; same = false
                case (false, false): break
                }
                if inS || inT {
                    binPairs += 1
                    if fractionBin(w) == fractionBin(wt) { binCorrect += 1 }
                }
            }
            let e = 0.5 * l1
            errSum += e
            errMax = max(errMax, e)
            if same {
                exact += 1
            } else {
                mismatches.append(SampleMismatch(sample: truth.samples[r], solutionPhases: sSet, truthPhases: tSet))
            }
        }
        let n = truth.sampleCount
        let precision = tp + fp == 0 ? 1 : Double(tp) / Double(tp + fp)
        let recall = tp + fn == 0 ? 1 : Double(tp) / Double(tp + fn)
        let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
        return PhaseMapEvaluation(
            solutionFile: solutionFile, truthFile: truthFile,
            threshold: threshold, sampleCount: n,
            exactMatchCount: exact, exactMatchShare: Double(exact) / Double(n),
            truePositives: tp, falsePositives: fp, falseNegatives: fn,
            precision: precision, recall: recall, f1: f1,
            meanFractionError: errSum / Double(n), maxFractionError: errMax,
            fractionBinPairs: binPairs, fractionBinCorrect: binCorrect,
            fractionBinAccuracy: binPairs == 0 ? 1 : Double(binCorrect) / Double(binPairs),
            phasesInBoth: truth.phases.filter { solution.phaseIndex(of: $0) != nil },
            phasesOnlyInSolution: solOnly,
            phasesOnlyInTruth: truth.phases.filter { solution.phaseIndex(of: $0) == nil },
            mismatches: mismatches)
    }

    /// Reads both CSV files and evaluates them (see `evaluate(solution:truth:threshold:…)`).
    public static func evaluate(
        solutionFile: String, truthFile: String,
        threshold: Double = defaultThreshold
    ) throws -> PhaseMapEvaluation {
        let truth = try FractionTable.read(contentsOfFile: truthFile)
        let solution = try FractionTable.read(contentsOfFile: solutionFile)
        return try evaluate(
            solution: solution, truth: truth, threshold: threshold,
            solutionFile: solutionFile, truthFile: truthFile)
    }

    /// The largest row sum a fraction table may have: fractions sum to 1 (a solution's exactly,
    /// the public truth tables' to within 1e-6); well above that the table holds percentages.
    public static let maximumRowSum = 1.5

    /// Throws an `InputError` naming `file` and the first sample whose fractions sum to more than
    /// `maximumRowSum`.
    static func checkFractions(_ table: FractionTable, file: String) throws {
        for (r, row) in table.fractions.enumerated() {
            let sum = row.reduce(0, +)
            guard sum <= maximumRowSum else {
                throw InputError(
                    file: file, location: "sample \(table.samples[r])",
                    expected: "phase fractions summing to 1 (fractions, not percent)",
                    found: "fractions summing to \(sum)" + (sum > 50 && sum < 150 ? " (percent?)" : ""))
            }
        }
    }

    private static func listSome(_ xs: [Int]) -> String {
        let shown = xs.prefix(8).map(String.init).joined(separator: ", ")
        return xs.count > 8 ? shown + ", …" : shown
    }
}

extension PhaseMapEvaluation {
    /// A readable multi-line summary; lists at most `maxMismatches` mismatching samples.
    public func summary(maxMismatches: Int = 20) -> String {
        func pct(_ x: Double) -> String { String(format: "%.2f%%", 100 * x) }
        func f4(_ x: Double) -> String { String(format: "%.4f", x) }
        func set(_ s: [String]) -> String { s.isEmpty ? "{}" : "{" + s.joined(separator: ", ") + "}" }
        var lines: [String] = []
        if let s = solutionFile { lines.append("solution:  \(s)") }
        if let t = truthFile { lines.append("truth:     \(t)") }
        lines.append("threshold: \(threshold) (phase present when fraction ≥ threshold)")
        lines.append("samples:   \(sampleCount)")
        lines.append("")
        lines.append("exact phase-set match: \(exactMatchCount)/\(sampleCount) (\(pct(exactMatchShare)))")
        lines.append(
            "phase presence (micro): precision \(f4(precision)), recall \(f4(recall)), F1 \(f4(f1))"
                + "  [TP \(truePositives), FP \(falsePositives), FN \(falseNegatives)]")
        lines.append("fraction error (½·L1): mean \(f4(meanFractionError)), max \(f4(maxFractionError))")
        lines.append("3-bin fraction accuracy: \(fractionBinCorrect)/\(fractionBinPairs) (\(pct(fractionBinAccuracy)))")
        lines.append("")
        lines.append("phases in both (\(phasesInBoth.count)): " + (phasesInBoth.isEmpty ? "-" : phasesInBoth.joined(separator: ", ")))
        lines.append(
            "only in solution (\(phasesOnlyInSolution.count)): "
                + (phasesOnlyInSolution.isEmpty ? "-" : phasesOnlyInSolution.joined(separator: ", ")))
        lines.append(
            "only in truth (\(phasesOnlyInTruth.count)): " + (phasesOnlyInTruth.isEmpty ? "-" : phasesOnlyInTruth.joined(separator: ", ")))
        if !mismatches.isEmpty {
            lines.append("")
            lines.append("mismatching samples (\(mismatches.count)):")
            for m in mismatches.prefix(max(0, maxMismatches)) {
                lines.append("  \(m.sample): solution \(set(m.solutionPhases)), truth \(set(m.truthPhases))")
            }
            if mismatches.count > maxMismatches {
                lines.append("  … \(mismatches.count - maxMismatches) more")
            }
        }
        return lines.joined(separator: "\n")
    }
}
