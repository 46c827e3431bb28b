import Foundation
import XCTest
@testable import DRNetAnalysis
@testable import DRNetEngine
@testable import DRNetIO

/// Input defects that used to be accepted silently, trap, or produce unclear messages: each must
/// be an `InputError` naming the file, the place, what was expected and what was found (or, for
/// a disconnected graph, a library warning).
final class ReaderHardeningTests: IOFolderTestCase {
    static let header = "phase,name,q,intensity\n"
    static let phaseCompositions = "phase,name,Fe,Al\n0,alpha,0,1\n1,beta,0.5,0.5\n"

    /// Writes a valid library (3 samples, 2 elements, 2 phases) into the test's folder, with
    /// the given replacements; nil leaves a file out.
    private func writeLibrary(
        instance: String = smallInstanceText(), sticks: String = smallSticksCSV,
        phaseCompositions: String? = ReaderHardeningTests.phaseCompositions, edges: String? = "i,j\n0,1\n1,2\n",
        neighbors: String? = nil
    ) {
        write("instance.txt", instance)
        write("sticks.csv", sticks)
        if let phaseCompositions { write("phase-compositions.csv", phaseCompositions) }
        if let edges { write("edges.csv", edges) }
        if let neighbors { write("neighbors.txt", neighbors) }
    }

    private func sticks(_ rows: String) throws -> [CandidatePhase] {
        try StickLibraryReader.parseCSV(Self.header + rows, file: "s.csv")
    }

    // MARK: 2. phase names

    func testEmptyPhaseNameInSticksCSV() {
        expectInputError(try sticks("0,alpha,20,1\n1,,22,1\n"), ["s.csv", "line 3", "column name", "empty phase name"])
        expectInputError(try sticks("0,\"  \",20,1\n"), ["s.csv", "line 2", "column name", "empty phase name"])
    }

    func testPhaseNameWithCommentMarkerOrControlCharacter() {
        expectInputError(
            try sticks("0,Al2O3//hex,20,1\n"), ["s.csv", "line 2", "column name", "//", "solution.txt"])
        expectInputError(try sticks("0,\"al\tpha\",20,1\n"), ["s.csv", "line 2", "column name", "control character", "al\\tpha"])
        expectInputError(try sticks("0,al\u{7}pha,20,1\n"), ["s.csv", "line 2", "U+0007"])
    }

    func testPhaseNamesInPhaseCompositions() {
        func parse(_ text: String) throws -> [Double] {
            try PhaseCompositionReader.parse(text, file: "pc.csv", elements: ["Al", "Fe"], phaseCount: 2)
        }
        expectInputError(
            try parse("phase,name,Fe,Al\n0,,0,1\n1,beta,0.5,0.5\n"), ["pc.csv", "line 2", "column name", "empty phase name"])
        expectInputError(
            try parse("phase,name,Fe,Al\n0,alpha,0,1\n1,be//ta,0.5,0.5\n"), ["pc.csv", "line 3", "column name", "//"])
        XCTAssertEqual(try parse(Self.phaseCompositions), [1, 0, 0.5, 0.5])
    }

    // MARK: 3. patterns without signal

    func testSubnormalPatternMaximumIsRejected() throws {
        var text = smallInstanceText()
        for k in 1...3 {
            text = text.replacingOccurrences(of: "I\(k)=0.0,\(k).5,1.0,0.25", with: "I\(k)=0.0,\(k).5e-42,1.0e-42,0.25e-42")
        }
        writeLibrary(instance: text)
        expectInputError(
            try LibraryLoader.load(directory: folder.path), ["instance.txt", "key I1 (sample 0)", "maximum", "e-42"])
    }

    func testAllZeroPatternIsAPatternWithNoSignal() throws {
        writeLibrary(instance: smallInstanceText().replacingOccurrences(of: "I2=0.0,2.5,1.0,0.25", with: "I2=0,0,0,0"))
        expectInputError(try LibraryLoader.load(directory: folder.path), ["instance.txt", "key I2 (sample 1)", "no signal"])
    }

