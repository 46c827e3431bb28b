import XCTest
@testable import DRNetAnalysis
@testable import DRNetCore
@testable import DRNetCrystal
@testable import DRNetEngine
@testable import DRNetIO
@testable import DRNetPlotting
@testable import DRNetSynthetic
import TestSupport

/// The synthetic-library generator: lever rule, phase rules by construction, determinism.
final class SynthTests: XCTestCase {
    func testLeverRuleObeysGibbsAndElementRules() throws {
        let diagram = try MgAlTiODiagram.diagram()
        let d = 30
        for a in 0...d {
            for b in 0...(d - a) {
                let c = [Double(a), Double(b), Double(d - a - b)].map { $0 / Double(d) }
                let present = try XCTUnwrap(diagram.decompose(c), "\(c)")
                XCTAssertEqual(present.map(\.fraction).reduce(0, +), 1, accuracy: 1e-9)
                let elementsPresent = c.filter { $0 > 0 }.count
                XCTAssertLessThanOrEqual(present.count, elementsPresent, "Gibbs rule at \(c)")
                // Lever rule: the phases' compositions average to the sample's.
                for m in 0..<3 {
                    let mix = present.map { p -> Double in
                        let phase = diagram.phases[p.phase]
                        guard let end = phase.solubilityEnd else { return p.fraction * phase.composition[m] }
                        let t = (p.shift - 1) / (phase.endShift - 1)
                        return p.fraction * ((1 - t) * phase.composition[m] + t * end[m])
                    }.reduce(0, +)
                    XCTAssertEqual(mix, c[m], accuracy: 1e-9)
                }
                // Element rule: no phase where one of its cations is absent.
                for p in present {
                    for m in 0..<3 where diagram.phases[p.phase].composition[m] > 0 { XCTAssertGreaterThan(c[m], 0) }
                }
                // A solid solution away from its start composition leaves one degree of freedom less.
                if present.contains(where: { abs($0.shift - 1) > 1e-12 && abs($0.shift - diagram.phases[$0.phase].endShift) > 1e-12 }) {
                    XCTAssertLessThanOrEqual(present.count, max(1, elementsPresent - 1), "alloying rule at \(c)")
                }
            }
        }
    }

    func testSolubilitySegmentMustBeATieLine() {
        var phases = MgAlTiODiagram.phases
        phases[0].solubilityEnd = [0.1, 0.1, 0.8]  // periclase reaching across the diagram
        phases[0].endShift = 0.98
        XCTAssertThrowsError(try PhaseDiagram(phases: phases)) { e in
            XCTAssertTrue("\(e)".contains("MgO-periclase"), "\(e)")
        }
        XCTAssertThrowsError(try PhaseDiagram(phases: Array(MgAlTiODiagram.phases.dropFirst())))  // no Mg corner
    }

    private func candidates() throws -> [ComputedPhase] {
        var options = PowderPatternOptions(); options.qMin = 15; options.qMax = 70; options.minRelativeIntensity = 0.1
        return try StickLibraryBuilder.phases(
            fromCIFs: MgAlTiODiagram.candidates.map {
                CIFReaderTests.structurePath(MgAlTiODiagram.structureFolder, $0)
            }, options: options)
    }

    func testGenerationIsDeterministicBySeedAndReadsBack() throws {
        let cands = try candidates()
        let diagram = try MgAlTiODiagram.diagram()
        var o = SynthOptions(); o.divisions = 6; o.background = 0.05
        let a = try SynthGenerator.generate(candidates: cands, diagram: diagram, elements: MgAlTiODiagram.elements, options: o)
        let b = try SynthGenerator.generate(candidates: cands, diagram: diagram, elements: MgAlTiODiagram.elements, options: o)
        XCTAssertEqual(a.library.patterns, b.library.patterns)
        o.seed = 2
        let c = try SynthGenerator.generate(candidates: cands, diagram: diagram, elements: MgAlTiODiagram.elements, options: o)
        XCTAssertNotEqual(a.library.patterns, c.library.patterns)
        XCTAssertEqual(a.truthFractions, c.truthFractions)  // the truth does not depend on the noise
        XCTAssertEqual(a.library.sampleCount, 28)

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("drnet-synth-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try SynthLibraryWriter.write(a, candidates: cands, to: dir, description: "test")
        let loaded = try LibraryLoader.load(directory: dir)
        XCTAssertEqual(loaded.sampleCount, 28)
        XCTAssertEqual(loaded.elements, MgAlTiODiagram.elements)
        XCTAssertEqual(loaded.phases.map(\.name), MgAlTiODiagram.candidates)
        for (x, y) in zip(loaded.compositions, a.library.compositions) { XCTAssertEqual(x, y, accuracy: 1e-6) }
        let truth = try FractionTable.read(contentsOfFile: dir + "/truth-fractions.csv")
        XCTAssertEqual(truth.phases, MgAlTiODiagram.phases.map(\.name))
        for row in truth.fractions { XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-5) }
        let shifts = try FractionTable.read(contentsOfFile: dir + "/truth-shifts.csv")
        XCTAssertEqual(shifts.sampleCount, 28)
    }
}
