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

final class IOGraphFileTests: XCTestCase {
    func testEdgesDedupedAndSorted() throws {
        let edges = try GraphFileReader.parseEdges("i,j\n2,0\n0,1\n0,2\n1,0\n\n", file: "e.csv", sampleCount: 3)
        XCTAssertEqual(edges, [Edge(0, 1), Edge(0, 2)])
        XCTAssertEqual(try GraphFileReader.parseEdges("1,2\n", file: "e.csv", sampleCount: 3), [Edge(1, 2)])  // no header
    }

    func testEdgeErrors() {
        assertInputError(
            try GraphFileReader.parseEdges("i,j\n0,1\n0,3\n", file: "e.csv", sampleCount: 3),
            contains: ["e.csv", "line 3", "0…2", "item 2 = 3"])
        assertInputError(
            try GraphFileReader.parseEdges("i,j\n-1,1\n", file: "e.csv", sampleCount: 3),
            contains: ["e.csv", "line 2", "item 1 = -1"])
        assertInputError(
            try GraphFileReader.parseEdges("i,j\n1,1\n", file: "e.csv", sampleCount: 3),
            contains: ["e.csv", "line 2", "self-loop"])
        assertInputError(
            try GraphFileReader.parseEdges("i,j\n1,x\n", file: "e.csv", sampleCount: 3),
            contains: ["e.csv", "line 2", "\"x\""])
        assertInputError(
            try GraphFileReader.parseEdges("i,j\n1,2,3\n", file: "e.csv", sampleCount: 4),
            contains: ["line 2", "two fields", "3 fields"])
    }

    func testNeighbors() throws {
        let edges = try GraphFileReader.parseNeighbors("0,1,2\n1,0\n2,0,1,\n", file: "n.txt", sampleCount: 3)
        XCTAssertEqual(edges, [Edge(0, 1), Edge(0, 2), Edge(1, 2)])
        assertInputError(
            try GraphFileReader.parseNeighbors("0,1\n1,5\n", file: "n.txt", sampleCount: 3),
            contains: ["n.txt", "line 2", "item 2 = 5"])
        assertInputError(
            try GraphFileReader.parseNeighbors("0,1\n1,1\n", file: "n.txt", sampleCount: 3),
            contains: ["n.txt", "line 2", "self-loop"])
        assertInputError(
            try GraphFileReader.parseNeighbors("0,1\n0,2\n", file: "n.txt", sampleCount: 3),
            contains: ["n.txt", "line 2", "first at line 1"])
    }

    func testRealGraphs() throws {
        guard let a = SharedData.dataset("al-li-fe"), let t = SharedData.dataset("ta-rh-pd") else {
            throw XCTSkip("../shared/datasets not present")
        }
        let e = try GraphFileReader.read(path: a.appendingPathComponent("edges.csv").path, sampleCount: 231)
        XCTAssertEqual(e.count, 630)
        let n = try GraphFileReader.read(path: t.appendingPathComponent("neighbors.txt").path, sampleCount: 197)
        XCTAssertFalse(n.isEmpty)
        XCTAssertTrue(n.allSatisfy { $0.i < $0.j && $0.j < 197 })
    }
}
