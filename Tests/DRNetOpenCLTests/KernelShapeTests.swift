import XCTest
import DRNetOpenCL

/// The kernel shape: device defaults, the `DRNET_KERNEL_SHAPE` override and its validation
/// against the kernels' rules and the device's work-group limit (no device needed).
final class KernelShapeTests: XCTestCase {
    typealias Shape = OpenCLBackend.Configuration

    func device(type: String, width: Int, maxGroup: Int, units: Int = 2) -> OpenCLInventory.Device {
        OpenCLInventory.Device(
            id: "0.0", name: "test-\(type)", vendor: "test", type: type, driverVersion: "1",
            deviceVersion: "OpenCL 3.0", computeUnits: units, globalMemoryBytes: 1 << 30,
            maxAllocationBytes: 1 << 28, nativeFloatVectorWidth: width, maxWorkGroupSize: maxGroup)
    }

    func testDeviceDefaults() throws {
        XCTAssertEqual(
            Shape.forDevice(device(type: "CPU", width: 16, maxGroup: 4096)),
            Shape(lanes: 16, pairGroup: 1, sampleGroup: 1, elementGroup: 64, pairGroupCap: 16, skinnyRows: 256))
        XCTAssertEqual(Shape.forDevice(device(type: "CPU", width: 8, maxGroup: 4096)).lanes, 8)
        XCTAssertEqual(
            Shape.forDevice(device(type: "GPU", width: 1, maxGroup: 1024)),
            Shape(lanes: 1, pairGroup: 32, sampleGroup: 256, elementGroup: 256, gemmGroup: 64))
        // A GPU whose work-groups are smaller than 256 gets groups that fit.
        let small = Shape.forDevice(device(type: "GPU", width: 1, maxGroup: 128))
        XCTAssertEqual(small.sampleGroup, 128)
        XCTAssertNoThrow(try small.validate(for: device(type: "GPU", width: 1, maxGroup: 128)))
    }

    func testEnvironmentOverride() throws {
        let cpu = device(type: "CPU", width: 16, maxGroup: 4096)
        let shape = try Shape.resolved(for: cpu, environment: ["DRNET_KERNEL_SHAPE": "lanes=8, pairGroupCap=4"])
        XCTAssertEqual(shape, Shape(lanes: 8, pairGroup: 1, sampleGroup: 1, elementGroup: 64, pairGroupCap: 4, skinnyRows: 256))
        XCTAssertEqual(try Shape.resolved(for: cpu, environment: [:]), Shape.forDevice(cpu))
        XCTAssertEqual(try Shape.resolved(for: cpu, environment: ["DRNET_KERNEL_SHAPE": " "]), Shape.forDevice(cpu))
    }

    func testInvalidShapesAreClearErrors() {
        let gpu = device(type: "GPU", width: 1, maxGroup: 256)
        let cases: [(String, String)] = [
            ("lanes=3", "lanes = 3: expected 1, 4, 8 or 16"),
            ("pairGroup=48", "pairGroup = 48: expected a power of two"),
            ("sampleGroup=512", "sampleGroup = 512 exceeds the device's maximum work-group size 256"),
            ("elementGroup=0", "elementGroup = 0: expected ≥ 1"),
            ("skinnyRows=-1", "skinnyRows = -1: expected ≥ 0"),
            ("gemmGroup=0", "gemmGroup = 0: expected ≥ 1"),
            ("gemmGroup=512", "gemmGroup = 512 exceeds the device's maximum work-group size 256"),
            ("width=8", "unknown field 'width'"),
            ("lanes", "expected field=integer, found 'lanes'"),
            ("lanes=eight", "expected field=integer, found 'lanes=eight'")
        ]
        for (text, fragment) in cases {
            XCTAssertThrowsError(try Shape.resolved(for: gpu, environment: ["DRNET_KERNEL_SHAPE": text]), text) { error in
                let message = "\(error)"
                XCTAssertTrue(message.contains(fragment), "\(text): \(message)")
                XCTAssertTrue(message.hasPrefix("invalid OpenCL kernel shape"), message)
            }
        }
    }

    func testCandidateShapesForTheBenchmark() throws {
        let cpu = device(type: "CPU", width: 16, maxGroup: 4096)
        let c = Shape.candidates(for: cpu)
        XCTAssertEqual(c.first, Shape.forDevice(cpu), "the device's default first")
        XCTAssertEqual(Set(c.map(\.lanes)), [1, 4, 8, 16])
        XCTAssertEqual(c.count, 5)
        XCTAssertEqual(c.filter { $0.skinnyRows == 0 }.count, 1, "the device's shape with CLBlast for every product")
        XCTAssertEqual(
            try Shape.resolved(for: cpu, environment: ["DRNET_KERNEL_SHAPE": "skinnyRows=0"]).summary.hasSuffix("CLBlast GEMM only"),
            true)
        let gpu = device(type: "GPU", width: 1, maxGroup: 128)
        let g = Shape.candidates(for: gpu)
        XCTAssertEqual(g.first, Shape.forDevice(gpu))
        XCTAssertTrue(g.allSatisfy { (try? $0.validate(for: gpu)) != nil }, "every candidate fits the device")
        XCTAssertEqual(Set(g.map(\.pairGroup)), [32, 64, 128])
        XCTAssertEqual(Set(g).count, g.count, "no duplicates")
    }
}