    // MARK: 4. encodings

    func testByteOrderMarkIsSkippedEverywhere() throws {
        let bom = "\u{FEFF}"
        let instance = smallInstanceText().replacingOccurrences(of: "// Metadata\n", with: "")
        XCTAssertEqual(try InstanceTextReader.parse(bom + instance, file: "i.txt").elements, ["Al", "Fe"])
        XCTAssertEqual(try StickLibraryReader.parseCSV(bom + smallSticksCSV, file: "s.csv").map(\.name), ["alpha", "beta"])
        XCTAssertEqual(
            try PhaseCompositionReader.parse(bom + Self.phaseCompositions, file: "pc.csv", elements: ["Al", "Fe"], phaseCount: 2),
            [1, 0, 0.5, 0.5])
        XCTAssertEqual(try GraphFileReader.parseEdges(bom + "0,1\n1,2\n", file: "e.csv", sampleCount: 3), [Edge(0, 1), Edge(1, 2)])
        XCTAssertEqual(try GraphFileReader.parseNeighbors(bom + "0,1\n1,2\n2\n", file: "n.txt", sampleCount: 3), [Edge(0, 1), Edge(1, 2)])
        let mask = write("m.csv", bom + "1,0\n0,1\n")
        XCTAssertEqual(try SampleMaskReader.readMask(path: mask, sampleCount: 2, phaseCount: 2), [1, 0, 0, 1])
        let dof = write("d.csv", bom + "1\n2\n")
        XCTAssertEqual(try SampleMaskReader.readDegreesOfFreedom(path: dof, sampleCount: 2), [1, 2])
        // A whole folder with a BOM in every file.
        writeLibrary(
            instance: bom + instance, sticks: bom + smallSticksCSV, phaseCompositions: bom + Self.phaseCompositions,
            edges: bom + "0,1\n1,2\n")
        let lib = try LibraryLoader.load(directory: folder.path)
        XCTAssertEqual(lib.edges, [Edge(0, 1), Edge(1, 2)])
        XCTAssertEqual(lib.phaseCompositions, [1, 0, 0.5, 0.5])
    }

    func testCarriageReturnOnlyLineEndingsAreRead() throws {
        func cr(_ s: String) -> String { s.replacingOccurrences(of: "\n", with: "\r") }
        XCTAssertEqual(
            try InstanceTextReader.parse(cr(smallInstanceText()), file: "i.txt"),
            try InstanceTextReader.parse(smallInstanceText(), file: "i.txt"))
        XCTAssertEqual(
            try StickLibraryReader.parseCSV(cr(smallSticksCSV), file: "s.csv"),
            try StickLibraryReader.parseCSV(smallSticksCSV, file: "s.csv"))
        XCTAssertEqual(
            try PhaseCompositionReader.parse(cr(Self.phaseCompositions), file: "pc.csv", elements: ["Al", "Fe"], phaseCount: 2),
            [1, 0, 0.5, 0.5])
        XCTAssertEqual(try GraphFileReader.parseEdges(cr("i,j\n0,1\n1,2\n"), file: "e.csv", sampleCount: 3), [Edge(0, 1), Edge(1, 2)])
        XCTAssertEqual(try GraphFileReader.parseNeighbors(cr("0,1\n1,2\n2\n"), file: "n.txt", sampleCount: 3), [Edge(0, 1), Edge(1, 2)])
        let mask = write("m.csv", cr("a,b\n1,0\n0,1\n"))
        XCTAssertEqual(try SampleMaskReader.readMask(path: mask, sampleCount: 2, phaseCount: 2), [1, 0, 0, 1])
        // Line numbers count CR-only lines.
        expectInputError(try sticks(cr("0,alpha,20,1\n0,alpha,x,1\n")), ["s.csv", "line 3", "column q"])
    }

