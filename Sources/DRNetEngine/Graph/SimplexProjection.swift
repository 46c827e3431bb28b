import Foundation

/// Coordinates of compositions on the simplex plane.
///
/// A composition c ∈ ℝᴹ with Σₖ cₖ = 1 lies on the (M−1)-dimensional affine plane of the simplex.
/// `orthonormal` expresses it in the Helmert basis of the plane's direction space {v : Σ vₖ = 0}:
///
///     bₖ = (1, …, 1, −k, 0, …, 0) / √(k(k+1)),   k = 1 … M−1   (k ones, then −k at position k+1)
///     yₖ = ⟨c, bₖ⟩
///
/// The bₖ are orthonormal and orthogonal to (1, …, 1), so Euclidean distances between compositions
/// are preserved exactly: ‖y − y′‖ = ‖c − c′‖ (for compositions that sum to 1).
///
/// `ternary` gives the usual 2-D ternary-diagram coordinates for M = 3 (vertices at (0,0), (1,0),
/// (½, √3/2)):  x = c₂ + c₃/2,  y = c₃·√3/2.  They are the orthonormal coordinates up to a rotation,
/// a translation and the scale 1/√2, so both give the same Delaunay triangulation.
public enum SimplexProjection {
    /// Projects N×M row-major compositions onto the simplex plane with the orthonormal Helmert basis.
    /// - Returns: N×(M−1) row-major coordinates (empty rows when M ≤ 1).
    /// - Precondition: `compositions.count` is a multiple of `elementCount` (≥ 1).
    public static func orthonormal(compositions: [Double], elementCount m: Int) -> [Double] {
        precondition(m >= 1 && compositions.count % m == 0, "compositions must be N×M with M ≥ 1")
        let n = compositions.count / m
        let d = m - 1
        guard d > 0 else { return [] }
        var out = [Double](repeating: 0, count: n * d)
        for i in 0..<n {
            let row = i * m
            var prefix = 0.0  // c₁ + … + cₖ
            for k in 1...d {
                prefix += compositions[row + k - 1]
                let kk = Double(k)
                out[i * d + k - 1] = (prefix - kk * compositions[row + k]) / (kk * (kk + 1)).squareRoot()
            }
        }
        return out
    }

    /// The usual ternary-diagram coordinates for M = 3: x = c₂ + c₃/2, y = c₃·√3/2.
    /// - Returns: N×2 row-major coordinates.
    /// - Precondition: `compositions.count` is a multiple of 3.
    public static func ternary(compositions: [Double]) -> [Double] {
        precondition(compositions.count % 3 == 0, "ternary compositions must be N×3")
        let n = compositions.count / 3
        let h = 3.0.squareRoot() / 2
        var out = [Double](repeating: 0, count: 2 * n)
        for i in 0..<n {
            let c2 = compositions[3 * i + 1], c3 = compositions[3 * i + 2]
            out[2 * i] = c2 + c3 / 2
            out[2 * i + 1] = c3 * h
        }
        return out
    }
}
