import XCTest
@testable import DRNetAnalysis
@testable import DRNetCore
@testable import DRNetCrystal
@testable import DRNetEngine
@testable import DRNetIO
@testable import DRNetPlotting
@testable import DRNetSynthetic
import TestSupport

/// The CIF reader: cell, operations, sites, formula, and its errors for unsupported input.
final class CIFReaderTests: XCTestCase {
    static func structurePath(_ system: String, _ name: String) -> String {
        SharedData.packageRoot.appendingPathComponent("data/structures/\(system)/\(name).cif").path
    }

    static let rockSalt = """
        # a comment
        data_NaCl
        _cell_length_a 5.6402(1)
        _cell_length_b 5.6402
        _cell_length_c 5.6402
        _chemical_formula_sum 'Na Cl'
        loop_
        _space_group_symop_operation_xyz
        'x, y, z'
        'x, y+1/2, z+1/2'
        '1/2+x, y, 1/2+z'
        'x+0.5,y+0.5,z'
        loop_
        _atom_site_label
        _atom_site_type_symbol
        _atom_site_fract_x
        _atom_site_fract_y
        _atom_site_fract_z
        _atom_site_U_iso_or_equiv
        Na1 Na+ 0 0 0 0.01
        Cl1 Cl- 0.5 0.5 0.5 ?
        """

    func testReadsCellOperationsSitesAndFormula() throws {
        let s = try CIFReader.parse(Self.rockSalt, file: "nacl.cif", name: "NaCl")
        XCTAssertEqual(s.cell.a, 5.6402, accuracy: 1e-12)
        XCTAssertEqual(s.cell.gamma, 90)
        XCTAssertEqual(s.operations.count, 4)
        XCTAssertEqual(s.sites.map(\.element), ["Na", "Cl"])
        XCTAssertEqual(s.sites[0].bIso!, 8 * .pi * .pi * 0.01, accuracy: 1e-12)
        XCTAssertNil(s.sites[1].bIso)
        XCTAssertEqual(s.formula, ["Na": 1, "Cl": 1])
        XCTAssertEqual(s.siteMultiplicities(), [4, 4])
        XCTAssertEqual(s.cationFractions(), ["Na": 1])
    }

    func testShippedSpinelExpandsToWyckoffMultiplicities() throws {
        let s = try CIFReader.read(path: Self.structurePath("mg-al-ti-o", "MgAl2O4-spinel"))
        XCTAssertEqual(s.operations.count, 192)
        XCTAssertEqual(s.siteMultiplicities(), [8, 16, 32])  // 8a, 16d, 32e
        let c = s.cationFractions()
        XCTAssertEqual(c["Mg"]!, 1.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(c["Al"]!, 2.0 / 3, accuracy: 1e-12)
        let corundum = try CIFReader.read(path: Self.structurePath("mg-al-ti-o", "Al2O3-corundum"))
        XCTAssertEqual(corundum.siteMultiplicities(), [12, 18])  // 12c, 18e
    }

    func testSymmetryOperationParsing() throws {
        let op = try SymmetryOperation.parse("-y+1/2, x-y, Z+0.25").get()
        XCTAssertEqual(op.rotation, [0, -1, 0, 1, -1, 0, 0, 0, 1])
        XCTAssertEqual(op.translation, SIMD3(0.5, 0, 0.25))
        XCTAssertEqual(try SymmetryOperation.parse("x-1/2,y,z").get().translation, SIMD3(0.5, 0, 0))
        for bad in ["x,y", "2x,y,z", "x,y,a", "x,x,z", "x,y,1/0"] {
            guard case .failure = SymmetryOperation.parse(bad) else { return XCTFail("\(bad) should not parse") }
        }
    }

    private func error(_ text: String) -> InputError? {
        do { _ = try CIFReader.parse(text, file: "bad.cif", name: "bad"); return nil } catch let e as InputError { return e } catch {
            XCTFail("unexpected error \(error)"); return nil
        }
    }

    func testErrorsNameFileLineAndExpectation() {
        // Space group named but no operations: no database to look it up in.
        let noOps = Self.rockSalt.replacingOccurrences(
            of: "loop_\n_space_group_symop_operation_xyz\n'x, y, z'\n'x, y+1/2, z+1/2'\n'1/2+x, y, 1/2+z'\n'x+0.5,y+0.5,z'\n",
            with: "_symmetry_space_group_name_H-M 'F m -3 m'\n")
        let e1 = error(noOps)
        XCTAssertTrue(e1?.expected.contains("no space-group database") ?? false, "\(String(describing: e1))")
        XCTAssertTrue(e1?.found.contains("F m -3 m") ?? false)

        let e2 = error(Self.rockSalt.replacingOccurrences(of: "'x+0.5,y+0.5,z'", with: "'x+0.5,y+0.5,2z'"))
        XCTAssertEqual(e2?.file, "bad.cif")
        XCTAssertEqual(e2?.location, "line 12, tag _space_group_symop_operation_xyz")

        let e3 = error(Self.rockSalt.replacingOccurrences(of: "_cell_length_a 5.6402(1)\n", with: ""))
        XCTAssertEqual(e3?.location, "tag _cell_length_a")

        let e4 = error(Self.rockSalt.replacingOccurrences(of: "Cl1 Cl- 0.5 0.5 0.5 ?", with: "Cl1 Cl- 0.5 0.5 0.5"))
        XCTAssertTrue(e4?.expected.contains("multiple of 6") ?? false, "\(String(describing: e4))")

        let e5 = error(Self.rockSalt.replacingOccurrences(of: "Na1 Na+", with: "Xx1 Xx"))
        XCTAssertTrue(e5?.found.contains("unknown element") ?? false)
        XCTAssertEqual(e5?.location, "line 20, site Xx1")

        let e6 = error(Self.rockSalt + "\ndata_second\n_cell_length_a 1\n")
        XCTAssertEqual(e6?.found, "a second block data_second")

        let occupancy = Self.rockSalt.replacingOccurrences(of: "_atom_site_U_iso_or_equiv", with: "_atom_site_occupancy")
            .replacingOccurrences(of: "0 0 0 0.01", with: "0 0 0 1.5")
        XCTAssertTrue(error(occupancy)?.expected.contains("occupancy in (0, 1]") ?? false)

        let cartesian =
            "data_x\n_symmetry_space_group_name_H-M 'P 1'\n_cell_length_a 3\n_cell_length_b 3\n_cell_length_c 3\nloop_\n_atom_site_label\n_atom_site_Cartn_x\n_atom_site_Cartn_y\n_atom_site_Cartn_z\nFe1 0 0 0\n"
        XCTAssertTrue(error(cartesian)?.found.contains("Cartesian") ?? false)

        XCTAssertThrowsError(try CIFReader.read(path: "/nonexistent/x.cif")) { e in
            XCTAssertEqual((e as? InputError)?.found, "no such file")
        }
    }
}
