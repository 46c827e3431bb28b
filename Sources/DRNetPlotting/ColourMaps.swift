import DRNetAnalysis
import DRNetEngine
import DRNetIO
import Foundation

/// Colours for the plots: a perceptually uniform sequential map for fractions (viridis, from
/// its published anchor colours at ninths, interpolated linearly in sRGB) and a qualitative
/// palette for phases and phase combinations (Okabe–Ito without black, then Tableau-like hues, then evenly
/// spaced hues).
public enum ColourMaps {
    static let viridisAnchors: [(Double, Double, Double)] = [
        (68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142),
        (31, 158, 137), (53, 183, 121), (110, 206, 88), (181, 222, 43), (253, 231, 37)
    ]

    /// viridis(v) for v in [0, 1] (clamped) as "#rrggbb".
    public static func viridis(_ v: Double) -> String {
        let x = min(max(v.isFinite ? v : 0, 0), 1) * Double(viridisAnchors.count - 1)
        let i = min(Int(x), viridisAnchors.count - 2), f = x - Double(i)
        let a = viridisAnchors[i], b = viridisAnchors[i + 1]
        return hex(a.0 + (b.0 - a.0) * f, a.1 + (b.1 - a.1) * f, a.2 + (b.2 - a.2) * f)
    }

    static let qualitative = [
        "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#8C564B", "#7F7F7F",
        "#BCBD22", "#17BECF", "#9467BD", "#F0E442", "#FF9896", "#98DF8A", "#C5B0D5", "#AEC7E8"
    ]

    /// The i-th categorical colour.
    public static func category(_ i: Int) -> String {
        if i < qualitative.count { return qualitative[i] }
        let h = Double((i - qualitative.count) * 137 % 360) / 360
        return hsl(h, 0.55, 0.5)
    }

    static func hsl(_ h: Double, _ s: Double, _ l: Double) -> String {
        func channel(_ n: Double) -> Double {
            let k = (n + h * 12).truncatingRemainder(dividingBy: 12)
            let a = s * min(l, 1 - l)
            return 255 * (l - a * max(-1, min(k - 3, 9 - k, 1)))
        }
        return hex(channel(0), channel(8), channel(4))
    }

    static func hex(_ r: Double, _ g: Double, _ b: Double) -> String {
        String(format: "#%02x%02x%02x", Int(r.rounded()), Int(g.rounded()), Int(b.rounded()))
    }
}
