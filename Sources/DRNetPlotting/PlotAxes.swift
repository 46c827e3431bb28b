import DRNetAnalysis
import DRNetEngine
import DRNetIO
import Foundation

/// A linear (or log₁₀) axis mapping data values to pixels, with "nice" tick values
/// (steps 1, 2, 2.5 or 5 × 10ⁿ; decades for log axes).
public struct PlotAxis {
    public var lower: Double
    public var upper: Double
    public var pixelLower: Double
    public var pixelUpper: Double
    public var logarithmic: Bool

    public init(lower: Double, upper: Double, pixelLower: Double, pixelUpper: Double, logarithmic: Bool = false) {
        var lo = lower, hi = upper
        if logarithmic { lo = Foundation.log10(max(lo, 1e-300)); hi = Foundation.log10(max(hi, 1e-300)) }
        if !(hi > lo) { hi = lo + 1 }
        self.lower = lo
        self.upper = hi
        self.pixelLower = pixelLower
        self.pixelUpper = pixelUpper
        self.logarithmic = logarithmic
    }

    /// Pixel position of data value v.
    public func map(_ v: Double) -> Double {
        let x = logarithmic ? Foundation.log10(max(v, 1e-300)) : v
        return pixelLower + (x - lower) / (upper - lower) * (pixelUpper - pixelLower)
    }

    /// Tick values within the range, about `target` of them.
    public func ticks(target: Int = 6) -> [Double] {
        if logarithmic {
            let a = Int(Foundation.floor(lower)), b = Int(Foundation.ceil(upper))
            let every = max(1, (b - a) / max(target, 1))
            return stride(from: a, through: b, by: every).map { Foundation.pow(10, Double($0)) }
                .filter {
                    let l = Foundation.log10($0); return l >= lower - 1e-9 && l <= upper + 1e-9
                }
        }
        let raw = (upper - lower) / Double(max(target, 1))
        let mag = Foundation.pow(10, Foundation.floor(Foundation.log10(raw)))
        let step = [1, 2, 2.5, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
        var out: [Double] = []
        var v = Foundation.ceil(lower / step - 1e-9) * step
        while v <= upper + step * 1e-9 { out.append(abs(v) < step * 1e-9 ? 0 : v); v += step }
        return out
    }

    /// A tick label: integers without decimals, others with as many decimals as the step needs;
    /// log axes as 10^n.
    public func label(_ v: Double, ticks: [Double]) -> String {
        if logarithmic {
            let e = Int(Foundation.log10(v).rounded())
            return e == 0 ? "1" : (e == 1 ? "10" : "1e\(e)")
        }
        let step = ticks.count > 1 ? abs(ticks[1] - ticks[0]) : 1
        var decimals = max(0, Int((-Foundation.log10(step)).rounded(.up)))
        let scaled = step * Foundation.pow(10, Double(decimals))
        if abs(scaled.rounded() - scaled) > 1e-6 { decimals += 1 }
        return String(format: "%.\(decimals)f", v)
    }
}

/// A rectangular plot frame with axes, ticks, labels and a title.
public struct PlotFrame {
    public var x: PlotAxis
    public var y: PlotAxis
    public var left: Double, top: Double, width: Double, height: Double

    public init(
        left: Double, top: Double, width: Double, height: Double, x: (Double, Double), y: (Double, Double),
        logY: Bool = false
    ) {
        self.left = left; self.top = top; self.width = width; self.height = height
        self.x = PlotAxis(lower: x.0, upper: x.1, pixelLower: left, pixelUpper: left + width)
        self.y = PlotAxis(lower: y.0, upper: y.1, pixelLower: top + height, pixelUpper: top, logarithmic: logY)
    }

    /// Draws the frame, grid lines, ticks with labels and the axis titles.
    public func draw(into svg: inout SVGDocument, xLabel: String, yLabel: String, title: String? = nil, xTicks: Int = 8, yTicks: Int = 5) {
        svg.rect(x: left, y: top, width: width, height: height, fill: "white", stroke: "#333333", strokeWidth: 1)
        let xt = x.ticks(target: xTicks), yt = y.ticks(target: yTicks)
        for v in xt {
            let px = x.map(v)
            svg.line(px, top, px, top + height, stroke: "#e6e6e6", width: 0.8)
            svg.line(px, top + height, px, top + height + 5, stroke: "#333333")
            svg.text(x.label(v, ticks: xt), x: px, y: top + height + 18, size: 11, anchor: .middle)
        }
        for v in yt {
            let py = y.map(v)
            svg.line(left, py, left + width, py, stroke: "#e6e6e6", width: 0.8)
            svg.line(left - 5, py, left, py, stroke: "#333333")
            svg.text(y.label(v, ticks: yt), x: left - 8, y: py + 4, size: 11, anchor: .end)
        }
        svg.rect(x: left, y: top, width: width, height: height, stroke: "#333333", strokeWidth: 1)
        svg.text(xLabel, x: left + width / 2, y: top + height + 38, size: 13, anchor: .middle)
        svg.text(yLabel, x: left - 52, y: top + height / 2, size: 13, anchor: .middle, rotate: -90)
        if let title { svg.text(title, x: left + width / 2, y: top - 12, size: 14, anchor: .middle, weight: "bold") }
    }
}

/// A legend box: coloured swatches (lines or squares) with labels, drawn at (x, y) top-left.
public struct PlotLegend {
    public enum Swatch {
        case line(dash: String?)
        case square
    }
    public var entries: [(label: String, colour: String, swatch: Swatch)] = []
    public init() {}

    public mutating func add(_ label: String, colour: String, swatch: Swatch = .line(dash: nil)) {
        entries.append((label, colour, swatch))
    }

    public func size(fontSize: Double = 11) -> (width: Double, height: Double) {
        let w = (entries.map { SVGDocument.textWidth($0.label, size: fontSize) }.max() ?? 0) + 40
        return (w, Double(entries.count) * (fontSize + 6) + 10)
    }

    public func draw(into svg: inout SVGDocument, x: Double, y: Double, fontSize: Double = 11, background: Bool = true) {
        let (w, h) = size(fontSize: fontSize)
        if background { svg.rect(x: x, y: y, width: w, height: h, fill: "white", stroke: "#999999", strokeWidth: 0.8) }
        for (n, e) in entries.enumerated() {
            let cy = y + 5 + (Double(n) + 0.5) * (fontSize + 6)
            switch e.swatch {
            case .line(let dash): svg.line(x + 6, cy, x + 28, cy, stroke: e.colour, width: 2, dash: dash)
            case .square: svg.rect(x: x + 10, y: cy - 6, width: 12, height: 12, fill: e.colour, stroke: "#555555", strokeWidth: 0.5)
            }
            svg.text(e.label, x: x + 34, y: cy + fontSize * 0.35, size: fontSize)
        }
    }
}
