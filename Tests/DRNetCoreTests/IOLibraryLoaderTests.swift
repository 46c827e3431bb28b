import Foundation
import XCTest
@testable import DRNetAnalysis
@testable import DRNetCore
@testable import DRNetCrystal
@testable import DRNetEngine
@testable import DRNetIO
@testable import DRNetPlotting
@testable import DRNetSynthetic
import TestSupport

final class IOLibraryLoaderTests: XCTestCase {
    /// A valid library folder: 3 samples, 2 elements, 2 phases.
    private func makeFolder(instance: String = smallInstanceText(), sticks: String = smallSticksCSV) -> IOTempDir {
        let dir = IOTempDir()
        dir.write("lib/instance.txt", instance)
        dir.write("lib/sticks.csv", sticks)
        dir.write("lib/phase-compositions.csv", "phase,name,Fe,Al\n0,alpha,0,1\n1,beta,0.5,0.5\n")
        dir.write("lib/edges.csv", "i,j\n0,1\n1,2\n")
        return dir
    }

    func testLoadsFolder() throws {
        // Sticks inside the grid (10–11.5 nm⁻¹): a solve refuses candidates that cannot contribute.
        let dir = makeFolder(sticks: "phase,name,q,intensity\n0,alpha,10.2,1.0\n0,alpha,11.0,0.5\n1,beta,10.7,0.3\n1,beta,11.3,1.0\n")
        let lib = try LibraryLoader.load(directory: dir.file("lib"))
        XCTAssertEqual(lib.name, "lib")
        XCTAssertEqual(lib.sampleCount, 3)
        XCTAssertEqual(lib.gridCount, 4)
        XCTAssertEqual(lib.phaseCount, 2)
        XCTAssertEqual(lib.phaseCompositions, [1, 0, 0.5, 0.5])
        XCTAssertEqual(lib.edges, [Edge(0, 1), Edge(1, 2)])
        XCTAssertNil(lib.sampleMask)
        XCTAssertNil(lib.degreesOfFreedom)
        XCTAssertEqual(lib.sources.directory, dir.file("lib"))
        XCTAssertEqual(lib.sources.instance, dir.file("lib") + "/instance.txt")
        XCTAssertEqual(lib.sources.sticks, dir.file("lib") + "/sticks.csv")
        XCTAssertNotNil(lib.sources.phaseCompositions)
        XCTAssertNotNil(lib.sources.edges)
        // A Swift program that loads and solves gets the library's folder in its solution.
        var options = SolverOptions()
        options.hiddenLayers = [8]
        options.maxSteps = 3
        options.pretrainSteps = 1
        options.polishSteps = 0
        options.fineTuneSteps = 1
        options.walkPoolSize = 4
        options.walkLength = 2
        let solution = try DRNetSolver(problem: PreparedProblem(library: lib, options: options), options: options, seed: 1).solve()
        XCTAssertEqual(solution.libraryPath, dir.file("lib"))
    }

    func testExplicitPathsWithMaskAndDOF() throws {
        let dir = makeFolder()
        let mask = dir.write("mask.csv", "1,1\n1,0\n0,1\n")
        let dof = dir.write("dof.txt", "1\n2\n1\n")
        let lib = try LibraryLoader.load(
            instance: dir.file("lib/instance.txt"), sticks: dir.file("lib/sticks.csv"),
            sampleMask: mask, degreesOfFreedom: dof)
        XCTAssertEqual(lib.name, "lib")
        XCTAssertEqual(lib.sampleMask, [1, 1, 1, 0, 0, 1])
        XCTAssertEqual(lib.degreesOfFreedom, [1, 2, 1])
        XCTAssertEqual(lib.sources.sampleMask, mask)
        XCTAssertEqual(lib.sources.degreesOfFreedom, dof)
        XCTAssertNil(lib.edges)
        let badDOF = dir.write("dof3.txt", "1\n3\n1\n")
        assertInputError(
            try LibraryLoader.load(
                instance: dir.file("lib/instance.txt"), sticks: dir.file("lib/sticks.csv"),
                degreesOfFreedom: badDOF),
            contains: [badDOF, "sample 1", "1…2", "found 3"])
    }

