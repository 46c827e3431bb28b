import Foundation
import XCTest
@testable import DRNetAnalysis
@testable import DRNetCore
@testable import DRNetCrystal
@testable import DRNetEngine
@testable import DRNetIO
@testable import DRNetPlotting
@testable import DRNetSynthetic

/// A fresh temporary folder for input-layer fixtures, removed on deinit.
final class IOTempDir {
    let url: URL
    var path: String { url.path }

    init() {
        url = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("drnet-io-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes `text` to `name` (sub-folders created) and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        write(name, Data(text.utf8))
    }

    @discardableResult
    func write(_ name: String, _ data: Data) -> String {
        let file = url.appendingPathComponent(name)
        try! FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try! data.write(to: file)
        return file.path
    }

    func file(_ name: String) -> String { url.appendingPathComponent(name).path }
}

/// Asserts that `body` throws an `InputError` whose description contains every fragment (and,
/// with `complete`, whose expected and found parts are both non-empty).
func assertInputError<T>(
    _ body: @autoclosure () throws -> T, contains fragments: [String], complete: Bool = false,
    file: StaticString = #filePath, line: UInt = #line
) {
    do {
        _ = try body()
        XCTFail("expected an InputError containing \(fragments)", file: file, line: line)
    } catch let error as InputError {
        let text = error.description
        if complete {
            XCTAssertFalse(error.expected.isEmpty, "no 'expected' in \(text)", file: file, line: line)
            XCTAssertFalse(error.found.isEmpty, "no 'found' in \(text)", file: file, line: line)
        }
        for f in fragments where !text.contains(f) {
            XCTFail("InputError \"\(text)\" does not contain \"\(f)\"", file: file, line: line)
        }
    } catch {
        XCTFail("expected an InputError, got \(type(of: error)): \(error)", file: file, line: line)
    }
}

/// A test case with a fresh temporary folder per test (`folder`, removed afterwards), file
/// writers into it, and the reader tests' error assertion.
class IOFolderTestCase: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("drnet-io-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// Writes `text` (UTF-8) to `name` in the test's folder and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        write(name, Data(text.utf8))
    }

    @discardableResult
    func write(_ name: String, _ data: Data) -> String {
        let url = folder.appendingPathComponent(name)
        try! data.write(to: url)
        return url.path
    }

    /// `assertInputError` in the complete form (non-empty expected and found), for the readers' tests.
    func expectInputError<T>(
        _ body: @autoclosure () throws -> T, _ fragments: [String], file: StaticString = #filePath, line: UInt = #line
    ) {
        assertInputError(try body(), contains: fragments, complete: true, file: file, line: line)
    }
}

/// A small valid instance text: 3 samples, 2 elements, Q of 4 points.
func smallInstanceText(n: Int = 3) -> String {
    var s = """
        // Metadata
        M=2
        Elements=Al,Fe
        N=\(n)
        Composition=CAl,CFe

        CAl=\((0..<n).map { _ in "0.25" }.joined(separator: ","))
        CFe=\((0..<n).map { _ in "0.75" }.joined(separator: ","))   // trailing comment
        Q=10.0,10.5,11.0,11.5

        """
    for k in 1...n { s += "I\(k)=0.0,\(k).5,1.0,0.25\n" }
    return s
}

/// A small valid sticks.csv with two phases.
let smallSticksCSV = """
    phase,name,q,intensity
    0,alpha,20.5,1.0
    0,alpha,25.0,0.5
    1,beta,22.0,0.3
    1,beta,30.0,1.0
    1,beta,35.0,0.0

    """
