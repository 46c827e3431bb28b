import DRNetEngine
import DRNetIO
import Foundation

/// A crystal lattice given by its six cell parameters: edge lengths a, b, c in Å and angles
/// α (between b and c), β (between a and c), γ (between a and b) in degrees.
///
/// The metric tensor G = [[a², ab cosγ, ac cosβ], [ab cosγ, b², bc cosα], [ac cosβ, bc cosα, c²]]
/// gives distances between fractional coordinates (|Δx|² = Δxᵀ G Δx); its inverse G* is the
/// reciprocal metric, so for Miller indices h = (h, k, l)
///
///     1/d² = hᵀ G* h          (d in Å)
///     Q = 2π / d              (the scattering-vector magnitude, Q = 4π sinθ / λ)
///
/// This works for every crystal system (the general metric). Q is reported in nm⁻¹ (Å⁻¹ × 10),
/// the unit of every Q grid and stick file of the project.
public struct UnitCell: Sendable, Equatable {
    public var a: Double, b: Double, c: Double
    public var alpha: Double, beta: Double, gamma: Double

    /// Throws `ConfigurationError` unless the lengths are positive and finite and the angles
    /// describe a cell of positive volume.
    public init(a: Double, b: Double, c: Double, alpha: Double = 90, beta: Double = 90, gamma: Double = 90) throws {
        self.a = a; self.b = b; self.c = c
        self.alpha = alpha; self.beta = beta; self.gamma = gamma
        guard [a, b, c].allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw ConfigurationError("cell lengths must be positive and finite (Å), got a=\(a) b=\(b) c=\(c)")
        }
        guard [alpha, beta, gamma].allSatisfy({ $0.isFinite && $0 > 0 && $0 < 180 }),
            volumeFactor > 1e-6
        else {
            throw ConfigurationError("cell angles α=\(alpha) β=\(beta) γ=\(gamma) do not make a cell of positive volume")
        }
    }

    private static func rad(_ deg: Double) -> Double { deg * .pi / 180 }

    /// sqrt(1 − cos²α − cos²β − cos²γ + 2 cosα cosβ cosγ): the volume over abc.
    private var volumeFactor: Double {
        let ca = cos(Self.rad(alpha)), cb = cos(Self.rad(beta)), cg = cos(Self.rad(gamma))
        let v = 1 - ca * ca - cb * cb - cg * cg + 2 * ca * cb * cg
        return v > 0 ? v.squareRoot() : 0
    }

    /// Cell volume, Å³.
    public var volume: Double { a * b * c * volumeFactor }

    /// The metric tensor G (row-major 3×3, Å²).
    public var metric: [Double] {
        let ca = cos(Self.rad(alpha)), cb = cos(Self.rad(beta)), cg = cos(Self.rad(gamma))
        return [
            a * a, a * b * cg, a * c * cb,
            a * b * cg, b * b, b * c * ca,
            a * c * cb, b * c * ca, c * c
        ]
    }

    /// The reciprocal metric G* = G⁻¹ (row-major 3×3, Å⁻²).
    public var reciprocalMetric: [Double] {
        let g = metric
        let det =
            g[0] * (g[4] * g[8] - g[5] * g[7]) - g[1] * (g[3] * g[8] - g[5] * g[6])
            + g[2] * (g[3] * g[7] - g[4] * g[6])
        let inv: [Double] = [
            g[4] * g[8] - g[5] * g[7], g[2] * g[7] - g[1] * g[8], g[1] * g[5] - g[2] * g[4],
            g[5] * g[6] - g[3] * g[8], g[0] * g[8] - g[2] * g[6], g[2] * g[3] - g[0] * g[5],
            g[3] * g[7] - g[4] * g[6], g[1] * g[6] - g[0] * g[7], g[0] * g[4] - g[1] * g[3]
        ]
        return inv.map { $0 / det }
    }

    /// 1/d² (Å⁻²) of the reflection (h, k, l), from the reciprocal metric `gs`.
    @inline(__always)
    static func inverseDSquared(_ h: Int, _ k: Int, _ l: Int, _ gs: [Double]) -> Double {
        let x = Double(h), y = Double(k), z = Double(l)
        return x * x * gs[0] + y * y * gs[4] + z * z * gs[8] + 2 * (x * y * gs[1] + x * z * gs[2] + y * z * gs[5])
    }

    /// Interplanar spacing d (Å) of the reflection (h, k, l); infinite for (0, 0, 0).
    public func dSpacing(_ h: Int, _ k: Int, _ l: Int) -> Double {
        1 / Self.inverseDSquared(h, k, l, reciprocalMetric).squareRoot()
    }

    /// Q = 2π/d of the reflection (h, k, l), nm⁻¹.
    public func q(_ h: Int, _ k: Int, _ l: Int) -> Double { 20 * .pi / dSpacing(h, k, l) }

    /// Distance (Å) between two fractional positions, taking the nearest periodic image.
    public func distance(_ x: SIMD3<Double>, _ y: SIMD3<Double>) -> Double {
        var d = x - y
        d -= d.rounded(.toNearestOrAwayFromZero)
        let g = metric
        let s =
            d.x * d.x * g[0] + d.y * d.y * g[4] + d.z * d.z * g[8]
            + 2 * (d.x * d.y * g[1] + d.x * d.z * g[2] + d.y * d.z * g[5])
        return max(0, s).squareRoot()
    }
}
