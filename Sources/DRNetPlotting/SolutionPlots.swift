import DRNetAnalysis
import DRNetEngine
import DRNetIO
import Foundation

/// Writes the pictures of a solution into a folder (`plots/` of a solution folder):
///
/// - `phase-maps.svg`: every phase's ternary map (small multiples);
/// - `phase-<k>-<name>.svg`: one map per phase (k 1-based, name made file-safe);
/// - `regions.svg`: the combined map of phase regions;
/// - `fit-sample-<i>.svg`: per-sample fits (needs R, i.e. solution.txt);
/// - `loss.svg`: the loss curves (needs solution.json's loss history);
///
/// and, when `png` is set and `rsvg-convert` (Debian: librsvg2-bin) is on the PATH, a PNG
/// beside each SVG. Ternary maps need M = 2 or 3 elements; other M skip them.
public enum SolutionPlots {
    public struct Written: Sendable {
        public var svg: [String] = []
        public var png: [String] = []
        public var notes: [String] = []
    }

    public static func write(_ d: SolutionPlotData, to directory: String, samples: [Int]? = nil, png: Bool = true) throws -> Written {
        try SolutionCommit.createFolder(directory)  // OutputError with the system's cause
        var out = Written()
        func save(_ svg: SVGDocument, _ name: String) throws {
            let path = directory + "/" + name
            try svg.write(to: path)
            out.svg.append(path)
        }
        if (2...3).contains(d.elements.count) {
            try save(PhaseMapPlots.overview(d), "phase-maps.svg")
            for k in 0..<d.phaseCount { try save(PhaseMapPlots.phaseMap(d, phase: k), "phase-\(k + 1)-\(fileSafe(d.phaseNames[k])).svg") }
            try save(PhaseMapPlots.regionMap(d), "regions.svg")
        } else {
            out.notes.append("ternary maps skipped: \(d.elements.count) elements (need 2 or 3)")
        }
        if d.contributions != nil {
            let picks = samples ?? FitPlot.defaultSamples(d)
            for i in picks where i >= 0 && i < d.sampleCount {
                if let svg = FitPlot.plot(d, sample: i) { try save(svg, "fit-sample-\(i).svg") }
            }
        } else {
            out.notes.append("fit plots skipped: the solution has no per-phase reconstructions (R<i>_<k>)")
        }
        if let svg = LossCurvePlot.plot(d.lossHistory, title: d.title) {
            try save(svg, "loss.svg")
        } else {
            out.notes.append("loss curves skipped: no loss history (solution.json)")
        }
        if png {
            if let tool = PNGConverter.available() {
                for s in out.svg {
                    let p = String(s.dropLast(4)) + ".png"
                    if PNGConverter.convert(svg: s, png: p, tool: tool) {
                        out.png.append(p)
                    } else {
                        out.notes.append("PNG conversion failed for \(s)")
                    }
                }
            } else {
                out.notes.append("PNGs skipped: rsvg-convert not found (Debian package librsvg2-bin)")
            }
        }
        return out
    }

    static func fileSafe(_ s: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        let mapped = String(s.map { allowed.contains($0) ? $0 : "_" })
        return String(mapped.prefix(60))
    }
}

/// SVG → PNG with `rsvg-convert` (librsvg), when installed.
public enum PNGConverter {
    /// The path of `rsvg-convert` on the PATH, or nil.
    public static func available() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/rsvg-convert"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Converts at 1× (the SVG's pixel size) with a white background; true on success. Writes
    /// to a temporary name and renames.
    public static func convert(svg: String, png: String, tool: String) -> Bool {
        let tmp = png + ".partial"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = ["--background-color=white", "-o", tmp, svg]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return false }
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { try? FileManager.default.removeItem(atPath: tmp); return false }
        try? FileManager.default.removeItem(atPath: png)
        return (try? FileManager.default.moveItem(atPath: tmp, toPath: png)) != nil
    }
}
