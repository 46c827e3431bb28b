import DRNetOpenCL
import TestSupport
import XCTest

/// The one place where a device is chosen, as a Swift program calls it.
final class DeviceChoiceTests: XCTestCase {
    func testCPUAndAuto() throws {
        let (cpu, note) = try DeviceChoice.resolve("cpu", environment: [:])
        XCTAssertEqual(cpu.name, "cpu")
        XCTAssertNil(cpu.backendFactory)
        XCTAssertNil(note)
        // DRNET_DEVICE sets what `auto` means.
        XCTAssertEqual(try DeviceChoice.resolve("auto", environment: ["DRNET_DEVICE": "cpu"]).device.name, "cpu")
        // Plain auto says what it picked and why.
        let auto = try DeviceChoice.resolve("auto", environment: [:])
        XCTAssertTrue(auto.note?.hasPrefix("device auto → ") ?? false, auto.note ?? "no note")
    }

    func testUnknownRequestsNameTheirSource() {
        XCTAssertThrowsError(try DeviceChoice.resolve("gpu", environment: [:])) { error in
            XCTAssertTrue("\(error)".hasPrefix("--device: unknown device 'gpu': expected auto, cpu, opencl or opencl:P.D"), "\(error)")
        }
        XCTAssertThrowsError(try DeviceChoice.resolve("auto", environment: ["DRNET_DEVICE": "cuda"])) { error in
            XCTAssertTrue("\(error)".hasPrefix("DRNET_DEVICE=cuda: unknown device 'cuda'"), "\(error)")
        }
    }

    func testOpenCLRequests() throws {
        guard let first = TestBackends.openCLDevices().first else { throw XCTSkip("no OpenCL device here") }
        let (device, _) = try DeviceChoice.resolve("opencl:\(first.info.id)", environment: [:])
        XCTAssertNotNil(device.backendFactory)
        XCTAssertTrue(device.name.hasPrefix("opencl:\(first.info.id) "), device.name)
        XCTAssertThrowsError(try DeviceChoice.resolve("opencl:9.9", environment: [:])) { error in
            XCTAssertTrue("\(error)".hasPrefix("--device opencl:9.9: "), "\(error)")
        }
        XCTAssertThrowsError(try DeviceChoice.resolve("auto", environment: ["DRNET_DEVICE": "opencl:9.9"])) { error in
            XCTAssertTrue("\(error)".hasPrefix("DRNET_DEVICE=opencl:9.9: "), "\(error)")  // names the variable, not --device
        }
    }
}
