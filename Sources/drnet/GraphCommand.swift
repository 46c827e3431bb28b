import ArgumentParser
import DRNetCore
import Foundation

struct Graph: ReportingCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build the composition graph of a library and compare it with the library's edges.csv / neighbors.txt.",
        discussion: """
            The graph is the Delaunay triangulation of the compositions projected onto the simplex plane \
            (M = 3), a path (M ≤ 2) or a connected k-nearest-neighbour graph (M ≥ 4). --out writes it as edges.csv.
            """)

    @Argument(help: "Library folder.") var libraryDir: String
    @Option(help: "Write the computed graph to this edges.csv file.") var out: String?
    @Flag(help: "JSON output.") var json = false

    struct Report: Codable {
        var samples: Int
        var edges: Int
        var meanDegree: Double
        var connected: Bool
        var method: String
        var referenceFile: String?
        var referenceEdges: Int?
        var common: Int?
        var onlyComputed: Int?
        var onlyReference: Int?
    }

    func execute() throws {
        let lib = try LibraryLoader.load(directory: libraryDir)
        guard lib.elementCount > 0 else {
            throw CommandFailure(
                .badInput, "\(libraryDir): expected a library with compositions, found none (M = 0): it has no composition graph")
        }
        let graph = try CompositionGraph.build(compositions: lib.compositions, elementCount: lib.elementCount)
        let m = lib.elementCount
        var report = Report(
            samples: lib.sampleCount, edges: graph.edges.count, meanDegree: graph.meanDegree,
            connected: graph.isConnected,
            method: m == 3 ? "Delaunay triangulation" : (m <= 2 ? "composition path" : "k-nearest neighbours"))
        if let given = lib.edges {
            let reference = try CompositionGraph(sampleCount: lib.sampleCount, edges: given)
            let a = graph.agreement(with: reference)
            report.referenceFile = lib.sources.edges
            report.referenceEdges = reference.edges.count
            report.common = a.common
            report.onlyComputed = a.onlySelf
            report.onlyReference = a.onlyOther
        }
        if let out {
            let text = "i,j\n" + graph.edges.map { "\($0.i),\($0.j)" }.joined(separator: "\n") + "\n"
            try SolutionWriter.atomicWrite(text, to: out)
        }
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try enc.encode(report), as: UTF8.self))
        } else {
            print(
                "\(report.method): \(report.samples) samples, \(report.edges) edges, mean degree "
                    + String(format: "%.3f", report.meanDegree) + (report.connected ? ", connected" : ", NOT connected"))
            if let file = report.referenceFile, let c = report.common {
                print(
                    "vs \(file) (\(report.referenceEdges!) edges): \(c) in both, \(report.onlyComputed!) only computed, \(report.onlyReference!) only in the file"
                )
            }
        }
    }
}
