import DRNetAnalysis
import DRNetEngine
import DRNetIO
import Foundation

/// A minimal SVG 1.1 builder (no dependency): shapes and text appended in drawing order, then
/// `text` gives the document. Coordinates are SVG user units (px), y downwards. Text uses a
/// sans-serif family that librsvg and browsers resolve (DejaVu Sans on Debian).
public struct SVGDocument {
    public let width: Double
    public let height: Double
    private var body: [String] = []

    public init(width: Double, height: Double, background: String? = "white") {
        self.width = width
        self.height = height
        if let background { rect(x: 0, y: 0, width: width, height: height, fill: background) }
    }

    static func f(_ x: Double) -> String {
        let r = (x * 100).rounded() / 100
        return r == r.rounded() ? String(Int(r)) : String(format: "%.2f", r)
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    public mutating func raw(_ element: String) { body.append(element) }

    public mutating func rect(
        x: Double, y: Double, width w: Double, height h: Double, fill: String = "none",
        stroke: String? = nil, strokeWidth: Double = 1
    ) {
        body.append(
            "<rect x=\"\(Self.f(x))\" y=\"\(Self.f(y))\" width=\"\(Self.f(w))\" height=\"\(Self.f(h))\" fill=\"\(fill)\""
                + (stroke.map { " stroke=\"\($0)\" stroke-width=\"\(Self.f(strokeWidth))\"" } ?? "") + "/>")
    }

    public mutating func line(
        _ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String = "black",
        width: Double = 1, dash: String? = nil
    ) {
        body.append(
            "<line x1=\"\(Self.f(x1))\" y1=\"\(Self.f(y1))\" x2=\"\(Self.f(x2))\" y2=\"\(Self.f(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(Self.f(width))\""
                + (dash.map { " stroke-dasharray=\"\($0)\"" } ?? "") + "/>")
    }

    /// An open polyline through `points` (NaN points break the line).
    public mutating func polyline(
        _ points: [(Double, Double)], stroke: String, width: Double = 1, dash: String? = nil,
        opacity: Double = 1
    ) {
        var segments: [[(Double, Double)]] = [[]]
        for p in points {
            if p.0.isFinite && p.1.isFinite {
                segments[segments.count - 1].append(p)
            } else if !segments.last!.isEmpty {
                segments.append([])
            }
        }
        for seg in segments where seg.count > 1 {
            let pts = seg.map { "\(Self.f($0.0)),\(Self.f($0.1))" }.joined(separator: " ")
            body.append(
                "<polyline points=\"\(pts)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(Self.f(width))\" stroke-linejoin=\"round\""
                    + (dash.map { " stroke-dasharray=\"\($0)\"" } ?? "") + (opacity < 1 ? " stroke-opacity=\"\(Self.f(opacity))\"" : "")
                    + "/>")
        }
    }

    public mutating func polygon(
        _ points: [(Double, Double)], fill: String, stroke: String? = nil, strokeWidth: Double = 1,
        fillOpacity: Double = 1
    ) {
        let pts = points.map { "\(Self.f($0.0)),\(Self.f($0.1))" }.joined(separator: " ")
        body.append(
            "<polygon points=\"\(pts)\" fill=\"\(fill)\"" + (fillOpacity < 1 ? " fill-opacity=\"\(Self.f(fillOpacity))\"" : "")
                + (stroke.map { " stroke=\"\($0)\" stroke-width=\"\(Self.f(strokeWidth))\"" } ?? "") + "/>")
    }

    public mutating func circle(cx: Double, cy: Double, r: Double, fill: String, stroke: String? = nil, strokeWidth: Double = 0.5) {
        body.append(
            "<circle cx=\"\(Self.f(cx))\" cy=\"\(Self.f(cy))\" r=\"\(Self.f(r))\" fill=\"\(fill)\""
                + (stroke.map { " stroke=\"\($0)\" stroke-width=\"\(Self.f(strokeWidth))\"" } ?? "") + "/>")
    }

    public enum Anchor: String { case start, middle, end }

    /// Text with its baseline at y (or centred vertically with `middleBaseline`), rotated by
    /// `rotate` degrees about (x, y).
    public mutating func text(
        _ s: String, x: Double, y: Double, size: Double = 12, anchor: Anchor = .start,
        weight: String = "normal", fill: String = "black", rotate: Double = 0, middleBaseline: Bool = false
    ) {
        var attrs =
            "x=\"\(Self.f(x))\" y=\"\(Self.f(y))\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"\(Self.f(size))\""
        attrs += " text-anchor=\"\(anchor.rawValue)\" fill=\"\(fill)\""
        if weight != "normal" { attrs += " font-weight=\"\(weight)\"" }
        if middleBaseline { attrs += " dominant-baseline=\"central\"" }
        if rotate != 0 { attrs += " transform=\"rotate(\(Self.f(rotate)) \(Self.f(x)) \(Self.f(y)))\"" }
        body.append("<text \(attrs)>\(Self.escape(s))</text>")
    }

    /// A rough width of `s` at font size `size` (DejaVu Sans averages ≈ 0.6 em per character).
    public static func textWidth(_ s: String, size: Double) -> Double { Double(s.count) * size * 0.6 }

    /// `s` cut to at most `maxWidth` px at font size `size`, ending in "…" when cut.
    public static func fitted(_ s: String, maxWidth: Double, size: Double) -> String {
        let chars = max(4, Int(maxWidth / (size * 0.6)))
        return s.count <= chars ? s : String(s.prefix(chars - 1)) + "…"
    }

    /// A vertical linear gradient (id) from `bottom` to `top` stops for colour bars.
    public mutating func verticalGradient(id: String, stops: [(offset: Double, colour: String)]) {
        let st = stops.map { "<stop offset=\"\(Self.f($0.offset * 100))%\" stop-color=\"\($0.colour)\"/>" }.joined()
        body.append("<defs><linearGradient id=\"\(id)\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">\(st)</linearGradient></defs>")
    }

    public var text: String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.f(width))\" height=\"\(Self.f(height))\" viewBox=\"0 0 \(Self.f(width)) \(Self.f(height))\">\n"
            + body.joined(separator: "\n") + "\n</svg>\n"
    }

    /// Writes the document atomically.
    public func write(to path: String) throws {
        try AtomicFile.write(text, to: path)
    }
}