    func testNULByteIsAnErrorShownAsBackslashZero() {
        expectInputError(try sticks("0,alpha,20\u{0}5,1\n"), ["s.csv", "line 2", "\\0"])
        expectInputError(
            try InstanceTextReader.parse(
                smallInstanceText().replacingOccurrences(of: "Q=10.0,10.5", with: "Q=10.0,10\u{0}.5"), file: "i.txt"),
            ["i.txt", "line 9", "\\0"])
        let edges = write("e.csv", "i,j\n0,\u{0}1\n")
        expectInputError(try GraphFileReader.readEdges(path: edges, sampleCount: 3), [edges, "line 2", "\\0"])
        let mask = write("m.csv", "1,0\n0,1\u{0}\n")
        expectInputError(try SampleMaskReader.readMask(path: mask, sampleCount: 2, phaseCount: 2), [mask, "line 2", "\\0"])
    }

    func testInvisibleCharactersInFoundAreShownVisibly() {
        let e = InputError(file: "f.csv", location: "line 1", expected: "x", found: "a\rb\tc\0d\u{FEFF}e\u{200B}f")
        XCTAssertEqual(e.found, "a\\rb\\tc\\0dU+FEFFeU+200Bf")
        XCTAssertTrue(e.description.hasSuffix("found a\\rb\\tc\\0dU+FEFFeU+200Bf"), e.description)
        expectInputError(try sticks("0,alpha,2\u{FEFF}0,1\n"), ["s.csv", "line 2", "column q", "2U+FEFF0"])
        expectInputError(try sticks("0,alpha,20\t5,1\n"), ["s.csv", "line 2", "column q", "20\\t5"])
    }

    func testUnterminatedQuoteIsReportedAsSuch() throws {
        expectInputError(try sticks("0,\"alpha,20,1\n"), ["s.csv", "line 2", "unterminated quote"])
        expectInputError(
            try PhaseCompositionReader.parse(
                "phase,name,Fe,Al\n0,alpha,0,1\n1,\"beta,0.5,0.5\n", file: "pc.csv", elements: ["Al", "Fe"], phaseCount: 2),
            ["pc.csv", "line 3", "unterminated quote"])
        expectInputError(
            try GraphFileReader.parseEdges("i,j\n0,\"1\n", file: "e.csv", sampleCount: 3), ["e.csv", "line 2", "unterminated quote"])
        let mask = write("m.csv", "1,0\n0,\"1\n")
        expectInputError(
            try SampleMaskReader.readMask(path: mask, sampleCount: 2, phaseCount: 2), [mask, "line 2", "unterminated quote"])
        // Quoted fields that are closed stay fine.
        XCTAssertEqual(try sticks("0,\"al,pha\",\"20\",1\n").map(\.name), ["al,pha"])
    }

    // MARK: 5. silently accepted values

    func testMaskValuesOtherThanZeroOrOne() throws {
        for bad in ["2", "-1", "0.5"] {
            let path = write("m\(bad).csv", "1,0,1\n0,\(bad),1\n")
            expectInputError(
                try SampleMaskReader.readMask(path: path, sampleCount: 2, phaseCount: 3),
                [path, "line 2, column 2", "0 or 1", bad])
        }
        let npy = folder.appendingPathComponent("m.npy").path
        try NPYWriter.write([1, 0, 0, 1, 0.5, 1], shape: [2, 3], dtype: .float64, to: npy)
        expectInputError(
            try SampleMaskReader.readMask(path: npy, sampleCount: 2, phaseCount: 3), [npy, "index 4", "row 1, column 1", "0.5"])
        try NPYWriter.write([1, 0, 2, 1, 0, 1], shape: [2, 3], dtype: .int64, to: npy)
        expectInputError(
            try SampleMaskReader.readMask(path: npy, sampleCount: 2, phaseCount: 3), [npy, "index 2", "row 0, column 2", "2"])
        try NPYWriter.write([1, 0, 0, 1, 1, 1], shape: [2, 3], dtype: .bool, to: npy)
        XCTAssertEqual(try SampleMaskReader.readMask(path: npy, sampleCount: 2, phaseCount: 3), [1, 0, 0, 1, 1, 1])
    }

