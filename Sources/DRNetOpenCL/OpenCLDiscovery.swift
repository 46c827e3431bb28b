import COpenCL
import Foundation

/// What the OpenCL ICD loader reports on this machine: platforms, their devices and the facts
/// a user needs to choose one (driver version, memory, compute units), or why OpenCL is unusable.
/// Discovery runs once per process (PoCL crashes when two threads discover devices at once).
public struct OpenCLInventory: Codable, Sendable {
    public struct Device: Codable, Sendable {
        /// `platform.device` index, as `--device opencl:P.D` will name it.
        public var id: String
        public var name: String
        public var vendor: String
        public var type: String
        public var driverVersion: String
        public var deviceVersion: String
        public var computeUnits: Int
        public var globalMemoryBytes: UInt64
        public var maxAllocationBytes: UInt64
        public var nativeFloatVectorWidth: Int
        /// CL_DEVICE_MAX_WORK_GROUP_SIZE: the largest work-group any kernel may be launched with.
        public var maxWorkGroupSize: Int

        public init(
            id: String, name: String, vendor: String, type: String, driverVersion: String, deviceVersion: String,
            computeUnits: Int, globalMemoryBytes: UInt64, maxAllocationBytes: UInt64, nativeFloatVectorWidth: Int,
            maxWorkGroupSize: Int
        ) {
            self.id = id
            self.name = name
            self.vendor = vendor
            self.type = type
            self.driverVersion = driverVersion
            self.deviceVersion = deviceVersion
            self.computeUnits = computeUnits
            self.globalMemoryBytes = globalMemoryBytes
            self.maxAllocationBytes = maxAllocationBytes
            self.nativeFloatVectorWidth = nativeFloatVectorWidth
            self.maxWorkGroupSize = maxWorkGroupSize
        }
    }

    public struct Platform: Codable, Sendable {
        public var index: Int
        public var name: String
        public var vendor: String
        public var version: String
        public var devices: [Device]
        /// Why the platform has no usable device, when it has none.
        public var problem: String?
    }

    public var platforms: [Platform]
    /// Why OpenCL cannot be used here (nil when at least one device is usable).
    public var unusableBecause: String?
    public var usable: Bool { unusableBecause == nil }

    /// The process-wide inventory (discovered on first use).
    public static let current: OpenCLInventory = discover()

