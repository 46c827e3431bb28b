import XCTest
@testable import DRNetAnalysis
@testable import DRNetCore
@testable import DRNetCrystal
@testable import DRNetEngine
@testable import DRNetIO
@testable import DRNetPlotting
@testable import DRNetSynthetic
import TestSupport

/// Powder reflections: d-spacings, multiplicities, structure factors, absences, LP, Debye–Waller.
final class PowderPatternTests: XCTestCase {
    private func periclase() throws -> CrystalStructure {
        try CIFReader.read(path: CIFReaderTests.structurePath("mg-al-ti-o", "MgO-periclase"))
    }

    private func find(_ r: [Reflection], _ h: Int, _ k: Int, _ l: Int) -> Reflection? {
        r.first { ($0.h, $0.k, $0.l) == (h, k, l) }
    }

    func testRockSaltPositionsMultiplicitiesAndFCCAbsences() throws {
        let s = try periclase()
        let r = try PowderPattern.reflections(of: s)
        let a = s.cell.a
        // The first rock-salt reflections: (111) m 8, (200) m 6, (220) m 12, (311) m 24, (222) m 8.
        let expected: [(Int, Int, Int, Int)] = [(1, 1, 1, 8), (2, 0, 0, 6), (2, 2, 0, 12), (3, 1, 1, 24), (2, 2, 2, 8)]
        for (i, (h, k, l, m)) in expected.enumerated() {
            XCTAssertEqual(r[i].h, h); XCTAssertEqual(r[i].k, k); XCTAssertEqual(r[i].l, l)
            XCTAssertEqual(r[i].multiplicity, m, "(\(h)\(k)\(l))")
            let d = a / Double(h * h + k * k + l * l).squareRoot()
            XCTAssertEqual(r[i].d, d, accuracy: 1e-12)
            XCTAssertEqual(r[i].q, 20 * .pi / d, accuracy: 1e-9)
        }
        // F-centring: only all-even or all-odd hkl.
        for x in r { XCTAssertTrue([x.h, x.k, x.l].allSatisfy { $0 % 2 == 0 } || [x.h, x.k, x.l].allSatisfy { $0 % 2 != 0 }) }
        XCTAssertEqual(r.map(\.relativeIntensity).max()!, 100, accuracy: 1e-12)
    }

    func testRockSaltStructureFactorsAreSumAndDifferenceOfFormFactors() throws {
        var s = try periclase()
        s.cell = try UnitCell(a: 5.6402, b: 5.6402, c: 5.6402)
        s.sites = [
            AtomSite(label: "Na1", element: "Na", position: .zero), AtomSite(label: "Cl1", element: "Cl", position: SIMD3(0.5, 0.5, 0.5))
        ]
        let r = try PowderPattern.reflections(of: s)
        for (hkl, sign) in [((1, 1, 1), -1.0), ((2, 0, 0), 1.0), ((3, 1, 1), -1.0), ((2, 2, 0), 1.0)] {
            let x = try XCTUnwrap(find(r, hkl.0, hkl.1, hkl.2))
            let s2 = 1 / (4 * x.d * x.d)
            let fNa = AtomicFormFactors.formFactor("Na", s2: s2)!, fCl = AtomicFormFactors.formFactor("Cl", s2: s2)!
            let f = 4 * (fNa + sign * fCl)  // F(odd) = 4(f_Na − f_Cl), F(even) = 4(f_Na + f_Cl)
            XCTAssertEqual(x.structureFactorSquared, f * f, accuracy: 1e-8 * f * f)
            let theta = asin(1.54184 / (2 * x.d))
            let lp = (1 + pow(cos(2 * theta), 2)) / (pow(sin(theta), 2) * cos(theta))
            XCTAssertEqual(x.lorentzPolarisation, lp, accuracy: 1e-9 * lp)
            XCTAssertEqual(x.intensity, Double(x.multiplicity) * f * f * lp, accuracy: 1e-8 * x.intensity)
        }
        // NaCl: (111) is weak, (200) the strongest.
        XCTAssertLessThan(find(r, 1, 1, 1)!.relativeIntensity, 15)
        XCTAssertEqual(find(r, 2, 0, 0)!.relativeIntensity, 100, accuracy: 1e-9)
        XCTAssertEqual(AtomicFormFactors.formFactor("Cl", s2: 0)!, 17, accuracy: 1e-12)  // f(0) = Z
    }