    func testQuotedNumberWithTrailingCharactersIsAnError() throws {
        expectInputError(try sticks("0,alpha,\"18.05\"9,1\n"), ["s.csv", "line 2", "\"18.05\"9"])
        expectInputError(
            try PhaseCompositionReader.parse(
                "phase,name,Fe,Al\n0,alpha,0,1\n1,beta,\"0.5\"9,0.5\n", file: "pc.csv", elements: ["Al", "Fe"], phaseCount: 2),
            ["pc.csv", "line 3", "\"0.5\"9"])
        expectInputError(try GraphFileReader.parseEdges("i,j\n\"0\"1,2\n", file: "e.csv", sampleCount: 3), ["e.csv", "line 2", "\"0\"1"])
        let mask = write("m.csv", "1,0\n0,\"1\"0\n")
        expectInputError(try SampleMaskReader.readMask(path: mask, sampleCount: 2, phaseCount: 2), [mask, "line 2", "\"1\"0"])
        expectInputError(try FractionTable.parse("sample,A\n0,\"0.5\"9\n", file: "f.csv"), ["f.csv", "line 2", "\"0.5\"9"])
        // Spaces after a closing quote are fine.
        XCTAssertEqual(try sticks("0,alpha,\"18.05\" ,1\n")[0].q, [18.05])
    }

    func testNPYBytesAfterTheData() throws {
        let path = folder.appendingPathComponent("a.npy").path
        try NPYWriter.write([1, 2, 3, 4], shape: [2, 2], dtype: .float32, to: path)
        XCTAssertEqual(try NPYReader.read(path: path).values, [1, 2, 3, 4])
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data.append(contentsOf: [0, 0, 0])
        try data.write(to: URL(fileURLWithPath: path))
        expectInputError(try NPYReader.read(path: path), [path, "16 data bytes", "found 19", "3 bytes after"])
    }

    func testEdgesFileWithoutAnyEdgeIsAnError() throws {
        for text in ["i,j\n", "", "// no edges\n"] {
            expectInputError(
                try GraphFileReader.parseEdges(text, file: "edges.csv", sampleCount: 3),
                ["edges.csv", "at least one edge", "neighbors.txt", "on its own line"])
        }
        // A neighbours file listing every sample alone declares separate mixtures: valid.
        XCTAssertEqual(try GraphFileReader.parseNeighbors("0\n1\n2\n", file: "neighbors.txt", sampleCount: 3), [])
        writeLibrary(edges: nil, neighbors: "0\n1\n2\n")
        let lib = try LibraryLoader.load(directory: folder.path)
        XCTAssertEqual(lib.edges, [])
        XCTAssertEqual(lib.sources.warnings, [])
    }

    func testDisconnectedGraphIsAcceptedWithAWarning() throws {
        writeLibrary(instance: smallInstanceText(n: 6), edges: "i,j\n0,1\n1,2\n3,4\n")
        let lib = try LibraryLoader.load(directory: folder.path)
        XCTAssertEqual(lib.edges, [Edge(0, 1), Edge(1, 2), Edge(3, 4)])
        XCTAssertEqual(lib.sources.warnings.count, 1, "\(lib.sources.warnings)")
        let w = lib.sources.warnings.first ?? ""
        for part in ["edges.csv", "3 connected components (sizes 3, 2, 1)", "only compared within a component"] {
            XCTAssertTrue(w.contains(part), "\"\(w)\" lacks \"\(part)\"")
        }
        writeLibrary(instance: smallInstanceText(n: 6), edges: "i,j\n0,1\n1,2\n2,3\n3,4\n4,5\n")
        XCTAssertEqual(try LibraryLoader.load(directory: folder.path).sources.warnings, [])
    }

