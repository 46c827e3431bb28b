import Foundation
import XCTest

/// The failures: each exits with its status of README "Errors and exit status", prints one
/// `error: <file>: expected …, found …` line (or the argument parser's usage error) and leaves no
/// output folder behind.
final class CLIErrorTests: CLITestCase {
    /// `drnet solve <library> --config short.json --out <out> --quiet --device cpu` plus `extra`.
    private func solve(
        _ library: String, out: String, in folder: TemporaryFolder, config: String? = nil, device: String = "cpu",
        extra: [String] = [], environment: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line
    ) throws -> CLIResult {
        let lib = try self.library()
        return try drnet(
            ["solve", library, "--config", config ?? lib.shortConfig, "--out", out, "--quiet", "--no-plots", "--device", device] + extra,
            in: folder.url, environment: environment, file: file, line: line)
    }

    /// The one `error:` line of a failed command.
    private func assertErrorLine(_ result: CLIResult, _ fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: true)
        XCTAssertEqual(lines.count, 1, "expected one error line: \(result)", file: file, line: line)
        XCTAssertTrue(result.stderr.hasPrefix("error: "), "stderr does not start with 'error: ': \(result)", file: file, line: line)
        assertContains(result.stderr, fragments, of: result, file: file, line: line)
    }

    // MARK: solve: the library

    func testMissingLibraryFolder() throws {
        let folder = try temporaryFolder()
        let missing = folder.path("no-such-library")
        let out = folder.path("out")
        let result = try solve(missing, out: out, in: folder)
        assertStatus(result, 2)
        assertErrorLine(result, ["error: \(missing): expected a library folder", "found no such folder"])
        XCTAssertEqual(result.stdout, "", "a failed solve printed a summary: \(result)")
        assertAbsent(out, after: result)
    }

    func testMalformedSampleCountInInstance() throws {
        let lib = try library()
        let folder = try temporaryFolder()
        var lineNumber = 0
        let copy = try lib.copy(to: folder, name: "bad-n") { lines in
            lines.enumerated().map { i, line in
                guard line.hasPrefix("N=") else { return line }
                lineNumber = i + 1
                return "N=abc"
            }
        }
        XCTAssertGreaterThan(lineNumber, 0, "the synthesized instance.txt has no N= line")
        let out = folder.path("out")
        let result = try solve(copy, out: out, in: folder)
        assertStatus(result, 2)
        assertErrorLine(
            result, ["error: \(copy)/instance.txt, line \(lineNumber), key N: expected a positive integer, found \"abc\""])
        assertAbsent(out, after: result)
    }

    func testNonNumericPatternItemInInstance() throws {
        let lib = try library()
        let folder = try temporaryFolder()
        var lineNumber = 0
        let copy = try lib.copy(to: folder, name: "bad-i3") { lines in
            lines.enumerated().map { i, line in
                guard line.hasPrefix("I3="), let comma = line.firstIndex(of: ",") else { return line }
                lineNumber = i + 1
                return "I3=0.5,oops" + line[comma...]
            }
        }
        XCTAssertGreaterThan(lineNumber, 0, "the synthesized instance.txt has no I3= line")
        let out = folder.path("out")
        let result = try solve(copy, out: out, in: folder)
        assertStatus(result, 2)
        assertErrorLine(
            result,
            ["error: \(copy)/instance.txt, line \(lineNumber), key I3: expected comma-separated numbers", "non-numeric item 2: \"oops\""])
        assertAbsent(out, after: result)
    }

    func testMissingQGridInInstance() throws {
        let lib = try library()
        let folder = try temporaryFolder()
        let copy = try lib.copy(to: folder, name: "no-q") { lines in lines.filter { !$0.hasPrefix("Q=") } }
        let out = folder.path("out")
        let result = try solve(copy, out: out, in: folder)
        assertStatus(result, 2)
        assertErrorLine(result, ["error: \(copy)/instance.txt, key Q: expected a Q= line", "missing key"])
        assertAbsent(out, after: result)
    }

    // MARK: solve: the settings

    func testUnknownConfigKey() throws {
        let lib = try library()
        let folder = try temporaryFolder()
        let config = folder.path("unknown-key.json")
        try Data(#"{"hiddenLayers":[16],"maxStep":60}"#.utf8).write(to: URL(fileURLWithPath: config))
        let out = folder.path("out")
        let result = try solve(lib.library, out: out, in: folder, config: config)
        assertStatus(result, 2)
        assertErrorLine(result, ["error: \(config), key maxStep: expected one of: ", "maxSteps", "found an unknown setting"])
        assertAbsent(out, after: result)
    }

    func testMissingConfigFile() throws {
        let lib = try library()
        let folder = try temporaryFolder()
        let config = folder.path("absent.json")
        let out = folder.path("out")
        let result = try solve(lib.library, out: out, in: folder, config: config)
        assertStatus(result, 2)
        assertErrorLine(result, ["error: \(config): expected a readable JSON config file, found no such file"])
        assertAbsent(out, after: result)
    }

    func testMalformedConfigJSON() throws {
        let lib = try library()
        let folder = try temporaryFolder()
        let config = folder.path("broken.json")
        try Data(#"{"maxSteps": 60,"#.utf8).write(to: URL(fileURLWithPath: config))
        let out = folder.path("out")
        let result = try solve(lib.library, out: out, in: folder, config: config)
        assertStatus(result, 2)
        // The place of the syntax error as line and column (the file ends inside the object).
        assertErrorLine(result, ["error: \(config), line 1, column 17: expected valid JSON, found Unexpected end of file"])
        assertAbsent(out, after: result)
    }

    func testInvalidConfigValue() throws {
        let lib = try library()
        let folder = try temporaryFolder()
        let config = folder.path("invalid.json")
        try Data(#"{"maxShift": 0.7}"#.utf8).write(to: URL(fileURLWithPath: config))
        let out = folder.path("out")
        let result = try solve(lib.library, out: out, in: folder, config: config)
        assertStatus(result, 2)
        assertErrorLine(result, ["error: \(config): expected valid settings", "maxShift must be in [0, 0.5), got 0.7"])
        assertAbsent(out, after: result)
    }

    func testNegativeMaxStepsAsSeparateValueIsAUsageError() throws {
        let lib = try library()
        let folder = try temporaryFolder()
        let out = folder.path("out")
        // "-5" is taken as the value (numeric options parse unconditionally), so the message is
        // the range, not the parser's "Missing value" (issue 14).
        let result = try solve(lib.library, out: out, in: folder, extra: ["--max-steps", "-5"])
        assertStatus(result, 64)
        assertContains(result.stderr, ["error: --max-steps must be ≥ 1", "Usage: drnet solve"], of: result)
        assertAbsent(out, after: result)
    }

    func testNegativeMaxStepsIsRejected() throws {
        let lib = try library()
        let folder = try temporaryFolder()
        let out = folder.path("out")
        let result = try solve(lib.library, out: out, in: folder, extra: ["--max-steps=-5"])
        assertStatus(result, 64)
        // One lowercase error line, then the subcommand's own usage (not the root command's).
        assertContains(result.stderr, ["error: --max-steps must be ≥ 1\nUsage: drnet solve ", "See 'drnet solve --help'"], of: result)
        assertAbsent(out, after: result)
    }

    func testUnknownOption() throws {
        let lib = try library()
        let folder = try temporaryFolder()
        let out = folder.path("out")
        let result = try solve(lib.library, out: out, in: folder, extra: ["--frobnicate"])
        assertStatus(result, 64)
        assertContains(result.stderr, ["Unknown option '--frobnicate'", "Usage: drnet solve"], of: result)
        assertAbsent(out, after: result)
    }

    func testOutputPathIsAnExistingFile() throws {
        let lib = try library()
        let folder = try temporaryFolder()
        let out = folder.path("a-file")
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: out))
        let result = try solve(lib.library, out: out, in: folder)
        assertStatus(result, 2)
        // The project's form: the option, the path, what was expected and found (issue 14).
        assertErrorLine(result, ["error: --out \(out): expected a folder, found a file"])
        XCTAssertEqual(try String(contentsOfFile: out, encoding: .utf8), "keep me", "solve changed the file given as --out")
    }

    // MARK: solve: the device

    func testUnknownDevice() throws {
        let lib = try library()
        let folder = try temporaryFolder()
        let out = folder.path("out")
        let result = try solve(lib.library, out: out, in: folder, device: "tpu")
        // A device name is a setting (it may come from DRNET_DEVICE too): bad input, 2.
        assertStatus(result, 2)
        assertContains(result.stderr, ["unknown device 'tpu'", "expected auto, cpu, opencl or opencl:P.D"], of: result)
        assertAbsent(out, after: result)
    }

    func testUnknownDeviceFromEnvironment() throws {
        let lib = try library()
        let folder = try temporaryFolder()
        let out = folder.path("out")
        let result = try solve(lib.library, out: out, in: folder, device: "auto", environment: ["DRNET_DEVICE": "tpu"])
        assertStatus(result, 2)
        assertContains(result.stderr, ["DRNET_DEVICE=tpu", "unknown device 'tpu'"], of: result)
        assertAbsent(out, after: result)
    }

    func testMissingOpenCLDeviceListsTheAvailableOnes() throws {
        let lib = try library()
        let folder = try temporaryFolder()
        let devices = try drnet(["devices", "--json"], in: folder.url)
        assertStatus(devices, 0)
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(devices.stdout.utf8)) as? [String: Any])
        let platforms = ((report["opencl"] as? [String: Any])?["platforms"] as? [[String: Any]]) ?? []
        let ids = platforms.flatMap { ($0["devices"] as? [[String: Any]]) ?? [] }.compactMap { $0["id"] as? String }
        guard let first = ids.first else { throw XCTSkip("no OpenCL device here (drnet devices lists none)") }
        XCTAssertFalse(ids.contains("9.9"), "there is an OpenCL device 9.9 here")

        let out = folder.path("out")
        let result = try solve(lib.library, out: out, in: folder, device: "opencl:9.9")
        assertStatus(result, 3)
        assertErrorLine(result, ["error: --device opencl:9.9: ", "available: ", "opencl:\(first)"])
        assertAbsent(out, after: result)
    }

    // MARK: eval, check, plot

    func testEvalWithMissingTruthFile() throws {
        let lib = try library()
        let folder = try temporaryFolder()
        let solution = URL(fileURLWithPath: lib.library).appendingPathComponent("truth-fractions.csv").path
        let truth = folder.path("no-truth.csv")
        let result = try drnet(["eval", solution, "--truth", truth], in: folder.url)
        assertStatus(result, 2)
        assertErrorLine(result, ["error: \(truth): expected a readable UTF-8 fraction CSV file, found no such file"])
        XCTAssertEqual(result.stdout, "", "eval printed a score without a truth: \(result)")
    }

    func testEvalWithMissingSolution() throws {
        let lib = try library()
        let folder = try temporaryFolder()
        let truth = URL(fileURLWithPath: lib.library).appendingPathComponent("truth-fractions.csv").path
        let solution = folder.path("no-solution")
        let result = try drnet(["eval", solution, "--truth", truth], in: folder.url)
        assertStatus(result, 2)
        assertErrorLine(result, ["error: \(solution)", "found no such file"])
    }

    func testEvalWithMalformedTruth() throws {
        let lib = try library()
        let folder = try temporaryFolder()
        let solution = URL(fileURLWithPath: lib.library).appendingPathComponent("truth-fractions.csv").path
        let truth = folder.path("bad-truth.csv")
        try Data("sample,MgO-periclase\n0,zero\n".utf8).write(to: URL(fileURLWithPath: truth))
        let result = try drnet(["eval", solution, "--truth", truth], in: folder.url)
        assertStatus(result, 2)
        assertErrorLine(result, ["error: \(truth), line 2, column 2 (MgO-periclase): expected a number", "found `zero`"])
    }

    func testCheckOnAFolderThatIsNotASolution() throws {
        let lib = try library()
        let folder = try temporaryFolder()
        let result = try drnet(["check", lib.library], in: folder.url)
        assertStatus(result, 2)
        assertErrorLine(
            result, ["error: \(lib.library): expected a solution folder with solution.txt or solution.json, found neither file"])
        XCTAssertEqual(result.stdout, "", "check printed a report for a non-solution: \(result)")
    }

    func testCheckOnAMissingPath() throws {
        let folder = try temporaryFolder()
        let missing = folder.path("nothing-here")
        let result = try drnet(["check", missing], in: folder.url)
        assertStatus(result, 2)
        assertErrorLine(result, ["error: \(missing): expected a solution folder or a solution file, found no such file or folder"])
    }

    func testCheckWithUnknownRule() throws {
        let lib = try library()
        let folder = try temporaryFolder()
        let result = try drnet(["check", lib.library, "--rules", "gibbs,parity"], in: folder.url)
        assertStatus(result, 64)
        assertContains(result.stderr, [#"--rules: unknown rule "parity""#], of: result)
    }

    func testPlotOnAFolderThatIsNotASolution() throws {
        let lib = try library()
        let folder = try temporaryFolder()
        let out = folder.path("pictures")
        let result = try drnet(["plot", lib.library, "--out", out, "--no-png"], in: folder.url)
        assertStatus(result, 2)
        assertErrorLine(result, ["error: \(lib.library): expected a solution folder"])
        assertAbsent(out, after: result)
    }
}
