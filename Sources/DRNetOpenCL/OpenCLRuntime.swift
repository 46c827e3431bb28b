import COpenCL
import Foundation

/// Why an OpenCL operation failed, in words a user can act on.
public enum OpenCLError: Error, CustomStringConvertible {
    /// No platform or no device: the message says what the ICD loader reported.
    case unavailable(String)
    /// `--device opencl:P.D` names no device; the message lists the ones that exist.
    case unknownDevice(String)
    /// An OpenCL call returned an error code.
    case call(String, Int32)
    /// A kernel source file was not found in any searched place.
    case kernelSourceMissing(file: String, searched: [String])
    /// The kernels did not compile; carries the compiler's full build log.
    case buildFailed(device: String, options: String, log: String)
    /// A CLBlast routine returned a status code.
    case clblast(String, Int32)
    /// A kernel shape (`DRNET_KERNEL_SHAPE` or an explicit configuration) that the kernels or
    /// the device cannot run; the message names the field, the value and what is allowed.
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case .unavailable(let why): return "OpenCL is not usable here: \(why)"
        case .unknownDevice(let why): return why
        case .call(let what, let code): return "OpenCL call \(what) failed with error \(code) (\(openCLErrorName(code)))"
        case .kernelSourceMissing(let file, let searched):
            return "kernel source \(file) not found; searched: " + searched.joined(separator: ", ")
                + " (pass --kernels DIR or set DRNET_KERNELS to the project's Kernels/ folder)"
        case .buildFailed(let device, let options, let log):
            return "the OpenCL kernels failed to build for \(device) with options '\(options)'; build log:\n\(log)"
        case .clblast(let what, let code): return "CLBlast \(what) failed with status \(code)"
        case .invalidConfiguration(let why): return "invalid OpenCL kernel shape: \(why)"
        }
    }
}

/// Names of the common OpenCL error codes (for messages).
func openCLErrorName(_ code: Int32) -> String {
    switch code {
    case -1: return "CL_DEVICE_NOT_FOUND"
    case -2: return "CL_DEVICE_NOT_AVAILABLE"
    case -4: return "CL_MEM_OBJECT_ALLOCATION_FAILURE"
    case -5: return "CL_OUT_OF_RESOURCES"
    case -6: return "CL_OUT_OF_HOST_MEMORY"
    case -11: return "CL_BUILD_PROGRAM_FAILURE"
    case -30: return "CL_INVALID_VALUE"
    case -36: return "CL_INVALID_COMMAND_QUEUE"
    case -38: return "CL_INVALID_MEM_OBJECT"
    case -44: return "CL_INVALID_PROGRAM"
    case -45: return "CL_INVALID_PROGRAM_EXECUTABLE"
    case -46: return "CL_INVALID_KERNEL_NAME"
    case -48: return "CL_INVALID_KERNEL"
    case -49: return "CL_INVALID_ARG_INDEX"
    case -50: return "CL_INVALID_ARG_VALUE"
    case -51: return "CL_INVALID_ARG_SIZE"
    case -52: return "CL_INVALID_KERNEL_ARGS"
    case -54: return "CL_INVALID_WORK_GROUP_SIZE"
    case -61: return "CL_INVALID_BUFFER_SIZE"
    case -1001: return "CL_PLATFORM_NOT_FOUND_KHR"
    default: return "see CL/cl.h"
    }
}

@inline(__always)
func check(_ status: cl_int, _ what: @autoclosure () -> String) throws(OpenCLError) {
    if status != CL_SUCCESS { throw OpenCLError.call(what(), status) }
}

/// One device with its context and in-order command queue (profiling enabled on request).
/// Every OpenCL object of a run hangs off this; released when the last reference goes.
public final class OpenCLDevice: @unchecked Sendable {
    public let id: cl_device_id
    public let context: cl_context
    public let queue: cl_command_queue
    public let info: OpenCLInventory.Device
    public let platformName: String
    public let platformVersion: String
    public let profiling: Bool
    /// Every launch, transfer and finish on this device's queue so far.
    public internal(set) var operations = DeviceOperationCounts()
    /// Host copies of enqueued uploads and the host ends of enqueued downloads, kept alive until
    /// the queue has drained past them (the next finish or blocking read: the queue is in order).
    var inFlight: [TransferStaging] = []

