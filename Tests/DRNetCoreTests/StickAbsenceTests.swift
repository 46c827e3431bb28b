import Foundation
import XCTest
@testable import DRNetCrystal
@testable import DRNetEngine
@testable import DRNetIO

/// Systematic absences in `drnet sticks`: a reflection whose |F|² is zero up to rounding is never
/// a line, even when it is the only reflection in the Q range (where normalising to the strongest
/// used to make it a 100 % line).
final class StickAbsenceTests: IOFolderTestCase {
    /// Body-centred cubic Fe (a = 2.8665 Å, Im-3m reduced to I-centring): (h k l) with h+k+l odd
    /// is absent; (100) lies at Q = 2π/a = 21.92 nm⁻¹, (110) at 31.00 nm⁻¹.
    static let bccIron = """
        data_bccFe
        _cell_length_a 2.8665
        _cell_length_b 2.8665
        _cell_length_c 2.8665
        _cell_angle_alpha 90
        _cell_angle_beta 90
        _cell_angle_gamma 90
        _chemical_formula_sum 'Fe'
        loop_
        _space_group_symop_operation_xyz
        'x, y, z'
        'x+1/2, y+1/2, z+1/2'
        loop_
        _atom_site_label
        _atom_site_type_symbol
        _atom_site_fract_x
        _atom_site_fract_y
        _atom_site_fract_z
        Fe1 Fe 0 0 0
        """

    private func options(_ qMin: Double, _ qMax: Double) -> PowderPatternOptions {
        var o = PowderPatternOptions()
        o.qMin = qMin
        o.qMax = qMax
        return o
    }

    func testOnlyAbsentReflectionInRangeIsNoLine() throws {
        let path = write("bcc-Fe.cif", Self.bccIron)
        let structure = try CIFReader.read(path: path)
        // Only (100), which the I-centring forbids, lies in 20…25 nm⁻¹.
        let r = try PowderPattern.reflections(of: structure, options: options(20, 25))
        XCTAssertEqual(r.map { [$0.h, $0.k, $0.l] }, [], "an absent reflection became a line: \(r)")
        XCTAssertThrowsError(try StickLibraryBuilder.phases(fromCIFs: [path], options: options(20, 25))) { error in
            XCTAssertTrue(error is ConfigurationError, "\(error)")
            XCTAssertTrue("\(error)".contains("no reflections"), "\(error)")
            XCTAssertTrue("\(error)".contains("bcc-Fe.cif"), "\(error)")
        }
    }

    func testAbsentReflectionDroppedBesideAllowedOne() throws {
        let path = write("bcc-Fe.cif", Self.bccIron)
        // 20…35 nm⁻¹ holds the (100)-type rows (absent) and the (110)-type rows (allowed; the
        // cell lists only x,y,z and the centring, so the Laue group is {±1} and each
        // permutation is its own row).
        let phases = try StickLibraryBuilder.phases(fromCIFs: [path], options: options(20, 35))
        XCTAssertEqual(phases.count, 1)
        let r = phases[0].reflections
        XCTAssertFalse(r.isEmpty)
        for x in r {
            XCTAssertEqual((x.h + x.k + x.l) % 2, 0, "absent (\(x.h)\(x.k)\(x.l)) kept")
            XCTAssertGreaterThan(x.structureFactorSquared, 1)
        }
        XCTAssertEqual(r.map(\.relativeIntensity).max()!, 100, accuracy: 1e-12)
        // With no relative-intensity cut at all, the absences are still dropped.
        var keepAll = options(20, 35)
        keepAll.minRelativeIntensity = 0
        let all = try PowderPattern.reflections(of: CIFReader.read(path: path), options: keepAll)
        XCTAssertEqual(all.count, r.count)
        XCTAssertTrue(all.allSatisfy { ($0.h + $0.k + $0.l) % 2 == 0 }, "\(all.map { [$0.h, $0.k, $0.l] })")
    }
}
