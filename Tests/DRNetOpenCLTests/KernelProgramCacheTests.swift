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

    /// A launch's argument list must match the kernel's signature: a list one short, or one
    /// long, is an error naming the kernel (arguments are bound by position, never by hand-kept
    /// indices).
    func testArgumentListMustMatchTheSignature() throws {
        guard let device = TestBackends.openCLDevices().first else { throw XCTSkip("no OpenCL device here") }
        let source = try KernelSources.load(explicit: nil).source
        let program = try KernelProgram(device: device, source: source, options: "-DLANES=4 -DWG_PAIR=1 -DWG_SAMPLE=1 -cl-std=CL1.2")
        let kernel = try Kernel(program, "relu_backward")  // (delta, activation, count)
        XCTAssertEqual(kernel.argumentCount, 3)
        let delta = try DeviceBuffer<Float>(device, count: 8), act = try DeviceBuffer<Float>(device, count: 8)
        for args: [KernelArgument] in [[.buffer(delta), .buffer(act)], [.buffer(delta), .buffer(act), .int(8), .int(1)]] {
            XCTAssertThrowsError(try kernel.launch(args, groups: 1, local: 8, profile: nil)) { error in
                XCTAssertTrue("\(error)".contains("relu_backward: \(args.count) arguments given, the kernel takes 3"), "\(error)")
            }
        }
        try delta.write([-1, 2, -3, 4, -5, 6, -7, 8])
        try act.write([0, 1, 1, 0, 1, 0, 1, 1])
        try kernel.launch([.buffer(delta), .buffer(act), .int(8)], groups: 1, local: 8, profile: nil)
        XCTAssertEqual(try delta.read(8), [0, 2, -3, 0, -5, 0, -7, 8])
    }

    /// A work-group larger than the kernel allows on its device (CL_KERNEL_WORK_GROUP_SIZE) is a
    /// clear error naming the kernel and the limit, before anything is enqueued (issue 13).
    func testWorkGroupsBeyondTheKernelsLimitAreRefused() throws {
        guard let device = TestBackends.openCLDevices().first else { throw XCTSkip("no OpenCL device here") }
        let source = try KernelSources.load(explicit: nil).source
        let program = try KernelProgram(device: device, source: source, options: "-DLANES=4 -DWG_PAIR=1 -DWG_SAMPLE=1 -cl-std=CL1.2")
        let kernel = try Kernel(program, "relu_backward")
        let limit = kernel.maxWorkGroupSize
        XCTAssertGreaterThan(limit, 0, "the driver reports the kernel's work-group limit")
        let delta = try DeviceBuffer<Float>(device, count: 2 * limit), act = try DeviceBuffer<Float>(device, count: 2 * limit)
        XCTAssertThrowsError(
            try kernel.launch([.buffer(delta), .buffer(act), .int(2 * limit)], groups: 1, local: 2 * limit, profile: nil)
        ) { error in
            XCTAssertTrue(
                "\(error)".contains("kernel relu_backward: work-groups of \(2 * limit) work-items exceed its limit of \(limit)"), "\(error)"
            )
        }
        try kernel.launch([.buffer(delta), .buffer(act), .int(limit)], groups: 1, local: limit, profile: nil)
    }
}
