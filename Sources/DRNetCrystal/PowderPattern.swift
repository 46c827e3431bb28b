import DRNetEngine
import DRNetIO
import Foundation

/// One powder reflection: a family of symmetry-equivalent lattice planes.
public struct Reflection: Sendable, Equatable {
    /// Representative Miller indices: the lexicographically largest member of the family.
    public var h: Int, k: Int, l: Int
    /// Number of distinct (h, k, l) in the family under the Laue group (point group + inversion).
    public var multiplicity: Int
    /// Interplanar spacing, Å.
    public var d: Double
    /// Q = 2π/d = 4π sinθ/λ, nm⁻¹.
    public var q: Double
    /// Diffraction angle 2θ in degrees for the pattern's wavelength.
    public var twoTheta: Double
    /// |F(hkl)|² of one member (electrons²).
    public var structureFactorSquared: Double
    /// Lorentz-polarisation factor (1 + cos²2θ) / (sin²θ cosθ).
    public var lorentzPolarisation: Double
    /// Integrated intensity m·|F|²·LP (arbitrary absolute scale).
    public var intensity: Double
    /// 100 · intensity / (the strongest reflection's intensity).
    public var relativeIntensity: Double
}

/// Settings of a powder-pattern calculation.
public struct PowderPatternOptions: Sendable, Equatable {
    /// X-ray wavelength λ in Å (default Cu Kα, 1.54184 Å; see `XRayWavelength`).
    public var wavelength: Double = 1.54184
    /// Q range in nm⁻¹ (reflections with qMin ≤ Q ≤ qMax; Q above 4π/λ cannot diffract and is cut).
    public var qMin: Double = 0
    public var qMax: Double = 80
    /// Apply each site's isotropic Debye–Waller factor exp(−B s²) to its scattering amplitude
    /// when the structure gives B (or U); sites without one are not damped.
    public var debyeWaller: Bool = true
    /// Reflections whose relative intensity (percent of the strongest) is below this are
    /// dropped. Systematic absences are dropped before that, whatever this is
    /// (`PowderPattern.absenceTolerance`).
    public var minRelativeIntensity: Double = 0.01

    public init() {}

    /// Throws `ConfigurationError` naming the first bad setting.
    public func validate() throws {
        guard wavelength.isFinite, wavelength > 0 else { throw ConfigurationError("wavelength must be > 0 Å, got \(wavelength)") }
        guard qMin.isFinite, qMax.isFinite, qMin >= 0, qMax > qMin else {
            throw ConfigurationError("Q range must satisfy 0 ≤ qmin < qmax (nm⁻¹), got \(qMin)…\(qMax)")
        }
        guard minRelativeIntensity >= 0, minRelativeIntensity < 100 else {
            throw ConfigurationError("minimum relative intensity must be in [0, 100) percent, got \(minRelativeIntensity)")
        }
    }
}

/// The powder diffraction stick pattern of a crystal structure (kinematic theory).
///
/// For every reflection h = (h, k, l) with qMin ≤ Q ≤ min(qMax, 4π/λ) (Q = 2π/d, the general
/// metric of `UnitCell`, so any cell works):
///
///     s = sinθ/λ = 1/(2d),   sinθ = λ Q / (4π)
///     F(h) = Σ_atoms f_j(s) · occ_j · exp(−B_j s²) · exp(2πi h·x_j)      (all atoms of the cell)
///     I(h) = m(h) · |F(h)|² · (1 + cos²2θ) / (sin²θ cosθ)
///
/// with f the tabulated X-ray form factors (`AtomicFormFactors`), the Debye–Waller term only when
/// enabled and the site has B, and m the multiplicity: reflections are grouped into families
/// under the Laue group {±R} of the structure's operations, and each family is one
/// `Reflection`. Families that coincide by accident (cubic (333) and (511)) stay separate rows.
/// The Lorentz-polarisation factor is that of an unpolarised beam without monochromator, the
/// convention of pymatgen's `XRDCalculator`; with it, summing coincident rows and scaling the
/// strongest to 100 gives pymatgen's pattern (`scripts/compare-pymatgen.py` checks this).
///
/// Systematic absences (a forbidden reflection of a centred cell, a glide or a screw axis) have
/// |F|² = 0 up to rounding; they are dropped before the intensities are scaled to the strongest,
/// so an absence is never a line, not even when it is the only reflection in the Q range (the
/// pattern is then empty, which `StickLibraryBuilder` reports as "no reflections").
public enum PowderPattern {
    /// A reflection is a systematic absence when |F|² ≤ this × Σ_j |f_j·occ_j·DW_j|² (the sum of
    /// the squared scattering amplitudes of the cell's atoms): rounding leaves |F|² of an
    /// absence near 1e-32 of that sum, while any real reflection is far above 1e-10.
    public static let absenceTolerance = 1e-10

