import DRNetAnalysis
import DRNetEngine
import DRNetIO
import Foundation

/// Ternary phase maps: one per phase (colour = fraction, viridis, with a colour bar; samples
/// without the phase in light grey) and the combined map of phase regions (one colour per
/// phase combination, legend with sample counts).
public enum PhaseMapPlots {
    /// The map of phase k alone.
    public static func phaseMap(_ d: SolutionPlotData, phase k: Int) -> SVGDocument {
        var svg = SVGDocument(width: 560, height: 500)
        let frame = TernaryFrame(left: 50, top: 70, side: 400, elements: d.elements)
        svg.text("\(d.phaseNames[k]) — phase fraction", x: 280, y: 26, size: 16, anchor: .middle, weight: "bold")
        svg.text(d.title, x: 280, y: 46, size: 12, anchor: .middle, fill: "#555555")
        drawPanel(into: &svg, d, phase: k, frame: frame)
        drawFractionColourBar(into: &svg, x: 490, y: 110, height: 260, title: "fraction")
        svg.circle(cx: 497, cy: 410, r: 5, fill: "#e4e4e4", stroke: "#bbbbbb")
        svg.text("absent", x: 508, y: 414, size: 11)
        return svg
    }

    static func drawPanel(into svg: inout SVGDocument, _ d: SolutionPlotData, phase k: Int, frame: TernaryFrame) {
        let m = d.elements.count, r = frame.discRadius(compositions: d.compositions, elementCount: m, edges: d.edges)
        frame.drawFrame(into: &svg, labelSize: frame.side > 250 ? 14 : 11, gap: r)
        for i in 0..<d.sampleCount {
            let (x, y) = frame.point(d.compositions[(i * m)..<((i + 1) * m)])
            let w = d.fractions[i * d.phaseCount + k]
            if w >= d.presenceThreshold && w > 0 {
                svg.circle(cx: x, cy: y, r: r, fill: ColourMaps.viridis(w), stroke: "#333333", strokeWidth: 0.3)
            } else {
                svg.circle(cx: x, cy: y, r: r * 0.8, fill: "#e4e4e4", stroke: "#bbbbbb", strokeWidth: 0.3)
            }
        }
    }

    /// Small multiples: every phase's map in a grid of up to 3 columns, one colour bar.
    public static func overview(_ d: SolutionPlotData) -> SVGDocument {
        let cols = min(3, max(d.phaseCount, 1)), rows = (d.phaseCount + cols - 1) / cols
        let panelW = 300.0, panelH = 300.0
        var svg = SVGDocument(width: Double(cols) * panelW + 90, height: Double(rows) * panelH + 60)
        svg.text("Phase fractions — \(d.title)", x: (Double(cols) * panelW) / 2, y: 28, size: 16, anchor: .middle, weight: "bold")
        for k in 0..<d.phaseCount {
            let cx = Double(k % cols) * panelW, cy = 50 + Double(k / cols) * panelH
            svg.text(
                SVGDocument.fitted(d.phaseNames[k], maxWidth: panelW - 20, size: 13), x: cx + panelW / 2, y: cy + 22, size: 13,
                anchor: .middle, weight: "bold")
            let frame = TernaryFrame(left: cx + 40, top: cy + 50, side: panelW - 80, elements: d.elements)
            drawPanel(into: &svg, d, phase: k, frame: frame)
        }
        drawFractionColourBar(into: &svg, x: Double(cols) * panelW + 20, y: 90, height: 220, title: "fraction")
        return svg
    }

    /// Phase combinations present, ordered by size of the set then name, with their samples.
    static func combinations(_ d: SolutionPlotData) -> [(set: [Int], samples: [Int])] {
        var by: [[Int]: [Int]] = [:]
        for i in 0..<d.sampleCount { by[d.present(i), default: []].append(i) }
        return by.keys.sorted { $0.count != $1.count ? $0.count < $1.count : $0.lexicographicallyPrecedes($1) }.map { ($0, by[$0]!) }
    }

    /// The combined map: one colour per phase combination.
    public static func regionMap(_ d: SolutionPlotData) -> SVGDocument {
        let combos = combinations(d)
        var legend = PlotLegend()
        for (n, c) in combos.enumerated() {
            let name = c.set.isEmpty ? "(no phase)" : c.set.map { d.phaseNames[$0] }.joined(separator: " + ")
            legend.add("\(name)  (\(c.samples.count))", colour: ColourMaps.category(n), swatch: .square)
        }
        let (lw, lh) = legend.size()
        let height = max(520, lh + 90)
        var svg = SVGDocument(width: 480 + lw + 30, height: height)
        svg.text("Phase regions — \(d.title)", x: (480 + lw + 30) / 2, y: 28, size: 16, anchor: .middle, weight: "bold")
        let frame = TernaryFrame(left: 40, top: 80, side: 400, elements: d.elements)
        let m = d.elements.count, r = frame.discRadius(compositions: d.compositions, elementCount: m, edges: d.edges)
        frame.drawFrame(into: &svg, gap: r)
        for (n, c) in combos.enumerated() {
            for i in c.samples {
                let (x, y) = frame.point(d.compositions[(i * m)..<((i + 1) * m)])
                svg.circle(cx: x, cy: y, r: r, fill: ColourMaps.category(n), stroke: "#333333", strokeWidth: 0.3)
            }
        }
        svg.text("phase combination (samples)", x: 480, y: 62, size: 12, weight: "bold")
        legend.draw(into: &svg, x: 480, y: 70)
        return svg
    }
}
