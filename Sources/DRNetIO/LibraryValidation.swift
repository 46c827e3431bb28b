import DRNetEngine
import Foundation

/// Checks that a `CompositionLibrary` is consistent and physically sensible before solving.
/// `LibraryLoader` runs it on every library it loads; callers building libraries in code may
/// run it themselves.
///
/// Every failure is an `InputError` naming the file the offending piece came from (looked up in
/// `library.sources`: `instance`, or `patterns`/`q`/`compositions` for `.npy` input, `sticks`,
/// `phaseCompositions`, `edges`, `sampleMask`, `degreesOfFreedom`; a descriptive stand-in when
/// absent) and where in it. Samples are named by zero-based index and, for instance text, by
/// their `I<k>` key (k = index + 1); Q indices are zero-based.
///
/// Checks:
/// - elements: distinct; none (M = 0) is a library without compositions (imported scans: no
///   composition graph, no element rule);
/// - Q: non-empty, finite, strictly increasing (names the index and both values);
/// - patterns: N×T values with N = compositions.count / M (N and Q length mismatch otherwise);
///   every value finite and ≥ 0; every pattern with signal: a maximum that is a normal
///   positive `Float` (an all-zero pattern, or one whose maximum is subnormal, e.g. a pattern
///   scaled by 1e-42, is rounding noise that max-normalisation would blow up).
///   Negative intensities are errors: none of the three public datasets (al-li-fe, bi-cu-v,
///   ta-rh-pd) has a single negative value, in `instance.txt` or in `npy/XRD.npy` (the
///   published patterns are already background-subtracted and clipped at 0), so a negative
///   value signals a file that was not prepared the same way rather than rounding noise;
/// - compositions: finite, ≥ 0, each row summing to 1 within `compositionTolerance`
///   (bi-cu-v's 4-decimal rows deviate by up to 1e-4);
/// - phases: at least one, distinct names that are not empty and hold neither `//` nor control
///   characters (`StickLibraryReader.checkPhaseName`), each with ≥ 1 stick, as many intensities
///   as positions, q finite and > 0, intensities finite and ≥ 0 with a normal positive maximum;
/// - phase compositions: P×M, finite, in [0, 1], each row summing to 1 within
///   `compositionTolerance` or entirely zero (a phase containing none of the library's
///   cations, e.g. bi-cu-v's SnO2 substrate phase 72);
/// - edges: 0 ≤ i < j < N;
/// - sample mask: N×P values of 0/1;
/// - degrees of freedom: N values, each in 1…M.
public enum LibraryValidator {
    /// Allowed deviation of a composition row sum from 1.
    public static let compositionTolerance = 1e-3

