/// Exact geometric predicates on integer (snapped) coordinates, used by `DelaunayTriangulation`.
///
/// Points are snapped to an integer grid with coordinates in [0, 2³⁰]. Then
///  - orient(a, b, c) = (bx−ax)(cy−ay) − (by−ay)(cx−ax): each factor |·| ≤ 2³⁰, each product ≤ 2⁶⁰,
///    the difference ≤ 2⁶¹: exact in Int64.
///  - inCircle(a, b, c, d) = det [adx ady ‖ad‖²; bdx bdy ‖bd‖²; cdx cdy ‖cd‖²] (adx = ax − dx, …):
///    lifts and 2×2 minors ≤ 2⁶¹ (Int64), their products ≤ 2¹²², the sum of three < 2¹²⁷:
///    exact in the 128-bit accumulator below (no platform `Int128` needed).
/// Both predicates therefore return the exact sign, so the triangulation is always a valid planar
/// triangulation of the snapped points, with no epsilon to tune.
enum ExactPredicates {
    /// Largest snapped coordinate.
    static let gridMax: Int64 = 1 << 30

    /// Sign of the signed area of (a, b, c): > 0 counter-clockwise, 0 collinear, < 0 clockwise.
    @inline(__always)
    static func orient(_ ax: Int64, _ ay: Int64, _ bx: Int64, _ by: Int64, _ cx: Int64, _ cy: Int64) -> Int {
        let det = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)
        return det > 0 ? 1 : (det < 0 ? -1 : 0)
    }

    /// > 0 when d lies strictly inside the circumcircle of the counter-clockwise triangle (a, b, c),
    /// 0 when on it, < 0 outside.
    static func inCircle(_ a: (Int64, Int64), _ b: (Int64, Int64), _ c: (Int64, Int64), _ d: (Int64, Int64)) -> Int {
        let adx = a.0 - d.0, ady = a.1 - d.1
        let bdx = b.0 - d.0, bdy = b.1 - d.1
        let cdx = c.0 - d.0, cdy = c.1 - d.1
        let alift = adx * adx + ady * ady
        let blift = bdx * bdx + bdy * bdy
        let clift = cdx * cdx + cdy * cdy
        var sum = Wide.product(alift, bdx * cdy - cdx * bdy)
        sum.add(Wide.product(blift, cdx * ady - adx * cdy))
        sum.add(Wide.product(clift, adx * bdy - bdx * ady))
        return sum.signum
    }

    /// A two's-complement 128-bit integer, just enough for sums of 64×64-bit products.
    struct Wide {
        var high: Int64
        var low: UInt64

        static func product(_ a: Int64, _ b: Int64) -> Wide {
            let r = a.multipliedFullWidth(by: b)
            return Wide(high: r.high, low: r.low)
        }

        mutating func add(_ o: Wide) {
            let (l, carry) = low.addingReportingOverflow(o.low)
            low = l
            high = high &+ o.high &+ (carry ? 1 : 0)
        }

        var signum: Int { high < 0 ? -1 : ((high == 0 && low == 0) ? 0 : 1) }
    }
}
