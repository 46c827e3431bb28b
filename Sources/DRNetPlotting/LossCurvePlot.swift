import DRNetAnalysis
import DRNetEngine
import DRNetIO
import Foundation

/// The loss curves of a solve (`lossHistory` of solution.json: means over 50-step windows):
/// total, reconstruction, Gibbs and smoothness terms against the step, log₁₀ y axis (terms
/// ≤ 0 are left out), stage changes marked by dashed vertical lines; the Gibbs weight γ(t)/γ_max and the
/// share of violating samples are drawn on a linear panel below.
public enum LossCurvePlot {
    public static func plot(_ history: [LossRecord], title: String) -> SVGDocument? {
        guard history.count >= 2 else { return nil }
        let left = 80.0, plotW = 620.0
        var svg = SVGDocument(width: 900, height: 560)
        svg.text("Loss curves — \(title)", x: left + plotW / 2, y: 28, size: 16, anchor: .middle, weight: "bold")
        let series: [(String, String, (LossRecord) -> Double)] = [
            ("total", "black", { $0.total }), ("reconstruction", "#0072B2", { $0.reconstruction }),
            ("Gibbs (entropy + alloy)", "#D55E00", { $0.gibbs }), ("smoothness (unweighted)", "#009E73", { $0.smoothness })
        ]
        let values = series.flatMap { s in history.map(s.2) }.filter { $0 > 0 && $0.isFinite }
        let lo = values.min() ?? 1e-3, hi = values.max() ?? 1
        let steps = history.map { Double($0.step) }
        let x0 = 0.0, x1 = steps.max() ?? 1
        let main = PlotFrame(
            left: left, top: 50, width: plotW, height: 320, x: (x0, x1),
            y: (Foundation.pow(10, Foundation.floor(Foundation.log10(lo))), Foundation.pow(10, Foundation.ceil(Foundation.log10(hi)))),
            logY: true)
        main.draw(into: &svg, xLabel: "", yLabel: "loss (log scale)")
        var legend = PlotLegend()
        for (name, colour, f) in series {
            let pts = history.map { r -> (Double, Double) in
                let v = f(r); return (main.x.map(Double(r.step)), v > 0 && v.isFinite ? main.y.map(v) : .nan)
            }
            svg.polyline(pts, stroke: colour, width: 1.4)
            legend.add(name, colour: colour)
        }
        // Stage changes.
        var stageMarks: [(Double, String)] = []
        for n in 1..<history.count where history[n].stage != history[n - 1].stage {
            stageMarks.append((Double(history[n - 1].step), history[n].stage))
        }
        for (s, name) in stageMarks {
            let px = main.x.map(s)
            svg.line(px, 50, px, 370, stroke: "#888888", width: 1, dash: "4,3")
            svg.text(name, x: px + 4, y: 64, size: 11, fill: "#555555")
        }
        svg.text(history[0].stage, x: left + 4, y: 64, size: 11, fill: "#555555")
        legend.add("stage change", colour: "#888888", swatch: .line(dash: "4,3"))
        legend.draw(into: &svg, x: left + plotW + 15, y: 50)

        let gMax = max(history.map(\.gibbsWeight).max() ?? 1, 1e-12)
        let g = history.map { $0.gibbsWeight / gMax }, v = history.map(\.violatingShare)
        let low = PlotFrame(left: left, top: 400, width: plotW, height: 110, x: (x0, x1), y: (0, 1.05))
        low.draw(into: &svg, xLabel: "training step", yLabel: "share", yTicks: 4)
        svg.polyline(zip(steps, g).map { (low.x.map($0), low.y.map($1)) }, stroke: "#CC79A7", width: 1.4)
        svg.polyline(zip(steps, v).map { (low.x.map($0), low.y.map($1)) }, stroke: "#7F7F7F", width: 1.2)
        var l2 = PlotLegend()
        l2.add("γ(t)/γ_max (γ_max \(String(format: "%g", gMax)))", colour: "#CC79A7")
        l2.add("violating share", colour: "#7F7F7F")
        l2.draw(into: &svg, x: left + plotW + 15, y: 400)
        return svg
    }
}
