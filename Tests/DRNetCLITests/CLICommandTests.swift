import DRNetCore
import Foundation
import XCTest

/// The commands that succeed: help, devices, and synth → solve → eval → check → plot on the
/// class's small synthetic library.
final class CLICommandTests: CLITestCase {
    func testTopLevelHelpListsTheSubcommands() throws {
        let folder = try temporaryFolder()
        let result = try drnet(["--help"], in: folder.url)
        assertStatus(result, 0)
        assertContains(result.stdout, ["USAGE: drnet <subcommand>", "SUBCOMMANDS:"], of: result)
        for command in ["solve", "eval", "check", "plot", "devices", "synth", "summary"] {
            XCTAssertNotNil(
                result.stdout.range(of: "\n  \(command) ", options: .literal), "--help does not list \(command): \(result)")
        }
    }

    func testSolveHelpListsItsOptions() throws {
        let folder = try temporaryFolder()
        let result = try drnet(["solve", "--help"], in: folder.url)
        assertStatus(result, 0)
        assertContains(
            result.stdout,
            ["USAGE: drnet solve", "<library-dir>", "--config <config>", "--device <device>", "--max-steps <max-steps>", "--out <out>"],
            of: result)
    }

    func testDevicesNamesWhatAutoPicks() throws {
        let folder = try temporaryFolder()
        let result = try drnet(["devices"], in: folder.url)
        assertStatus(result, 0)
        assertContains(result.stdout, ["cpu: ", "--device auto → "], of: result)
        XCTAssertEqual(result.stderr, "", "devices wrote to stderr: \(result)")
    }

    func testDevicesJSONIsAReport() throws {
        let folder = try temporaryFolder()
        let result = try drnet(["devices", "--json"], in: folder.url)
        assertStatus(result, 0)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        XCTAssertNotNil(object?["cpu"] as? String, "no cpu entry: \(result)")
        XCTAssertNotNil(object?["auto"] as? String, "no auto entry: \(result)")
        XCTAssertNotNil((object?["opencl"] as? [String: Any])?["platforms"] as? [Any], "no opencl.platforms: \(result)")
    }

    func testSynthWroteTheLibraryFiles() throws {
        let lib = try library()
        assertStatus(lib.synth, 0)
        assertContains(lib.synth.stdout, ["wrote ", "N=\(CLILibrary.sampleCount) samples"], of: lib.synth)
        for name in ["instance.txt", "sticks.csv", "phase-compositions.csv", "truth-fractions.csv", "truth-shifts.csv"] {
            let path = URL(fileURLWithPath: lib.library).appendingPathComponent(name).path
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            XCTAssertGreaterThan(size, 0, "synth did not write \(name)")
        }
    }