    /// Opens device `platform.device` (nil: the first GPU, else the first device).
    public init(selector: String?, profiling: Bool = false) throws(OpenCLError) {
        let inventory = OpenCLInventory.current
        if let why = inventory.unusableBecause { throw .unavailable(why) }
        let all = inventory.platforms.flatMap { p in p.devices.map { (p, $0) } }
        let chosen: (OpenCLInventory.Platform, OpenCLInventory.Device)
        if let selector {
            guard let match = all.first(where: { $0.1.id == selector }) else {
                throw .unknownDevice(
                    "no OpenCL device \(selector); available: "
                        + all.map { "opencl:\($0.1.id) (\($0.1.name))" }.joined(separator: ", "))
            }
            chosen = match
        } else {
            chosen = all.first(where: { $0.1.type == "GPU" }) ?? all[0]
        }
        let parts = chosen.1.id.split(separator: ".").compactMap { Int($0) }
        var count: cl_uint = 0
        try check(clGetPlatformIDs(0, nil, &count), "clGetPlatformIDs")
        var platforms = [cl_platform_id?](repeating: nil, count: Int(count))
        try check(clGetPlatformIDs(count, &platforms, nil), "clGetPlatformIDs")
        guard let platform = platforms[parts[0]] else { throw .unavailable("platform \(parts[0]) vanished") }
        var n: cl_uint = 0
        try check(clGetDeviceIDs(platform, cl_device_type(CL_DEVICE_TYPE_ALL), 0, nil, &n), "clGetDeviceIDs")
        var devices = [cl_device_id?](repeating: nil, count: Int(n))
        try check(clGetDeviceIDs(platform, cl_device_type(CL_DEVICE_TYPE_ALL), n, &devices, nil), "clGetDeviceIDs")
        guard let device = devices[parts[1]] else { throw .unavailable("device \(chosen.1.id) vanished") }
        var status: cl_int = 0
        var dev: cl_device_id? = device
        guard let ctx = clCreateContext(nil, 1, &dev, nil, nil, &status), status == CL_SUCCESS else {
            throw .call("clCreateContext", status)
        }
        let props: cl_command_queue_properties = profiling ? cl_command_queue_properties(CL_QUEUE_PROFILING_ENABLE) : 0
        guard let q = clCreateCommandQueue(ctx, device, props, &status), status == CL_SUCCESS else {
            clReleaseContext(ctx)
            throw .call("clCreateCommandQueue", status)
        }
        self.id = device
        self.context = ctx
        self.queue = q
        self.info = chosen.1
        self.platformName = chosen.0.name
        self.platformVersion = chosen.0.version
        self.profiling = profiling
    }

    deinit {
        clFinish(queue)
        inFlight.removeAll()
        clReleaseCommandQueue(queue)
        clReleaseContext(context)
    }

    /// "name (platform, driver)" for reports.
    public var description: String { "\(info.name) [\(platformName), driver \(info.driverVersion)]" }

    /// Waits until every enqueued command has finished (one host synchronisation); enqueued
    /// downloads (`DeviceBuffer.readLater`) are complete afterwards.
    public func finish() throws(OpenCLError) {
        operations.finishes += 1
        try check(clFinish(queue), "clFinish")
        drained()
    }

    /// The queue has executed everything enqueued so far: staged uploads can go, enqueued
    /// downloads hold their values.
    func drained() {
        for staging in inFlight { staging.complete = true }
        inFlight.removeAll(keepingCapacity: true)
    }
}

/// Host memory that an enqueued (non-blocking) transfer reads from or writes into: it must stay
/// put until the command has executed, so the device holds it until the queue has drained.
final class TransferStaging: @unchecked Sendable {
    let bytes: UnsafeMutableRawBufferPointer
    /// Set once the queue has drained past the transfer.
    var complete = false

    init(byteCount: Int) {
        bytes = .allocate(byteCount: max(byteCount, 1), alignment: 64)
    }

    deinit { bytes.deallocate() }
}

/// A download enqueued without waiting (`DeviceBuffer.readLater`): its values are there after the
/// device's next `finish()` (or blocking read), so that several results cross in one host
/// synchronisation.
public final class PendingRead<T: Numeric>: @unchecked Sendable {
    let staging: TransferStaging
    let count: Int

    init(staging: TransferStaging, count: Int) {
        self.staging = staging
        self.count = count
    }

    /// The downloaded values; only after the queue has drained (a programming error otherwise).
    public var values: [T] {
        precondition(count == 0 || staging.complete, "PendingRead.values before the device's finish()")
        guard count > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: staging.bytes.baseAddress!.assumingMemoryBound(to: T.self), count: count))
    }
}

/// A device buffer of `count` elements of T (Float or Int32), reallocated to grow.
public final class DeviceBuffer<T>: @unchecked Sendable {
    public let device: OpenCLDevice
    public private(set) var mem: cl_mem
    public private(set) var count: Int