    func testBodyCentringAbsencesAndDebyeWaller() throws {
        let ops = [SymmetryOperation.identity, SymmetryOperation(rotation: [1, 0, 0, 0, 1, 0, 0, 0, 1], translation: SIMD3(0.5, 0.5, 0.5))]
        var s = CrystalStructure(
            name: "bcc-Fe", cell: try UnitCell(a: 2.8665, b: 2.8665, c: 2.8665), operations: ops,
            sites: [AtomSite(label: "Fe1", element: "Fe", position: .zero)])
        let cold = try PowderPattern.reflections(of: s)
        XCTAssertFalse(cold.isEmpty)
        for x in cold { XCTAssertEqual((x.h + x.k + x.l) % 2, 0, "(\(x.h)\(x.k)\(x.l)) violates h+k+l even") }
        s.sites[0].bIso = 1.0
        let warm = try PowderPattern.reflections(of: s)
        // B damps the high-Q reflections relative to the low-Q ones: exp(−2B s²) on intensities.
        let lo = cold[0], hi = cold.last!
        let ratioCold = hi.intensity / lo.intensity
        let ratioWarm = warm.last!.intensity / warm[0].intensity
        let expected = exp(-2 * (1 / (4 * hi.d * hi.d) - 1 / (4 * lo.d * lo.d)))
        XCTAssertEqual(ratioWarm / ratioCold, expected, accuracy: 1e-9)
        var off = PowderPatternOptions(); off.debyeWaller = false
        XCTAssertEqual(try PowderPattern.reflections(of: s, options: off).map(\.intensity), cold.map(\.intensity))
    }

    func testGeneralMetricHexagonalAndTriclinic() throws {
        let hex = try UnitCell(a: 4.7589, b: 4.7589, c: 12.991, gamma: 120)
        for (h, k, l) in [(0, 1, 2), (1, 0, 4), (1, 1, 0), (1, 1, 3)] {
            let inv = 4.0 / 3 * Double(h * h + h * k + k * k) / (4.7589 * 4.7589) + Double(l * l) / (12.991 * 12.991)
            XCTAssertEqual(hex.dSpacing(h, k, l), 1 / inv.squareRoot(), accuracy: 1e-12)
        }
        // Triclinic: d from the reciprocal metric equals the plane spacing from the direct cell vectors.
        let tri = try UnitCell(a: 5.62, b: 6.31, c: 7.04, alpha: 81.3, beta: 73.9, gamma: 66.2)
        XCTAssertEqual(tri.volume, sqrt(det3(tri.metric)), accuracy: 1e-9)
        let g = tri.metric, gs = tri.reciprocalMetric
        for i in 0..<3 {
            for j in 0..<3 {
                let p = (0..<3).map { g[i * 3 + $0] * gs[$0 * 3 + j] }.reduce(0, +)
                XCTAssertEqual(p, i == j ? 1 : 0, accuracy: 1e-12)
            }
        }
        XCTAssertThrowsError(try UnitCell(a: 1, b: 1, c: 1, alpha: 120, beta: 120, gamma: 120))
    }

    private func det3(_ m: [Double]) -> Double {
        m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6])
    }

    func testWavelengthNamesAndStickFilesReadBack() throws {
        XCTAssertEqual(try XRayWavelength.parse("CuKa"), 1.54184)
        XCTAssertEqual(try XRayWavelength.parse("cukα1"), 1.54056)
        XCTAssertEqual(try XRayWavelength.parse("0.7093"), 0.7093)
        XCTAssertThrowsError(try XRayWavelength.parse("CuKz"))
        var options = PowderPatternOptions(); options.qMin = 15; options.qMax = 60
        let phases = try StickLibraryBuilder.phases(
            fromCIFs: ["MgO-periclase", "MgAl2O4-spinel"].map {
                CIFReaderTests.structurePath("mg-al-ti-o", $0)
            }, options: options)
        let read = try StickLibraryReader.parseCSV(StickLibraryWriter.sticksCSV(phases), file: "sticks.csv")
        XCTAssertEqual(read.map(\.name), ["MgO-periclase", "MgAl2O4-spinel"])
        XCTAssertEqual(read[0].q.count, phases[0].reflections.count)
        XCTAssertTrue(read.allSatisfy { $0.q.allSatisfy { $0 >= 15 && $0 <= 60 } })
        let elements = StickLibraryWriter.elements(of: phases)
        XCTAssertEqual(elements, ["Mg", "Al"])
        let comp = try PhaseCompositionReader.parse(
            StickLibraryWriter.phaseCompositionsCSV(phases, elements: elements),
            file: "pc.csv", elements: elements, phaseCount: 2, phaseNames: read.map(\.name))
        XCTAssertEqual(comp[0], 1, accuracy: 1e-6)
        XCTAssertEqual(comp[3], 2.0 / 3, accuracy: 1e-6)
    }
}