    func testLibrarySourcesWarningsAreCodableAndOptionalInJSON() throws {
        let old = #"{"instance":"a/instance.txt","sticks":"a/sticks.csv"}"#
        let decoded = try JSONDecoder().decode(LibrarySources.self, from: Data(old.utf8))
        XCTAssertEqual(decoded, LibrarySources(instance: "a/instance.txt", sticks: "a/sticks.csv"))
        XCTAssertEqual(decoded.warnings, [])
        var s = LibrarySources(edges: "e.csv")
        s.warnings = ["e.csv: the graph has 2 connected components (sizes 2, 1)"]
        XCTAssertEqual(try JSONDecoder().decode(LibrarySources.self, from: JSONEncoder().encode(s)), s)
    }

    func testEvalRejectsPercentTablesAndThresholdsOutsideZeroOne() throws {
        let fractions = try FractionTable(phases: ["A", "B"], fractions: [[0.5, 0.5], [1, 0]])
        let percent = try FractionTable(phases: ["A", "B"], fractions: [[50, 50], [100, 0]])
        expectInputError(
            try PhaseMapMetrics.evaluate(solution: fractions, truth: percent, solutionFile: "sol.csv", truthFile: "truth.csv"),
            ["truth.csv", "sample 0", "fractions summing to 1", "100"])
        expectInputError(
            try PhaseMapMetrics.evaluate(solution: percent, truth: fractions, solutionFile: "sol.csv", truthFile: "truth.csv"),
            ["sol.csv", "sample 0", "fractions summing to 1", "100"])
        let truth = write("truth.csv", "sample,A,B\n0,50,50\n1,100,0\n")
        let solution = write("fractions.csv", "sample,A,B\n0,0.5,0.5\n1,1,0\n")
        expectInputError(
            try PhaseMapMetrics.evaluate(solutionPath: solution, truthFile: truth), [truth, "fractions summing to 1", "percent"])
        for bad in [1.0, 1.5, 50] {
            XCTAssertThrowsError(try PhaseMapMetrics.evaluate(solution: fractions, truth: fractions, threshold: bad)) { error in
                XCTAssertTrue(error is ConfigurationError, "\(error)")
                XCTAssertTrue("\(error)".contains("between 0 and 1"), "\(error)")
            }
        }
        XCTAssertNoThrow(try PhaseMapMetrics.evaluate(solution: fractions, truth: fractions, threshold: 0.5))
    }

    // MARK: 6. absurd sizes and corrupt JSON

    func testHugeSampleCountIsAnErrorNotACrash() {
        let text = smallInstanceText().replacingOccurrences(of: "N=3\n", with: "N=99999999999999\n")
        expectInputError(
            try InstanceTextReader.parse(text, file: "inst.txt"),
            ["inst.txt", "line 4, key N", "N=99999999999999", "3 pattern lines"])
    }

    func testHugePhaseIndexIsAnErrorNotACrash() {
        expectInputError(
            try sticks("0,alpha,20,1\n99999999999999,beta,22,1\n"),
            ["s.csv", "line 3", "column phase", "99999999999999", "2 stick rows"])
    }

    func testCorruptSolutionJSONNamesLineAndColumn() throws {
        let path = write("solution.json", "{\n  \"library\": \"x\",\n  \"elements\": [1, oops]\n}\n")
        expectInputError(try SolutionFile.read(path: path), [path, "line 3, column 19", "valid JSON"])
        do {
            _ = try SolutionFile.read(path: path)
        } catch let e as InputError {
            XCTAssertFalse(e.found.contains("DecodingError") || e.found.contains("dataCorrupted"), e.description)
        }
        let truncated = write("truncated.json", "{\n  \"library\": ")
        expectInputError(try SolutionFile.read(path: truncated), [truncated, "line 2, column 14", "valid JSON", "end of"])
        let wrongType = write("type.json", "{\"library\": 5}")
        expectInputError(try SolutionFile.read(path: wrongType), [wrongType, "library"])
    }
}
