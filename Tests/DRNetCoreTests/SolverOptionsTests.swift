import XCTest
import DRNetCore
import TestSupport

final class SolverOptionsTests: XCTestCase {
    func tempFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("drnet-options-\(UUID().uuidString).json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testShippedConfigsLoadAndValidate() throws {
        let dir = SharedData.packageRoot.appendingPathComponent("configs")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }
        XCTAssertGreaterThanOrEqual(files.count, 3)
        for f in files {
            XCTAssertNoThrow(try SolverOptions.load(path: dir.appendingPathComponent(f).path), f)
        }
        let bcv = try SolverOptions.load(path: dir.appendingPathComponent("bi-cu-v.json").path)
        XCTAssertEqual(bcv.maxShift, 0.04)
        XCTAssertEqual(bcv.smoothness, .l1)
        XCTAssertEqual(bcv.hiddenLayers, [1024, 1024, 512], "keys not given keep their defaults")
    }

    func testUnknownKeyIsNamed() throws {
        let path = try tempFile(#"{"learningRat": 0.001}"#)
        XCTAssertThrowsError(try SolverOptions.load(path: path)) { e in
            XCTAssertTrue("\(e)".contains("key learningRat"), "\(e)")
            XCTAssertTrue("\(e)".contains(path), "\(e)")
        }
    }

    func testWrongTypeAndInvalidValueAreNamed() throws {
        let typed = try tempFile(#"{"maxSteps": "many"}"#)
        XCTAssertThrowsError(try SolverOptions.load(path: typed)) { XCTAssertTrue("\($0)".contains("maxSteps"), "\($0)") }
        let invalid = try tempFile(#"{"walkLength": 1}"#)
        XCTAssertThrowsError(try SolverOptions.load(path: invalid)) { XCTAssertTrue("\($0)".contains("walkLength"), "\($0)") }
        let notJSON = try tempFile("maxSteps = 3")
        XCTAssertThrowsError(try SolverOptions.load(path: notJSON)) { XCTAssertTrue("\($0)".contains("valid JSON"), "\($0)") }
    }

    func testScheduleMatchesReference() {
        let o = SolverOptions()
        XCTAssertEqual(o.gibbsSchedule(step: 0), 0)
        XCTAssertEqual(o.gibbsSchedule(step: 3000), 0)
        XCTAssertEqual(o.gibbsSchedule(step: 3500), 0.5, accuracy: 1e-12)
        XCTAssertEqual(o.gibbsSchedule(step: 5000), 1)
    }
}