    /// Throws the first problem found, as an `InputError`.
    public static func validate(_ library: CompositionLibrary) throws {
        let src = library.sources
        let instance = src.instance
        let patternFile = instance ?? src.patterns ?? "patterns"
        let qFile = instance ?? src.q ?? "Q grid"
        let compFile = instance ?? src.compositions ?? "compositions"
        let sticksFile = src.sticks ?? "stick library"

        func sample(_ i: Int) -> String {
            instance != nil ? "key I\(i + 1) (sample \(i))" : "row \(i) (sample \(i))"
        }

        // Elements.
        let m = library.elements.count
        guard Set(library.elements).count == m else {
            throw InputError(
                file: compFile, location: instance != nil ? "key Elements" : "",
                expected: "distinct element symbols", found: library.elements.joined(separator: ","))
        }

        // Q grid.
        let q = library.q
        let qPlace = instance != nil ? "key Q" : ""
        guard !q.isEmpty else {
            throw InputError(file: qFile, location: qPlace, expected: "a non-empty Q grid", found: "no Q values")
        }
        for (k, v) in q.enumerated() where !v.isFinite {
            throw InputError(file: qFile, location: qPlace, expected: "finite Q values", found: "Q[\(k)] = \(v)")
        }
        for k in 1..<max(q.count, 1) where !(q[k] > q[k - 1]) {
            throw InputError(
                file: qFile, location: qPlace, expected: "a strictly increasing Q grid",
                found: "Q[\(k)] = \(q[k]) after Q[\(k - 1)] = \(q[k - 1])")
        }
        let t = q.count

        // Sizes: N from compositions (from the patterns without compositions), patterns N×T.
        if m == 0 {
            guard library.compositions.isEmpty, library.patterns.count % t == 0, library.patterns.count > 0 else {
                throw InputError(
                    file: patternFile, expected: "N×T pattern values and no compositions (M = 0)",
                    found: "\(library.patterns.count) pattern and \(library.compositions.count) composition values")
            }
            if library.phaseCompositions != nil {
                throw InputError(
                    file: src.phaseCompositions ?? "phase compositions", expected: "no phase compositions for a library without elements",
                    found: "a phase-composition table")
            }
        } else {
            guard library.compositions.count % m == 0, library.compositions.count > 0 else {
                throw InputError(
                    file: compFile, expected: "N×M composition values with M = \(m)",
                    found: "\(library.compositions.count) values")
            }
        }
        let n = m > 0 ? library.compositions.count / m : library.patterns.count / t
        guard library.patterns.count == n * t else {
            throw InputError(
                file: patternFile,
                expected: "N×T = \(n)×\(t) pattern values (N samples from the compositions, T = Q length)",
                found: library.patterns.count % t == 0
                    ? "\(library.patterns.count / t) patterns of length \(t) (N mismatch)"
                    : "\(library.patterns.count) values (not a multiple of the Q length \(t))")
        }

        // Patterns.
        try library.patterns.withUnsafeBufferPointer { p in
            for i in 0..<n {
                var rowMax: Float = 0
                for k in 0..<t {
                    let v = p[i * t + k]
                    if !v.isFinite {
                        throw InputError(
                            file: patternFile, location: sample(i), expected: "finite intensities",
                            found: "\(v) at Q index \(k)")
                    }
                    if v < 0 {
                        throw InputError(
                            file: patternFile, location: sample(i), expected: "non-negative intensities",
                            found: "\(v) at Q index \(k) (Q = \(q[k]))")
                    }
                    rowMax = max(rowMax, v)
                }
                if !(rowMax > 0) {
                    throw InputError(
                        file: patternFile, location: sample(i),
                        expected: "a pattern with a positive maximum",
                        found: "an all-zero pattern (a pattern with no signal)")
                }
                if !rowMax.isNormal {
                    throw InputError(
                        file: patternFile, location: sample(i),
                        expected: "a pattern whose maximum is a normal positive Float (≥ \(Float.leastNormalMagnitude))",
                        found: "maximum \(rowMax), a subnormal number (a pattern with no signal, only rounding noise)")
                }
            }
        }

        // Compositions.
        let c = library.compositions
        for i in 0..<n {
            var sum = 0.0
            for e in 0..<m {
                let v = c[i * m + e]
                guard v.isFinite, v >= 0 else {
                    throw InputError(
                        file: compFile,
                        location: instance != nil
                            ? "sample \(i), element \(library.elements[e])"
                            : "row \(i) (sample \(i)), column \(e)",
                        expected: "finite non-negative cation fractions", found: "\(v)")
                }
                sum += v
            }
            guard m == 0 || abs(sum - 1) <= compositionTolerance else {
                throw InputError(
                    file: compFile, location: "sample \(i)",
                    expected: "cation fractions summing to 1 (±\(compositionTolerance))",
                    found: "sum \(sum)")
            }
        }

        // Phases.
        let phases = library.phases
        let pCount = phases.count
        guard pCount > 0 else {
            throw InputError(file: sticksFile, expected: "at least one candidate phase", found: "none")
        }
        var seen: [String: Int] = [:]
        for (k, ph) in phases.enumerated() {
            let place = "phase \(k) (\(ph.name))"
            try StickLibraryReader.checkPhaseName(ph.name, file: sticksFile, location: "phase \(k)")
            if let first = seen.updateValue(k, forKey: ph.name) {
                throw InputError(
                    file: sticksFile, location: place, expected: "distinct phase names",
                    found: "the name of phase \(first) again")
            }
            guard !ph.q.isEmpty else {
                throw InputError(file: sticksFile, location: place, expected: "at least one stick", found: "no sticks")
            }
            guard ph.q.count == ph.intensity.count else {
                throw InputError(
                    file: sticksFile, location: place, expected: "one intensity per stick position",
                    found: "\(ph.q.count) positions, \(ph.intensity.count) intensities")
            }
            for (j, v) in ph.q.enumerated() where !(v.isFinite && v > 0) {
                throw InputError(
                    file: sticksFile, location: place, expected: "positive finite stick positions",
                    found: "q[\(j)] = \(v)")
            }
            for (j, v) in ph.intensity.enumerated() where !(v.isFinite && v >= 0) {
                throw InputError(
                    file: sticksFile, location: place, expected: "finite non-negative intensities",
                    found: "intensity[\(j)] = \(v)")
            }
            guard ph.intensity.contains(where: { $0 > 0 }) else {
                throw InputError(
                    file: sticksFile, location: place, expected: "at least one positive intensity",
                    found: "all-zero intensities")
            }
            if let top = ph.intensity.max(), !top.isNormal {
                throw InputError(
                    file: sticksFile, location: place,
                    expected: "a strongest stick whose intensity is a normal positive Float (≥ \(Float.leastNormalMagnitude))",
                    found: "maximum \(top), a subnormal number")
            }
        }

        // Phase compositions.
        if let pc = library.phaseCompositions {
            let file = src.phaseCompositions ?? "phase compositions"
            guard pc.count == pCount * m else {
                throw InputError(file: file, expected: "P×M = \(pCount)×\(m) values", found: "\(pc.count) values")
            }
            for p in 0..<pCount {
                var sum = 0.0
                for e in 0..<m {
                    let v = pc[p * m + e]
                    guard v.isFinite, v >= 0, v <= 1 + compositionTolerance else {
                        throw InputError(
                            file: file, location: "phase \(p), column \(library.elements[e])",
                            expected: "a cation fraction in [0, 1]", found: "\(v)")
                    }
                    sum += v
                }
                guard sum == 0 || abs(sum - 1) <= compositionTolerance else {
                    throw InputError(
                        file: file, location: "phase \(p) (\(phases[p].name))",
                        expected: "fractions summing to 1 (±\(compositionTolerance)) or all zero",
                        found: "sum \(sum)")
                }
            }
        }

        // Edges.
        if let edges = library.edges {
            let file = src.edges ?? "composition graph"
            for e in edges where !(e.i >= 0 && e.i < e.j && e.j < n) {
                throw InputError(file: file, expected: "edges 0 ≤ i < j < N = \(n)", found: "edge \(e.i),\(e.j)")
            }
        }

        // Sample mask.
        if let mask = library.sampleMask {
            let file = src.sampleMask ?? "--sample-mask"
            guard mask.count == n * pCount else {
                throw InputError(
                    file: file, location: "shape", expected: "an N×P mask of \(n)×\(pCount)",
                    found: "\(mask.count) values")
            }
            if let k = mask.firstIndex(where: { $0 > 1 }) {
                throw InputError(
                    file: file, location: "row \(k / pCount), column \(k % pCount)",
                    expected: "0 or 1", found: "\(mask[k])")
            }
        }

        // Degrees of freedom.
        if let dof = library.degreesOfFreedom {
            let file = src.degreesOfFreedom ?? "--degrees-of-freedom"
            guard dof.count == n else {
                throw InputError(
                    file: file, expected: "\(n) degrees of freedom (one per sample)",
                    found: "\(dof.count) values")
            }
            for (i, d) in dof.enumerated() where !(1...m).contains(d) {
                throw InputError(
                    file: file, location: "sample \(i)",
                    expected: "a degree of freedom in 1…M = 1…\(m)", found: "\(d)")
            }
        }
    }
}