    func testNPYFolderWithoutInstance() throws {
        let dir = IOTempDir()
        try NPYWriter.write([1, 2, 3, 0, 5, 1], shape: [2, 3], dtype: .float32, to: dir.write("lib/npy/XRD.npy", ""))
        try NPYWriter.write([10, 11, 12], shape: [3], dtype: .float64, to: dir.file("lib/npy/Q.npy"))
        try NPYWriter.write([0.5, 0.5, 1, 0], shape: [2, 2], dtype: .float64, to: dir.file("lib/npy/composition.npy"))
        dir.write("lib/sticks.csv", smallSticksCSV)
        dir.write("lib/phase-compositions.csv", "phase,name,Bi,V\n0,alpha,1,0\n1,beta,0,1\n")
        let lib = try LibraryLoader.load(directory: dir.file("lib"))
        XCTAssertEqual(lib.elements, ["Bi", "V"])
        XCTAssertEqual(lib.sampleCount, 2)
        XCTAssertEqual(lib.q, [10, 11, 12])
        XCTAssertEqual(lib.sources.patterns, dir.file("lib") + "/npy/XRD.npy")
        // XRD columns must match Q.
        try NPYWriter.write([10, 11], shape: [2], dtype: .float64, to: dir.file("lib/npy/Q.npy"))
        assertInputError(
            try LibraryLoader.load(directory: dir.file("lib")),
            contains: ["npy/XRD.npy", "T = 2", "(2, 3)"])
    }

    func testFolderErrors() {
        let dir = IOTempDir()
        assertInputError(try LibraryLoader.load(directory: dir.file("nothing")), contains: ["nothing", "no such folder"])
        dir.write("lib/instance.txt", smallInstanceText())
        assertInputError(try LibraryLoader.load(directory: dir.file("lib")), contains: ["sticks.csv or sticks.txt"])
        dir.write("lib2/sticks.csv", smallSticksCSV)
        assertInputError(try LibraryLoader.load(directory: dir.file("lib2")), contains: ["instance.txt", "npy/XRD.npy"])
    }

    // MARK: validation

    func testNonIncreasingQ() {
        let dir = makeFolder(instance: smallInstanceText().replacingOccurrences(of: "Q=10.0,10.5,11.0", with: "Q=10.0,10.5,10.4"))
        assertInputError(
            try LibraryLoader.load(directory: dir.file("lib")),
            contains: ["instance.txt", "key Q", "strictly increasing", "Q[2] = 10.4 after Q[1] = 10.5"])
    }

    func testNaNAndNegativeAndZeroPatterns() {
        let nan = makeFolder(instance: smallInstanceText().replacingOccurrences(of: "I2=0.0,2.5", with: "I2=0.0,nan"))
        assertInputError(
            try LibraryLoader.load(directory: nan.file("lib")),
            contains: ["instance.txt", "key I2 (sample 1)", "finite", "Q index 1"])
        let neg = makeFolder(instance: smallInstanceText().replacingOccurrences(of: "I3=0.0,3.5,1.0", with: "I3=0.0,3.5,-0.01"))
        assertInputError(
            try LibraryLoader.load(directory: neg.file("lib")),
            contains: ["instance.txt", "key I3 (sample 2)", "non-negative", "-0.01 at Q index 2"])
        let zero = makeFolder(instance: smallInstanceText().replacingOccurrences(of: "I1=0.0,1.5,1.0,0.25", with: "I1=0,0,0,0"))
        assertInputError(
            try LibraryLoader.load(directory: zero.file("lib")),
            contains: ["instance.txt", "key I1 (sample 0)", "all-zero pattern"])
        let inf = makeFolder(instance: smallInstanceText().replacingOccurrences(of: "Q=10.0", with: "Q=inf"))
        assertInputError(try LibraryLoader.load(directory: inf.file("lib")), contains: ["key Q", "Q[0] = inf"])
    }

    func testCompositionSums() {
        let text = smallInstanceText().replacingOccurrences(of: "CAl=0.25,0.25,0.25", with: "CAl=0.25,0.3,0.25")
        let dir = makeFolder(instance: text)
        assertInputError(
            try LibraryLoader.load(directory: dir.file("lib")),
            contains: ["instance.txt", "sample 1", "summing to 1", "sum 1.05"])
        let nan = makeFolder(instance: smallInstanceText().replacingOccurrences(of: "CAl=0.25,0.25,0.25", with: "CAl=0.25,0.25,nan"))
        assertInputError(try LibraryLoader.load(directory: nan.file("lib")), contains: ["sample 2, element Al", "nan"])
    }

