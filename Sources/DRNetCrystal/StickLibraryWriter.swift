import DRNetEngine
import DRNetIO
import Foundation

/// One candidate phase computed from a crystal structure: its name, reflections and cation
/// fractions (element → fraction, summing to 1).
public struct ComputedPhase: Sendable {
    public var name: String
    public var reflections: [Reflection]
    public var cations: [String: Double]

    public init(name: String, reflections: [Reflection], cations: [String: Double]) {
        self.name = name
        self.reflections = reflections
        self.cations = cations
    }

    /// The phase as the solver's `CandidatePhase` (q in nm⁻¹, relative intensities).
    public var candidate: CandidatePhase {
        CandidatePhase(name: name, q: reflections.map { Float($0.q) }, intensity: reflections.map { Float($0.relativeIntensity) })
    }
}

/// Writes the stick-library files the solver reads (`StickLibraryReader`, `PhaseCompositionReader`).
///
/// - `sticks.csv`: `phase,name,q,intensity,h,k,l,multiplicity,d`, one row per reflection; phase is
///   the zero-based index in the given order, q in nm⁻¹ (5 decimals), intensity relative to the
///   phase's strongest reflection = 100 (4 decimals), d in Å. The reader uses the first four
///   columns and ignores the rest.
/// - `phase-compositions.csv`: `phase,name,<element>…`, each phase's cation fractions; element
///   columns in the given order (default: order of first appearance).
public enum StickLibraryWriter {
    /// The text of `sticks.csv`.
    public static func sticksCSV(_ phases: [ComputedPhase]) -> String {
        var out = "phase,name,q,intensity,h,k,l,multiplicity,d\n"
        for (p, phase) in phases.enumerated() {
            let name = FractionTable.quoteIfNeeded(phase.name)
            for r in phase.reflections {
                out +=
                    "\(p),\(name),\(String(format: "%.5f", r.q)),\(String(format: "%.4f", r.relativeIntensity)),"
                    + "\(r.h),\(r.k),\(r.l),\(r.multiplicity),\(String(format: "%.5f", r.d))\n"
            }
        }
        return out
    }

    /// The cation elements of the phases in order of first appearance (each phase's own
    /// elements sorted alphabetically), unless `elements` is given.
    public static func elements(of phases: [ComputedPhase]) -> [String] {
        var out: [String] = []
        for phase in phases { for e in phase.cations.keys.sorted() where !out.contains(e) { out.append(e) } }
        return out
    }

    /// The text of `phase-compositions.csv` with the columns `elements`.
    public static func phaseCompositionsCSV(_ phases: [ComputedPhase], elements: [String]) -> String {
        var out = "phase,name," + elements.joined(separator: ",") + "\n"
        for (p, phase) in phases.enumerated() {
            out += "\(p),\(FractionTable.quoteIfNeeded(phase.name))"
            for e in elements { out += "," + String(format: "%.6f", phase.cations[e] ?? 0) }
            out += "\n"
        }
        return out
    }
}
