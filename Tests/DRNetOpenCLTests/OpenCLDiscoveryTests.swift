import XCTest
import DRNetOpenCL

/// OpenCL discovery on this machine: PoCL (installed by scripts/setup.sh) gives a CPU device in
/// CI; where no platform exists the inventory must say why instead of failing.
final class OpenCLDiscoveryTests: XCTestCase {
    func testInventoryListsDevicesOrSaysWhyNot() throws {
        let inventory = OpenCLInventory.current
        if let reason = inventory.unusableBecause {
            XCTAssertFalse(reason.isEmpty)
            XCTAssertTrue(inventory.platforms.allSatisfy { $0.devices.isEmpty })
            throw XCTSkip("OpenCL is not usable here: \(reason)")
        }
        let devices = inventory.platforms.flatMap(\.devices)
        XCTAssertFalse(devices.isEmpty)
        for d in devices {
            XCTAssertFalse(d.name.isEmpty, "device \(d.id) has a name")
            XCTAssertGreaterThan(d.computeUnits, 0, d.name)
            XCTAssertGreaterThan(d.globalMemoryBytes, 0, d.name)
            XCTAssertGreaterThanOrEqual(d.maxAllocationBytes, 1, d.name)
            XCTAssertTrue(d.id.contains("."), d.id)
        }
    }
}