    func testPhaseCompositionAndMaskShapeValidation() throws {
        let dir = makeFolder()
        dir.write("lib/phase-compositions.csv", "phase,name,Fe,Al\n0,alpha,0,1\n1,beta,0.5,0.4\n")
        assertInputError(
            try LibraryLoader.load(directory: dir.file("lib")),
            contains: ["phase-compositions.csv", "phase 1 (beta)", "sum 0.9"])
        dir.write("lib/phase-compositions.csv", "phase,name,Fe,Al\n0,alpha,0,0\n1,beta,0.5,0.5\n")
        XCTAssertNoThrow(try LibraryLoader.load(directory: dir.file("lib")))  // an all-zero row is allowed
        let mask = dir.write("mask.npy", "")
        try NPYWriter.write([1, 1, 1, 1], shape: [2, 2], dtype: .bool, to: mask)
        assertInputError(
            try LibraryLoader.load(directory: dir.file("lib"), sampleMaskPath: mask),
            contains: [mask, "3×2", "found 2×2"])
    }

    func testValidatorOnHandBuiltLibrary() {
        let lib = CompositionLibrary(
            name: "x", elements: ["A"], q: [1, 2], patterns: [1, 2, 3], compositions: [1, 1],
            phases: [CandidatePhase(name: "p", q: [1], intensity: [1])],
            sources: LibrarySources(patterns: "xrd.npy"))
        assertInputError(try LibraryValidator.validate(lib), contains: ["xrd.npy", "2×2", "not a multiple"])
    }

    // MARK: real datasets

    private func load(_ name: String) throws -> CompositionLibrary {
        guard let d = SharedData.dataset(name) else { throw XCTSkip("../shared/datasets/\(name) not present") }
        return try LibraryLoader.load(directory: d.path)
    }

    func testAlLiFe() throws {
        let lib = try load("al-li-fe")
        XCTAssertEqual(lib.name, "al-li-fe")
        XCTAssertEqual(lib.sampleCount, 231)
        XCTAssertEqual(lib.gridCount, 650)
        XCTAssertEqual(lib.phaseCount, 159)
        XCTAssertEqual(lib.elements, ["Al", "Li", "Fe"])
        XCTAssertEqual(lib.phaseCompositions?.count, 159 * 3)
        XCTAssertEqual(lib.edges?.count, 630)
        XCTAssertTrue(lib.phases[126].name.hasPrefix("126+Li2O"))
        let d = SharedData.dataset("al-li-fe")!
        let withMask = try LibraryLoader.load(
            directory: d.path,
            sampleMaskPath: d.appendingPathComponent("npy/sample_indicator.npy").path,
            degreesOfFreedomPath: d.appendingPathComponent("npy/degree_of_freedom.npy").path)
        XCTAssertEqual(withMask.sampleMask?.count, 231 * 159)
        XCTAssertEqual(withMask.degreesOfFreedom?.count, 231)
    }

    func testBiCuV() throws {
        let lib = try load("bi-cu-v")
        XCTAssertEqual(lib.sampleCount, 307)
        XCTAssertEqual(lib.gridCount, 300)
        XCTAssertEqual(lib.phaseCount, 100)
        XCTAssertEqual(lib.elements, ["Bi", "Cu", "V"])
        XCTAssertNotNil(lib.edges)
        XCTAssertEqual(lib.phaseCompositions?.count, 300)
    }

    func testTaRhPd() throws {
        let lib = try load("ta-rh-pd")
        XCTAssertEqual(lib.sampleCount, 197)
        XCTAssertEqual(lib.gridCount, 427)
        XCTAssertEqual(lib.phaseCount, 14)
        XCTAssertEqual(lib.elements, ["Ta", "Rh", "Pd"])
        XCTAssertNil(lib.phaseCompositions)
        XCTAssertTrue(lib.sources.sticks!.hasSuffix("sticks.txt"))
        XCTAssertTrue(lib.sources.edges!.hasSuffix("neighbors.txt"))
        XCTAssertFalse(lib.edges!.isEmpty)
    }
}
