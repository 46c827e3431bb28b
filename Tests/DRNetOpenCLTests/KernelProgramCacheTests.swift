import XCTest
import DRNetOpenCL
import TestSupport

/// The program cache: a second build of the same source, options and device loads the binary
/// from the cache; another option set (or a changed source) is a different key.
final class KernelProgramCacheTests: XCTestCase {
    func testSecondBuildComesFromTheCache() throws {
        guard let device = TestBackends.openCLDevices().first else { throw XCTSkip("no OpenCL device here") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("drnet-kcache-\(getpid())").path
        setenv("DRNET_CACHE_DIR", dir, 1)
        defer { unsetenv("DRNET_CACHE_DIR"); try? FileManager.default.removeItem(atPath: dir) }
        let source = try KernelSources.load(explicit: nil).source
        let options = "-DLANES=4 -DWG_PAIR=1 -DWG_SAMPLE=1 -cl-std=CL1.2"
        let first = try KernelProgram(device: device, source: source, options: options)
        XCTAssertFalse(first.fromCache)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/\(first.cacheKey).bin"), "binary written to the cache")
        let second = try KernelProgram(device: device, source: source, options: options)
        XCTAssertTrue(second.fromCache)
        XCTAssertEqual(first.cacheKey, second.cacheKey)
        _ = try Kernel(second, "render_phases")  // the cached binary holds the kernels
        let other = try KernelProgram(device: device, source: source + "\n// changed\n", options: options)
        XCTAssertNotEqual(other.cacheKey, first.cacheKey)
        XCTAssertFalse(other.fromCache)
    }
}