    static func discover() -> OpenCLInventory {
        var count: cl_uint = 0
        let status = clGetPlatformIDs(0, nil, &count)
        if status == CL_PLATFORM_NOT_FOUND_KHR || (status == CL_SUCCESS && count == 0) {
            // The ICD loader looks where OCL_ICD_VENDORS says when it is set, else in /etc/OpenCL/vendors.
            let vendors = ProcessInfo.processInfo.environment["OCL_ICD_VENDORS"].map { "OCL_ICD_VENDORS=\($0)" } ?? "/etc/OpenCL/vendors"
            return OpenCLInventory(
                platforms: [],
                unusableBecause:
                    "no OpenCL platform is installed (the ICD loader found no vendor in \(vendors); "
                    + "on Debian install pocl-opencl-icd for the CPU, or the GPU vendor's OpenCL driver)")
        }
        guard status == CL_SUCCESS else {
            return OpenCLInventory(platforms: [], unusableBecause: "clGetPlatformIDs failed with OpenCL error \(status)")
        }
        var ids = [cl_platform_id?](repeating: nil, count: Int(count))
        guard clGetPlatformIDs(count, &ids, nil) == CL_SUCCESS else {
            return OpenCLInventory(platforms: [], unusableBecause: "clGetPlatformIDs failed listing \(count) platforms")
        }
        var platforms: [Platform] = []
        for (p, pid) in ids.enumerated() {
            guard let pid else { continue }
            var platform = Platform(
                index: p, name: platformString(pid, CL_PLATFORM_NAME),
                vendor: platformString(pid, CL_PLATFORM_VENDOR),
                version: platformString(pid, CL_PLATFORM_VERSION), devices: [], problem: nil)
            var n: cl_uint = 0
            let ds = clGetDeviceIDs(pid, cl_device_type(CL_DEVICE_TYPE_ALL), 0, nil, &n)
            if ds != CL_SUCCESS || n == 0 {
                platform.problem =
                    ds == CL_DEVICE_NOT_FOUND || n == 0
                    ? "the platform reports no device (for PoCL: is its kernel cache directory writable?)"
                    : "clGetDeviceIDs failed with OpenCL error \(ds)"
                platforms.append(platform)
                continue
            }
            var devs = [cl_device_id?](repeating: nil, count: Int(n))
            _ = clGetDeviceIDs(pid, cl_device_type(CL_DEVICE_TYPE_ALL), n, &devs, nil)
            for (d, did) in devs.enumerated() {
                guard let did else { continue }
                let type: cl_device_type = deviceValue(did, CL_DEVICE_TYPE)
                platform.devices.append(
                    Device(
                        id: "\(p).\(d)", name: deviceString(did, CL_DEVICE_NAME), vendor: deviceString(did, CL_DEVICE_VENDOR),
                        type: typeName(type), driverVersion: deviceString(did, CL_DRIVER_VERSION),
                        deviceVersion: deviceString(did, CL_DEVICE_VERSION),
                        computeUnits: Int(deviceValue(did, CL_DEVICE_MAX_COMPUTE_UNITS) as cl_uint),
                        globalMemoryBytes: deviceValue(did, CL_DEVICE_GLOBAL_MEM_SIZE),
                        maxAllocationBytes: deviceValue(did, CL_DEVICE_MAX_MEM_ALLOC_SIZE),
                        nativeFloatVectorWidth: Int(deviceValue(did, CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT) as cl_uint),
                        maxWorkGroupSize: Int(deviceValue(did, CL_DEVICE_MAX_WORK_GROUP_SIZE) as Int)))
            }
            platforms.append(platform)
        }
        let anyDevice = platforms.contains { !$0.devices.isEmpty }
        return OpenCLInventory(
            platforms: platforms,
            unusableBecause: anyDevice
                ? nil
                : "OpenCL platforms are installed but none reports a device: "
                    + platforms.map { "\($0.name): \($0.problem ?? "no device")" }.joined(separator: "; "))
    }

    static func platformString(_ id: cl_platform_id, _ param: Int32) -> String {
        var size = 0
        guard clGetPlatformInfo(id, cl_platform_info(param), 0, nil, &size) == CL_SUCCESS, size > 0 else { return "" }
        var bytes = [CChar](repeating: 0, count: size)
        guard clGetPlatformInfo(id, cl_platform_info(param), size, &bytes, nil) == CL_SUCCESS else { return "" }
        return String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func deviceString(_ id: cl_device_id, _ param: Int32) -> String {
        var size = 0
        guard clGetDeviceInfo(id, cl_device_info(param), 0, nil, &size) == CL_SUCCESS, size > 0 else { return "" }
        var bytes = [CChar](repeating: 0, count: size)
        guard clGetDeviceInfo(id, cl_device_info(param), size, &bytes, nil) == CL_SUCCESS else { return "" }
        return String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func deviceValue<T: FixedWidthInteger>(_ id: cl_device_id, _ param: Int32) -> T {
        var value: T = 0
        _ = clGetDeviceInfo(id, cl_device_info(param), MemoryLayout<T>.size, &value, nil)
        return value
    }

    static func typeName(_ t: cl_device_type) -> String {
        if t & cl_device_type(CL_DEVICE_TYPE_GPU) != 0 { return "GPU" }
        if t & cl_device_type(CL_DEVICE_TYPE_CPU) != 0 { return "CPU" }
        if t & cl_device_type(CL_DEVICE_TYPE_ACCELERATOR) != 0 { return "accelerator" }
        return "other"
    }
}
