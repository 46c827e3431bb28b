import DRNetAnalysis
import DRNetEngine
import DRNetIO
import Foundation

/// Per-sample fit: the measured pattern x̃ = I/max I (black), the reconstruction
/// x̂ = (Σ_k R_k + BG)/max I (red, dashed), each phase's contribution R_k/max I (colours of the
/// phase), the fitted background BG/max I (grey, dotted) when the solution has one, and, in a
/// panel below on the same Q axis, the residual x̃ − x̂. Q in nm⁻¹.
public enum FitPlot {
    public static func plot(_ d: SolutionPlotData, sample i: Int) -> SVGDocument? {
        guard let r = d.contributions else { return nil }
        let t = d.gridCount, k = d.phaseCount
        let raw = d.patterns[(i * t)..<((i + 1) * t)]
        let mx = Double(raw.max() ?? 1)
        let inv = mx > 0 ? 1 / mx : 0
        let x = raw.map { Double($0) * inv }
        var recon = [Double](repeating: 0, count: t)
        let used = (0..<k).filter { kk in (0..<t).contains { r[(i * k + kk) * t + $0] != 0 } }
        var parts: [(Int, [Double])] = []
        for kk in used {
            let c = (0..<t).map { Double(r[(i * k + kk) * t + $0]) * inv }
            for j in 0..<t { recon[j] += c[j] }
            parts.append((kk, c))
        }
        let background = d.background(of: i).map { $0.map { Double($0) * inv } }
        if let background { for j in 0..<t { recon[j] += background[j] } }
        let residual = zip(x, recon).map { $0 - $1 }
        var l1 = 0.0, mass = 0.0
        for j in 0..<t { l1 += abs(residual[j]); mass += abs(x[j]) }

        let left = 75.0, plotW = 590.0
        let longest = used.map { "\(d.phaseNames[$0]) (w 0.00)" }.map { SVGDocument.textWidth($0, size: 11) }.max() ?? 0
        let width = max(900.0, left + plotW + 15 + longest + 50)
        var svg = SVGDocument(width: width, height: 560)
        svg.text("Sample \(i): fit", x: left + plotW / 2, y: 26, size: 16, anchor: .middle, weight: "bold")
        svg.text(
            "\(d.title) — \(d.compositionText(i)) — L1 share \(String(format: "%.3f", mass > 0 ? l1 / mass : 0))",
            x: left + plotW / 2, y: 46, size: 12, anchor: .middle, fill: "#555555")
        let q0 = Double(d.q.first ?? 0), q1 = Double(d.q.last ?? 1)
        let top = max(1.05, (recon.max() ?? 1) * 1.05)
        let main = PlotFrame(left: left, top: 70, width: plotW, height: 300, x: (q0, q1), y: (0, top))
        main.draw(into: &svg, xLabel: "", yLabel: "intensity (I / max I)")
        func pts(_ v: [Double], _ f: PlotFrame) -> [(Double, Double)] { (0..<t).map { (f.x.map(Double(d.q[$0])), f.y.map(v[$0])) } }
        var legend = PlotLegend()
        for (n, (kk, c)) in parts.enumerated() {
            let colour = ColourMaps.category(kk)
            svg.polyline(pts(c, main), stroke: colour, width: 1.2, opacity: 0.9)
            let w = d.fractions[i * k + kk]
            legend.add("\(d.phaseNames[kk]) (w \(String(format: "%.2f", w)))", colour: colour)
            _ = n
        }
        if let background {
            svg.polyline(pts(background, main), stroke: "#7f7f7f", width: 1.2, dash: "2,2")
            legend.add("background", colour: "#7f7f7f", swatch: .line(dash: "2,2"))
        }
        svg.polyline(pts(x, main), stroke: "black", width: 1.3)
        svg.polyline(pts(recon, main), stroke: "#d62728", width: 1.3, dash: "5,3")
        legend.entries.insert(("reconstruction", "#d62728", .line(dash: "5,3")), at: 0)
        legend.entries.insert(("measured", "black", .line(dash: nil)), at: 0)
        legend.entries.append(("residual (lower panel)", "#555555", .line(dash: nil)))
        legend.draw(into: &svg, x: left + plotW + 15, y: 70)

        let rmax = max(0.05, residual.map { abs($0) }.max() ?? 0.05) * 1.1
        let low = PlotFrame(left: left, top: 400, width: plotW, height: 110, x: (q0, q1), y: (-rmax, rmax))
        low.draw(into: &svg, xLabel: "Q (nm⁻¹)", yLabel: "residual", yTicks: 4)
        svg.line(left, low.y.map(0), left + plotW, low.y.map(0), stroke: "#999999", width: 0.8)
        svg.polyline(pts(residual, low), stroke: "#555555", width: 1)
        return svg
    }

    /// A default choice of up to `count` samples worth looking at: the worst fit (largest L1
    /// share), the one with the most phases, a median fit, then spread over the library.
    public static func defaultSamples(_ d: SolutionPlotData, count: Int = 4) -> [Int] {
        guard let r = d.contributions, d.sampleCount > 0 else { return [] }
        let t = d.gridCount, k = d.phaseCount
        let shares: [Double] = (0..<d.sampleCount).map { i in
            let raw = d.patterns[(i * t)..<((i + 1) * t)]
            let mx = Double(raw.max() ?? 1)
            var l1 = 0.0, mass = 0.0
            for j in 0..<t {
                var rec = 0.0
                for kk in 0..<k { rec += Double(r[(i * k + kk) * t + j]) }
                if let bg = d.background(of: i) { rec += Double(bg[bg.startIndex + j]) }
                l1 += abs(Double(raw[raw.startIndex + j]) - rec) / mx
                mass += Double(raw[raw.startIndex + j]) / mx
            }
            return mass > 0 ? l1 / mass : 0
        }
        let byShare = (0..<d.sampleCount).sorted { shares[$0] != shares[$1] ? shares[$0] > shares[$1] : $0 < $1 }
        var picks: [Int] = []
        func add(_ i: Int) { if !picks.contains(i) && picks.count < count { picks.append(i) } }
        add(byShare[0])
        add(
            (0..<d.sampleCount).max {
                d.present($0).count < d.present($1).count || (d.present($0).count == d.present($1).count && $0 > $1)
            }!)
        add(byShare[byShare.count / 2])
        var j = 0
        while picks.count < min(count, d.sampleCount) { add((j * d.sampleCount) / max(count, 1) % d.sampleCount); j += 1 }
        return picks
    }
}