    public init(_ device: OpenCLDevice, count: Int) throws(OpenCLError) {
        self.device = device
        self.count = max(count, 1)
        var status: cl_int = 0
        guard let m = clCreateBuffer(device.context, cl_mem_flags(CL_MEM_READ_WRITE), self.count * MemoryLayout<T>.stride, nil, &status),
            status == CL_SUCCESS
        else {
            throw .call("clCreateBuffer(\(self.count * MemoryLayout<T>.stride) bytes)", status)
        }
        mem = m
    }

    deinit { clReleaseMemObject(mem) }

    public var bytes: Int { count * MemoryLayout<T>.stride }

    /// Makes room for at least `n` elements (contents are not kept).
    public func reserve(_ n: Int) throws(OpenCLError) {
        guard n > count else { return }
        var status: cl_int = 0
        let newCount = max(n, count + count / 2)
        guard let m = clCreateBuffer(device.context, cl_mem_flags(CL_MEM_READ_WRITE), newCount * MemoryLayout<T>.stride, nil, &status),
            status == CL_SUCCESS
        else {
            throw .call("clCreateBuffer(\(newCount * MemoryLayout<T>.stride) bytes)", status)
        }
        clReleaseMemObject(mem)
        mem = m
        count = newCount
    }

    /// Upload of `values` at element `offset`, enqueued without waiting (not a host
    /// synchronisation): the values are copied to staging memory that the device keeps until the
    /// queue has drained past the write; later commands on the in-order queue see them.
    public func write(_ values: [T], at offset: Int = 0) throws(OpenCLError) {
        guard !values.isEmpty else { return }
        try reserve(offset + values.count)
        let staging = TransferStaging(byteCount: values.count * MemoryLayout<T>.stride)
        values.withUnsafeBytes { staging.bytes.copyMemory(from: $0) }
        device.operations.uploads += 1
        device.operations.uploadBytes += values.count * MemoryLayout<T>.stride
        let status = clEnqueueWriteBuffer(
            device.queue, mem, cl_bool(CL_FALSE), offset * MemoryLayout<T>.stride, values.count * MemoryLayout<T>.stride,
            staging.bytes.baseAddress, 0, nil, nil)
        try check(status, "clEnqueueWriteBuffer")
        device.inFlight.append(staging)
    }

    /// Blocking download of `n` elements from element `offset` (one host synchronisation; the
    /// queue has drained afterwards, so earlier `readLater` values are there too).
    public func read(_ n: Int, at offset: Int = 0) throws(OpenCLError) -> [T] where T: Numeric {
        guard n > 0 else { return [] }
        var out = [T](repeating: 0, count: n)
        device.operations.blockingReads += 1
        device.operations.downloadBytes += n * MemoryLayout<T>.stride
        let status = out.withUnsafeMutableBytes { raw in
            clEnqueueReadBuffer(
                device.queue, mem, cl_bool(CL_TRUE), offset * MemoryLayout<T>.stride, raw.count, raw.baseAddress, 0, nil, nil)
        }
        try check(status, "clEnqueueReadBuffer")
        device.drained()
        return out
    }

    /// Download of `n` elements from element `offset`, enqueued without waiting: the values are
    /// in the returned `PendingRead` after the device's next `finish()`.
    public func readLater(_ n: Int, at offset: Int = 0) throws(OpenCLError) -> PendingRead<T> where T: Numeric {
        let staging = TransferStaging(byteCount: n * MemoryLayout<T>.stride)
        let pending = PendingRead<T>(staging: staging, count: n)
        guard n > 0 else { return pending }
        device.operations.queuedReads += 1
        device.operations.downloadBytes += n * MemoryLayout<T>.stride
        let status = clEnqueueReadBuffer(
            device.queue, mem, cl_bool(CL_FALSE), offset * MemoryLayout<T>.stride, n * MemoryLayout<T>.stride,
            staging.bytes.baseAddress, 0, nil, nil)
        try check(status, "clEnqueueReadBuffer")
        device.inFlight.append(staging)
        return pending
    }

    /// Sets elements [0, n) to zero (enqueued).
    public func zero(_ n: Int) throws(OpenCLError) {
        guard n > 0 else { return }
        var pattern: UInt32 = 0
        device.operations.fills += 1
        try check(clEnqueueFillBuffer(device.queue, mem, &pattern, 4, 0, n * MemoryLayout<T>.stride, 0, nil, nil), "clEnqueueFillBuffer")
    }
}
