import DRNetAnalysis
import DRNetEngine
import DRNetIO
import Foundation

/// Ternary composition diagrams: element 0 at the bottom-left corner, element 1 at the
/// bottom-right, element 2 at the top; a sample with cation fractions (a, b, c) sits at
///
///     x = b + c/2,   y = c·√3/2        (unit triangle, y up; flipped for SVG)
///
/// Samples are drawn as discs whose radius is 48 % of the median nearest-neighbour distance on
/// the plot (so a regular grid tiles without overlap). Gridlines every 0.2 of each fraction.
public struct TernaryFrame {
    public var left: Double, top: Double, side: Double
    public var elements: [String]

    public init(left: Double, top: Double, side: Double, elements: [String]) {
        self.left = left; self.top = top; self.side = side; self.elements = elements
    }

    public var height: Double { side * 3.squareRoot() / 2 }

    /// Plot position of cation fractions (M = 3; M = 2 lies on the bottom edge).
    public func point(_ c: ArraySlice<Double>) -> (Double, Double) {
        let v = Array(c)
        let b = v.count > 1 ? v[1] : 0, cc = v.count > 2 ? v[2] : 0
        let total = max(v.reduce(0, +), 1e-12)
        let x = (b + cc / 2) / total, y = cc * 3.squareRoot() / 2 / total
        return (left + x * side, top + height - y * side)
    }

    /// Triangle outline, 0.2 gridlines and the element labels at the corners, `gap` further out
    /// (the disc radius, so a corner sample does not hide its label).
    public func drawFrame(into svg: inout SVGDocument, labelSize: Double = 14, gap: Double = 0) {
        let a = (left, top + height), b = (left + side, top + height), c = (left + side / 2, top)
        svg.polygon([a, b, c], fill: "#fafafa", stroke: "#333333", strokeWidth: 1.2)
        for f in stride(from: 0.2, to: 0.99, by: 0.2) {
            // Lines of constant fraction of each element.
            func lerp(_ p: (Double, Double), _ q: (Double, Double), _ t: Double) -> (Double, Double) {
                (p.0 + (q.0 - p.0) * t, p.1 + (q.1 - p.1) * t)
            }
            for (corner, o1, o2) in [(a, b, c), (b, c, a), (c, a, b)] {
                let p = lerp(o1, corner, f), q = lerp(o2, corner, f)
                svg.line(p.0, p.1, q.0, q.1, stroke: "#dddddd", width: 0.7)
            }
        }
        if elements.count >= 1 {
            svg.text(elements[0], x: a.0 - 6 - gap * 0.7, y: a.1 + 18 + gap * 0.7, size: labelSize, anchor: .end, weight: "bold")
        }
        if elements.count >= 2 {
            svg.text(elements[1], x: b.0 + 6 + gap * 0.7, y: b.1 + 18 + gap * 0.7, size: labelSize, anchor: .start, weight: "bold")
        }
        if elements.count >= 3 { svg.text(elements[2], x: c.0, y: c.1 - 8 - gap, size: labelSize, anchor: .middle, weight: "bold") }
    }

    /// Disc radius: 48 % of the median nearest-neighbour distance on the plot (so a regular grid
    /// tiles without overlap), clamped to 1.5…side/12. Uses graph edges for N > 3000.
    public func discRadius(compositions: [Double], elementCount m: Int, edges: [Edge]) -> Double {
        let n = compositions.count / max(m, 1)
        let pts = (0..<n).map { point(compositions[($0 * m)..<(($0 + 1) * m)]) }
        func dist(_ a: Int, _ b: Int) -> Double {
            ((pts[a].0 - pts[b].0) * (pts[a].0 - pts[b].0) + (pts[a].1 - pts[b].1) * (pts[a].1 - pts[b].1)).squareRoot()
        }
        var nearest = [Double](repeating: .infinity, count: n)
        if n <= 3000 {
            for a in 0..<n { for b in 0..<n where b != a { let d = dist(a, b); if d > 0 { nearest[a] = min(nearest[a], d) } } }
        } else {
            for e in edges { let d = dist(e.i, e.j); if d > 0 { nearest[e.i] = min(nearest[e.i], d); nearest[e.j] = min(nearest[e.j], d) } }
        }
        let finite = nearest.filter { $0.isFinite }.sorted()
        let median = finite.isEmpty ? side / 20 : finite[finite.count / 2]
        return min(max(0.48 * median, 1.5), side / 12)
    }
}

/// A vertical colour bar for fractions 0…1 (viridis) with ticks at 0, 0.25, …, 1 and a title.
public func drawFractionColourBar(into svg: inout SVGDocument, x: Double, y: Double, height: Double, title: String) {
    let stops = (0...10).map { (offset: Double($0) / 10, colour: ColourMaps.viridis(Double($0) / 10)) }
    let id = "cbar\(Int(x))x\(Int(y))"
    svg.verticalGradient(id: id, stops: stops)
    svg.rect(x: x, y: y, width: 14, height: height, fill: "url(#\(id))", stroke: "#333333", strokeWidth: 0.8)
    for v in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let py = y + height - v * height
        svg.line(x + 14, py, x + 19, py, stroke: "#333333")
        svg.text(String(format: v == 0 || v == 1 ? "%.0f" : "%.2f", v), x: x + 22, y: py + 4, size: 11)
    }
    svg.text(title, x: x + 7, y: y - 10, size: 12, anchor: .middle)
}