    /// The reflections of `structure`, sorted by Q (then by descending hkl).
    /// - Throws: `ConfigurationError` for bad options, an element without form factors, or a
    ///   structure without atoms.
    public static func reflections(
        of structure: CrystalStructure,
        options: PowderPatternOptions = PowderPatternOptions()
    ) throws -> [Reflection] {
        try options.validate()
        let atoms = structure.cellAtoms()
        guard !atoms.isEmpty else { throw ConfigurationError("\(structure.name): no atoms") }
        let elements = Array(Set(atoms.map(\.element))).sorted()
        var coefficients: [AtomicFormFactors.Coefficients] = []
        for e in elements {
            guard let c = AtomicFormFactors.coefficients(e) else {
                throw ConfigurationError("\(structure.name): no X-ray form factors for element \(e)")
            }
            coefficients.append(c)
        }
        let atomElement = atoms.map { elements.firstIndex(of: $0.element)! }

        let lambda = options.wavelength
        let limit = 40 * Double.pi / lambda  // 4π/λ in nm⁻¹
        let qMax = min(options.qMax, limit)
        let qMinA = options.qMin / 10, qMaxA = qMax / 10  // Å⁻¹
        guard qMax > options.qMin else { return [] }
        let cell = structure.cell
        let gs = cell.reciprocalMetric
        // |h| ≤ |a|·Q/(2π) bounds the box of indices.
        let bound = [cell.a, cell.b, cell.c].map { Int(($0 * qMaxA / (2 * .pi)).rounded(.down)) + 1 }
        let (nh, nk, nl) = (2 * bound[0] + 1, 2 * bound[1] + 1, 2 * bound[2] + 1)
        func index(_ h: Int, _ k: Int, _ l: Int) -> Int? {
            let (i, j, m) = (h + bound[0], k + bound[1], l + bound[2])
            guard i >= 0, i < nh, j >= 0, j < nk, m >= 0, m < nl else { return nil }
            return (i * nk + j) * nl + m
        }
        let laue = laueGroup(structure.operations)
        var visited = [Bool](repeating: false, count: nh * nk * nl)
        var out: [Reflection] = []
        let qTolerance = 1e-9
        for h in -bound[0]...bound[0] {
            for k in -bound[1]...bound[1] {
                for l in -bound[2]...bound[2] {
                    guard let idx = index(h, k, l), !visited[idx], h != 0 || k != 0 || l != 0 else { continue }
                    let inv2 = UnitCell.inverseDSquared(h, k, l, gs)
                    let qA = 2 * Double.pi * inv2.squareRoot()
                    guard qA >= qMinA - qTolerance, qA <= qMaxA + qTolerance else { continue }
                    // The family: h·R for every R of the Laue group.
                    var family: [SIMD3<Int>] = []
                    for r in laue {
                        let g = SIMD3(
                            h * r[0] + k * r[3] + l * r[6], h * r[1] + k * r[4] + l * r[7],
                            h * r[2] + k * r[5] + l * r[8])
                        if !family.contains(g) { family.append(g) }
                    }
                    for g in family { if let j = index(g.x, g.y, g.z) { visited[j] = true } }
                    let rep = family.max { ($0.x, $0.y, $0.z) < ($1.x, $1.y, $1.z) }!
                    let s2 = inv2 / 4
                    let sinTheta = lambda * qA / (4 * Double.pi)
                    guard sinTheta < 1 else { continue }
                    let f = coefficients.map { AtomicFormFactors.formFactor($0, s2: s2) }
                    var re = 0.0, im = 0.0, squares = 0.0
                    for (a, atom) in atoms.enumerated() {
                        var amplitude = f[atomElement[a]] * atom.occupancy
                        if options.debyeWaller, let b = atom.bIso { amplitude *= exp(-b * s2) }
                        squares += amplitude * amplitude
                        let phase =
                            2 * Double.pi
                            * (Double(rep.x) * atom.position.x + Double(rep.y) * atom.position.y
                                + Double(rep.z) * atom.position.z)
                        re += amplitude * cos(phase)
                        im += amplitude * sin(phase)
                    }
                    let f2 = re * re + im * im
                    // A systematic absence: zero up to rounding, never a line.
                    guard f2 > absenceTolerance * squares else { continue }
                    let theta = asin(sinTheta)
                    let cos2t = cos(2 * theta)
                    let lp = (1 + cos2t * cos2t) / (sinTheta * sinTheta * cos(theta))
                    let intensity = Double(family.count) * f2 * lp
                    out.append(
                        Reflection(
                            h: rep.x, k: rep.y, l: rep.z, multiplicity: family.count, d: 1 / inv2.squareRoot(),
                            q: 10 * qA, twoTheta: 2 * theta * 180 / .pi, structureFactorSquared: f2,
                            lorentzPolarisation: lp, intensity: intensity, relativeIntensity: 0))
                }
            }
        }
        let strongest = out.map(\.intensity).max() ?? 0
        guard strongest > 0 else { return [] }
        for i in out.indices { out[i].relativeIntensity = 100 * out[i].intensity / strongest }
        out.removeAll { $0.relativeIntensity < options.minRelativeIntensity }
        out.sort { a, b in
            if abs(a.q - b.q) > 1e-9 { return a.q < b.q }
            return (a.h, a.k, a.l) > (b.h, b.k, b.l)
        }
        return out
    }

    /// The Laue group of the operations: their distinct rotation parts and those times −1
    /// (row-major 3×3 each). A reflection row vector h maps to h·R.
    static func laueGroup(_ operations: [SymmetryOperation]) -> [[Int]] {
        var out: [[Int]] = []
        for op in operations {
            for r in [op.rotation, op.rotation.map { -$0 }] where !out.contains(r) { out.append(r) }
        }
        return out
    }
}