    /// `synth --kalpha2` records the Cu Kα doublet in import.json, which the loader turns into the
    /// library's second line (what `drnet solve` renders); `--two-theta-offset` writes
    /// truth-offsets.csv; the help gives each new option's units. Without them, neither file.
    func testSynthRecordsTheScanEffects() throws {
        let lib = try library()
        for name in ["import.json", "truth-offsets.csv"] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: lib.library + "/" + name), "plain synth wrote \(name)")
        }
        XCTAssertNil(try LibraryLoader.load(directory: lib.library).secondLine)
        let folder = try temporaryFolder()
        let out = folder.path("doublet")
        let synth = try drnet(
            ["synth", "--kalpha2", "--two-theta-offset", "0.05", "--peak-mixing", "0.3", "--divisions", "4", "--out", out], in: folder.url)
        assertStatus(synth, 0)
        let loaded = try LibraryLoader.load(directory: out)
        let line = try XCTUnwrap(loaded.secondLine, "no second line from \(out)/import.json")
        XCTAssertEqual(line.qRatio, 1.002485, accuracy: 1e-6)
        XCTAssertEqual(line.intensityRatio, 0.5)
        let offsets = try SynthTruthOffsets.read(contentsOfFile: out + "/truth-offsets.csv")
        XCTAssertEqual(offsets.count, 15)
        XCTAssertTrue(offsets.allSatisfy { abs($0) <= 0.05 })
        let instance = try String(contentsOfFile: out + "/instance.txt", encoding: .utf8)
        XCTAssertTrue(instance.hasPrefix("// drnet synth: "), instance)
        assertContains(String(instance.prefix(400)), ["pseudo-Voigt η 0.3", "Cu Kα2", "2θ offset ±0.05°"], of: synth)

        let help = try drnet(["synth", "--help"], in: folder.url)
        assertStatus(help, 0)
        assertContains(
            help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " "),
            ["--peak-mixing", "dimensionless", "--kalpha2", "Å", "--width-slope", "nm⁻¹", "--two-theta-offset", "degrees 2θ"], of: help)
        let bad = try drnet(["synth", "--width-slope", "7", "--out", folder.path("bad")], in: folder.url)
        assertStatus(bad, 2)
        assertContains(bad.stderr, ["--width-slope must be in [0, 5]"], of: bad)
    }

    /// `--q-step` sets the generated grid (15…65 nm⁻¹): a fine and a coarse grid have the
    /// points the step gives and say so in the instance's first line; a step that gives more
    /// than 20 000 points is refused.
    func testSynthGridStep() throws {
        let folder = try temporaryFolder()
        for (step, points) in [(0.0125, 4001), (0.2, 251)] {
            let out = folder.path("grid-\(points)")
            let synth = try drnet(["synth", "--q-step", String(step), "--divisions", "3", "--out", out], in: folder.url)
            assertStatus(synth, 0)
            let loaded = try LibraryLoader.load(directory: out)
            XCTAssertEqual(loaded.gridCount, points)
            XCTAssertEqual(Double(loaded.q[1] - loaded.q[0]), step, accuracy: 1e-5)
            XCTAssertEqual(Double(loaded.q.last ?? 0), 65, accuracy: 1e-3)
            let instance = try String(contentsOfFile: out + "/instance.txt", encoding: .utf8)
            assertContains(String(instance.prefix(300)), ["Q step \(step) nm⁻¹"], of: synth)
        }
        let bad = try drnet(["synth", "--q-step", "0.001", "--out", folder.path("bad")], in: folder.url)
        assertStatus(bad, 2)
        assertContains(bad.stderr, ["--q-step", "at most 20000 grid points", "step 0.001"], of: bad)
    }

    /// synth → solve → eval → check → plot, as the README runs them.
    func testSolveEvalCheckPlotPipeline() throws {
        let lib = try library()
        let folder = try temporaryFolder()
        let out = folder.path("solution")

        let solve = try drnet(
            ["solve", lib.library, "--config", lib.shortConfig, "--out", out, "--quiet", "--no-plots", "--device", "cpu"], in: folder.url)
        assertStatus(solve, 0)
        assertContains(
            solve.stdout, ["solution written to \(out)/", "phases used (", "60 training + 10 fine-tune steps", "on cpu"], of: solve)
        XCTAssertFalse(solve.stderr.contains("step "), "--quiet solve printed progress: \(solve)")
        XCTAssertFalse(solve.stderr.contains("error:"), "solve reported an error: \(solve)")
        for name in ["fractions.csv", "shifts.csv", "solution.json", "solution.txt"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder.path("solution/\(name)")), "solve did not write \(name)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.path("solution/plots")), "--no-plots still drew plots/")
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: folder.path("solution/checkpoint.drnet")), "a finished run kept its checkpoint")
        let fractions = try String(contentsOfFile: folder.path("solution/fractions.csv"), encoding: .utf8)
        let rows = fractions.split(separator: "\n")
        XCTAssertEqual(rows.first?.hasPrefix("sample,"), true, "fractions.csv header: \(rows.first ?? "")")
        XCTAssertEqual(rows.count, CLILibrary.sampleCount + 1, "fractions.csv has \(rows.count) lines")

        let truth = URL(fileURLWithPath: lib.library).appendingPathComponent("truth-fractions.csv").path
        let eval = try drnet(["eval", out, "--truth", truth], in: folder.url)
        assertStatus(eval, 0)
        let score = try XCTUnwrap(
            eval.stdout.range(of: #"exact phase-set match: [0-9]+/\#(CLILibrary.sampleCount) \("#, options: .regularExpression),
            "eval printed no phase-set score: \(eval)")
        XCTAssertFalse(eval.stdout[score].isEmpty)
        assertContains(eval.stdout, ["samples:   \(CLILibrary.sampleCount)", "precision", "recall", "F1"], of: eval)

        let evalJSON = try drnet(["eval", out, "--truth", truth, "--json"], in: folder.url)
        assertStatus(evalJSON, 0)
        let metrics = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(evalJSON.stdout.utf8)) as? [String: Any])
        let exact = try XCTUnwrap(metrics["exactMatchCount"] as? Int, "no exactMatchCount: \(evalJSON)")
        XCTAssertTrue((0...CLILibrary.sampleCount).contains(exact), "exactMatchCount \(exact)")
        XCTAssertTrue(eval.stdout.contains("exact phase-set match: \(exact)/"), "text and JSON scores differ: \(eval)\n\(evalJSON)")

        // The community file scores the same as fractions.csv.
        let evalText = try drnet(["eval", folder.path("solution/solution.txt"), "--truth", truth], in: folder.url)
        assertStatus(evalText, 0)
        assertContains(evalText.stdout, ["exact phase-set match: "], of: evalText)

        // check: 0 (no gated rule violated) or 1 (one is), with its report; never bad input.
        let check = try drnet(["check", out], in: folder.url)
        XCTAssertTrue([0, 1].contains(check.status), "check exit status: \(check)")
        assertContains(
            check.stdout, ["check: ", "Gibbs rule", "Alloying rule", "Connectivity", "Element rule", "Reconstruction"], of: check)
        XCTAssertTrue(
            check.stdout.contains(check.status == 0 ? "result: no rule violated" : "result: VIOLATED: "), "check result line: \(check)")
        XCTAssertFalse(check.stderr.contains("error:"), "check reported an error: \(check)")

        let checkJSON = try drnet(["check", out, "--json"], in: folder.url)
        XCTAssertEqual(checkJSON.status, check.status, "check --json and check disagree: \(checkJSON)")
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(checkJSON.stdout.utf8)), "check --json: \(checkJSON)")

        // summary: one row per solution; the truth is found in the library folder; its score
        // and check's counts are the ones eval and check report.
        let summary = try drnet(["summary", out, "--json"], in: folder.url)
        assertStatus(summary, 0)
        let row = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(summary.stdout.utf8)) as? [String: Any], "\(summary)")
        XCTAssertEqual(row["exactPhaseSets"] as? Int, exact, "summary and eval disagree: \(summary)")
        XCTAssertEqual(row["truthFile"] as? String, truth)
        XCTAssertEqual(row["device"] as? String, "cpu")
        XCTAssertEqual(row["samples"] as? Int, CLILibrary.sampleCount)
        XCTAssertEqual(row["stoppedBy"] as? String, "step cap")
        let checkReport = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(checkJSON.stdout.utf8)) as? [String: Any])
        let gibbs = try XCTUnwrap((checkReport["gibbs"] as? [String: Any])?["violations"] as? [Any])
        XCTAssertEqual(row["gibbsViolations"] as? Int, gibbs.count, "summary and check disagree")
        let missing = folder.path("no-such-run")
        let table = try drnet(["summary", out, missing], in: folder.url)
        XCTAssertEqual(table.status, 2, "an unreadable folder is bad input: \(table)")
        assertContains(
            table.stdout,
            ["solution", "exact sets", "\(exact)/\(CLILibrary.sampleCount)", "\(missing)  error: ", "2 solution(s): 1 read, 1 unreadable"],
            of: table)

        let plot = try drnet(["plot", out, "--no-png"], in: folder.url)
        assertStatus(plot, 0)
        assertContains(plot.stdout, ["pictures written to \(out)/plots/", "SVG, 0 PNG"], of: plot)
        let pictures = (try? FileManager.default.contentsOfDirectory(atPath: folder.path("solution/plots"))) ?? []
        for name in ["phase-maps.svg", "regions.svg", "loss.svg"] {
            XCTAssertTrue(pictures.contains(name), "plot did not draw \(name): \(pictures.sorted())")
        }
        XCTAssertTrue(pictures.contains { $0.hasPrefix("fit-sample-") }, "plot drew no fit plot: \(pictures.sorted())")
        XCTAssertFalse(pictures.contains { $0.hasSuffix(".png") }, "--no-png still made PNGs: \(pictures.sorted())")
    }

    /// `bench --solve`: one JSON record per solve with the stage times and steps, why training
    /// stopped and the score; `--compare-defaults` adds the previous defaults' solve (the settings
    /// file's keys kept, walk minibatches in the per-sample stages) and the wall-time ratio.
    func testBenchSolveTimesEveryStageAndComparesTheDefaults() throws {
        let lib = try library()
        let folder = try temporaryFolder()
        let truth = lib.library + "/truth-fractions.csv"
        let result = try drnet(
            [
                "bench", "--solve", lib.library, "--config", lib.shortConfig, "--truth", truth, "--compare-defaults", "--json",
                "--device", "cpu"
            ], in: folder.url)
        assertStatus(result, 0)
        let records = try result.stdout.split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], "not a JSON object: \($0)")
        }
        XCTAssertEqual(records.map { $0["settings"] as? String }, ["config", "previous-defaults"], "\(result)")
        for r in records {
            XCTAssertEqual(r["benchmark"] as? String, "solve")
            XCTAssertEqual(r["samples"] as? Int, CLILibrary.sampleCount)
            XCTAssertEqual(r["trainingSteps"] as? Int, 60)
            XCTAssertEqual(r["polishSteps"] as? Int, 10)
            let stages = try XCTUnwrap(r["stageSeconds"] as? [String: Double], "\(r)")
            XCTAssertEqual(Set(stages.keys), ["setup", "training", "polish", "fineTune", "export"])
            let wall = try XCTUnwrap(r["wallSeconds"] as? Double)
            XCTAssertEqual(stages.values.reduce(0, +), wall, accuracy: 0.05 * wall + 0.01, "the stages add up to the wall time")
            XCTAssertTrue(stages.values.allSatisfy { $0 >= 0 }, "\(stages)")
            let exact = try XCTUnwrap(r["exactPhaseSets"] as? Int, "no score with --truth: \(r)")
            XCTAssertTrue((0...CLILibrary.sampleCount).contains(exact))
            XCTAssertNotNil(r["meanFractionError"] as? Double)
            XCTAssertNotNil(r["stoppedBy"] as? String)
        }
        XCTAssertEqual(records[0]["perSampleStepSamples"] as? Int, CLILibrary.sampleCount, "whole-library steps by default")
        XCTAssertEqual(records[1]["perSampleStepSamples"] as? Int, 10, "the previous defaults' walk minibatches")
        XCTAssertNil(records[0]["wallRatioToFirst"])
        XCTAssertNotNil(records[1]["wallRatioToFirst"] as? Double)

        let misplaced = try drnet(["bench", "--truth", truth], in: folder.url)
        assertStatus(misplaced, 64)
        assertContains(misplaced.stderr, ["go with --solve"], of: misplaced)
    }

    /// `bench --sweep-solve-n`: a generated library of at least each count, solved whole with the
    /// settings file, scored against its own truth, with the peak memory after every stage.
    func testBenchSolveSweepGeneratesSolvesAndScores() throws {
        let lib = try library()
        let folder = try temporaryFolder()
        let result = try drnet(
            ["bench", "--sweep-solve-n", "10,20", "--config", lib.shortConfig, "--json", "--device", "cpu"], in: folder.url)
        assertStatus(result, 0)
        let records = try result.stdout.split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], "not a JSON object: \($0)")
        }
        XCTAssertEqual(records.map { $0["samples"] as? Int }, [10, 21], "(D+1)(D+2)/2 ≥ n: D = 3 and 5")
        for r in records {
            XCTAssertEqual(r["settings"] as? String, "sweep-solve")
            XCTAssertTrue((r["library"] as? String ?? "").hasPrefix("mg-al-ti-o-"), "\(r)")
            XCTAssertNotNil(r["exactPhaseSets"] as? Int, "scored against the generated truth: \(r)")
            let peaks = try XCTUnwrap(r["stagePeakMemoryMB"] as? [String: Double], "\(r)")
            XCTAssertEqual(Set(peaks.keys), ["setup", "training", "polish", "fineTune", "export"])
            XCTAssertLessThanOrEqual(peaks["setup"]!, peaks["export"]!, "peaks only grow")
        }
        let clash = try drnet(["bench", "--sweep-solve-n", "10", "--solve", lib.library], in: folder.url)
        assertStatus(clash, 64)
    }
}
