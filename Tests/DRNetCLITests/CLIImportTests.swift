import Foundation
import XCTest

/// `drnet import` on scan files written here: a folder of 2θ scans with a compositions CSV
/// becomes a library folder; the unit and wavelength errors leave nothing behind.
final class CLIImportTests: CLITestCase {
    /// Two-column pyFAI-style scans, 2θ 20…60° in 0.1° steps, with a Gaussian peak.
    func writeScans(in folder: TemporaryFolder, header: String = "# Unit: 2th_deg\n# Wavelength: 1.5406e-10\n") throws -> String {
        let dir = folder.path("scans")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (i, centre) in [30.0, 31.0, 32.0].enumerated() {
            var text = header
            for k in 0...400 {
                let x = 20 + 0.1 * Double(k)
                text += String(format: "%.2f %.4f\n", x, 5 + 100 * exp(-(x - centre) * (x - centre) / 0.1))
            }
            try text.write(toFile: dir + "/s\(i + 1).xy", atomically: true, encoding: .utf8)
        }
        return dir
    }

    func testImportAFolderOfScans() throws {
        let folder = try temporaryFolder()
        let scans = try writeScans(in: folder)
        let comp = folder.path("comp.csv")
        try "file,Al,Fe\ns3,1,0\ns1.xy,0,1\ns2,1,1\n".write(toFile: comp, atomically: true, encoding: .utf8)
        let out = folder.path("lib")
        let result = try drnet(["import", scans, "--compositions", comp, "--out", out], in: folder.url)
        assertStatus(result, 0)
        assertContains(result.stderr, ["3 scan(s) from 3 file(s)", "not resampled"], of: result)
        let samples = try String(contentsOfFile: out + "/samples.csv", encoding: .utf8)
        XCTAssertTrue(samples.hasPrefix("sample,source,Al,Fe\n0,\(scans)/s3.xy,1.0,0.0\n1,\(scans)/s1.xy,0.0,1.0\n"), samples)
        let report = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/import.json"))) as? [String: Any])
        let first = try XCTUnwrap((report["samples"] as? [[String: Any]])?.first)
        XCTAssertEqual(first["axis"] as? String, "2theta")
        XCTAssertEqual(first["axisOrigin"] as? String, "file")
        XCTAssertEqual((first["wavelength"] as? [String: Any])?["alpha1"] as? Double ?? 0, 1.5406, accuracy: 1e-9)
        let instance = try String(contentsOfFile: out + "/instance.txt", encoding: .utf8)
        XCTAssertTrue(instance.contains("\nN=3\n") && instance.contains("\nElements=Al,Fe\n"), instance.prefix(300).description)
    }

    func testUnitsAreNeverAssumed() throws {
        let folder = try temporaryFolder()
        let scans = try writeScans(in: folder, header: "")
        let comp = folder.path("comp.csv")
        try "file,Al\ns1,1\ns2,1\ns3,1\n".write(toFile: comp, atomically: true, encoding: .utf8)
        let out = folder.path("lib")
        let noAxis = try drnet(["import", scans, "--compositions", comp, "--out", out], in: folder.url)
        assertStatus(noAxis, 2)
        assertContains(noAxis.stderr, ["s1.xy", "an axis unit in the file or --axis"], of: noAxis)
        assertAbsent(out, after: noAxis)
        let noWavelength = try drnet(["import", scans, "--compositions", comp, "--out", out, "--axis", "2theta"], in: folder.url)
        assertStatus(noWavelength, 2)
        assertContains(noWavelength.stderr, ["s1.xy", "a wavelength for its 2θ axis"], of: noWavelength)
        assertAbsent(out, after: noWavelength)
        let ok = try drnet(
            ["import", scans, "--compositions", comp, "--out", out, "--axis", "2theta", "--wavelength", "CuKa"], in: folder.url)
        assertStatus(ok, 0)
        let badAxis = try drnet(["import", scans, "--compositions", comp, "--out", folder.path("x"), "--axis", "theta"], in: folder.url)
        assertStatus(badAxis, 2)
        assertContains(badAxis.stderr, ["--axis: unknown axis 'theta'"], of: badAxis)
    }

    /// A solve given a relative library path records it absolute: `check` finds the library from
    /// any working directory.
    func testRelativeLibraryPathIsRecordedAbsolute() throws {
        let folder = try temporaryFolder()
        let lib = try library()
        let synth = try drnet(["synth", "--seed", "3", "--divisions", "4", "--out", "lib"], in: folder.url)
        assertStatus(synth, 0)
        let solve = try drnet(
            ["solve", "lib", "--config", lib.shortConfig, "--out", "sol", "--quiet", "--no-plots", "--device", "cpu"], in: folder.url)
        assertStatus(solve, 0)
        let json = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder.path("sol/solution.json"))))
                as? [String: Any])
        XCTAssertEqual(json["libraryPath"] as? String, URL(fileURLWithPath: folder.path("lib")).standardizedFileURL.path)
        let check = try drnet(["check", folder.path("sol")], in: URL(fileURLWithPath: "/"))
        XCTAssertTrue([0, 1].contains(check.status), "check from another folder: \(check)")
    }

    /// Scans without compositions are a library of their own: imported in natural order, solved
    /// without a composition graph (said in the first line), checked without the connectivity rule.
    func testScansWithoutCompositions() throws {
        let folder = try temporaryFolder()
        let scans = try writeScans(in: folder)
        let lib = try library()
        let out = folder.path("lib")
        let imported = try drnet(["import", scans, "--out", out, "--quiet"], in: folder.url)
        assertStatus(imported, 0)
        let samples = try String(contentsOfFile: out + "/samples.csv", encoding: .utf8)
        XCTAssertEqual(samples, "sample,source\n0,\(scans)/s1.xy\n1,\(scans)/s2.xy\n2,\(scans)/s3.xy\n")
        try "phase,name,q,intensity\n0,A,21.1,1\n0,A,30,0.3\n1,B,22.5,1\n".write(
            toFile: out + "/sticks.csv", atomically: true, encoding: .utf8)
        let solve = try drnet(
            ["solve", out, "--config", lib.shortConfig, "--out", folder.path("sol"), "--no-plots", "--device", "cpu"], in: folder.url)
        assertStatus(solve, 0)
        assertContains(solve.stderr, ["M=0", "graph: none: no compositions, so no composition graph and no pairwise terms"], of: solve)
        let check = try drnet(["check", folder.path("sol")], in: folder.url)
        assertContains(check.stdout, ["Connectivity: not applicable"], of: check)
        XCTAssertNotEqual(check.status, 2, "\(check)")
    }
}
