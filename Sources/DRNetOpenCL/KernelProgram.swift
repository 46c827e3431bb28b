import COpenCL
import Foundation

/// The kernel sources in the project's top-level `Kernels/` folder, found at run time in this
/// order: an explicit directory (`--kernels`), the `DRNET_KERNELS` environment variable, a
/// `Kernels/` folder next to the executable, the source tree this binary was built from.
/// A binary copied to a GPU node takes `Kernels/` along (next to it) or names it.
public enum KernelSources {
    /// The files making up the one program, in build order (common definitions first).
    public static let files = [
        "common.cl", "peak_decoder.cl", "background.cl", "reconstruction_loss.cl", "dense_layers.cl", "skinny_gemm.cl", "adam.cl"
    ]

    /// Folders searched, in order, for `explicit` (may be nil).
    public static func searchPath(explicit: String?) -> [String] {
        var dirs: [String] = []
        if let explicit { dirs.append(explicit) }
        if let env = ProcessInfo.processInfo.environment["DRNET_KERNELS"], !env.isEmpty { dirs.append(env) }
        let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        dirs.append(exe.appendingPathComponent("Kernels").path)
        // …/Sources/DRNetOpenCL/KernelProgram.swift → …/Kernels
        let tree = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Kernels")
        dirs.append(tree.path)
        return dirs
    }

    /// The concatenated source (with `#line`-style banners naming each file) and the folder it
    /// came from. An explicit directory must hold the files: it is not silently skipped.
    public static func load(explicit: String?) throws(OpenCLError) -> (source: String, directory: String) {
        let fm = FileManager.default
        let dirs = searchPath(explicit: explicit)
        let candidates = explicit != nil ? [dirs[0]] : dirs
        guard let dir = candidates.first(where: { fm.fileExists(atPath: $0 + "/" + files[0]) }) else {
            throw .kernelSourceMissing(file: files[0], searched: candidates)
        }
        var source = ""
        for f in files {
            let path = dir + "/" + f
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw .kernelSourceMissing(file: f, searched: [dir])
            }
            source += "// ---- \(f) ----\n" + text + "\n"
        }
        return (source, dir)
    }
}

/// A built program. Built once per context; binaries are cached on disk keyed by the device,
/// driver and platform versions, the source hash and the build options (a changed kernel file or
/// driver rebuilds). Cache folder: `DRNET_CACHE_DIR`, else `$XDG_CACHE_HOME/drnet/kernels`, else
/// `~/.cache/drnet/kernels`; an unwritable cache only costs a rebuild.
public final class KernelProgram: @unchecked Sendable {
    public let device: OpenCLDevice
    public let program: cl_program
    public let options: String
    /// Whether the binary came from the cache.
    public let fromCache: Bool
    public let cacheKey: String

    public init(device: OpenCLDevice, source: String, options: String) throws(OpenCLError) {
        self.device = device
        self.options = options
        let key = Self.hash([
            device.info.name, device.info.driverVersion, device.platformVersion, device.info.deviceVersion,
            options, source
        ])
        cacheKey = key
        let cacheFile = Self.cacheDirectory().map { $0 + "/\(key).bin" }
        if let cacheFile, let binary = FileManager.default.contents(atPath: cacheFile),
            let built = Self.fromBinary(device, [UInt8](binary), options: options)
        {
            program = built
            fromCache = true
            return
        }
        var status: cl_int = 0
        let prog: cl_program? = source.withCString { ptr in
            var p: UnsafePointer<CChar>? = ptr
            return clCreateProgramWithSource(device.context, 1, &p, nil, &status)
        }
        guard let prog, status == CL_SUCCESS else { throw .call("clCreateProgramWithSource", status) }
        var dev: cl_device_id? = device.id
        let build = clBuildProgram(prog, 1, &dev, options, nil, nil)
        if build != CL_SUCCESS {
            let log = Self.buildLog(prog, device.id)
            clReleaseProgram(prog)
            throw .buildFailed(device: device.info.name, options: options, log: log.isEmpty ? "(empty; error \(build))" : log)
        }
        program = prog
        fromCache = false
        if let cacheFile, let binary = Self.binary(prog) { Self.store(binary, at: cacheFile) }
    }

    deinit { clReleaseProgram(program) }

    static func cacheDirectory() -> String? {
        let env = ProcessInfo.processInfo.environment
        if let d = env["DRNET_CACHE_DIR"], !d.isEmpty { return d }
        if let x = env["XDG_CACHE_HOME"], !x.isEmpty { return x + "/drnet/kernels" }
        if let h = env["HOME"], !h.isEmpty { return h + "/.cache/drnet/kernels" }
        return nil
    }

    /// FNV-1a 64 over the parts (with separators), as 16 hex digits.
    static func hash(_ parts: [String]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for part in parts {
            for byte in part.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
            h = (h ^ 0xff) &* 0x100_0000_01b3
        }
        return String(h, radix: 16).leftPadded(to: 16)
    }

    static func buildLog(_ prog: cl_program, _ dev: cl_device_id) -> String {
        var size = 0
        guard clGetProgramBuildInfo(prog, dev, cl_program_build_info(CL_PROGRAM_BUILD_LOG), 0, nil, &size) == CL_SUCCESS, size > 0 else {
            return ""
        }
        var bytes = [CChar](repeating: 0, count: size)
        _ = clGetProgramBuildInfo(prog, dev, cl_program_build_info(CL_PROGRAM_BUILD_LOG), size, &bytes, nil)
        return String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func binary(_ prog: cl_program) -> [UInt8]? {
        var size = 0
        guard clGetProgramInfo(prog, cl_program_info(CL_PROGRAM_BINARY_SIZES), MemoryLayout<Int>.size, &size, nil) == CL_SUCCESS,
            size > 0
        else { return nil }
        var bytes = [UInt8](repeating: 0, count: size)
        let ok = bytes.withUnsafeMutableBufferPointer { buf -> Bool in
            var ptr: UnsafeMutablePointer<UInt8>? = buf.baseAddress
            return clGetProgramInfo(prog, cl_program_info(CL_PROGRAM_BINARIES), MemoryLayout<UnsafeMutablePointer<UInt8>?>.size, &ptr, nil)
                == CL_SUCCESS
        }
        return ok ? bytes : nil
    }

    static func fromBinary(_ device: OpenCLDevice, _ binary: [UInt8], options: String) -> cl_program? {
        var status: cl_int = 0, binStatus: cl_int = 0
        var dev: cl_device_id? = device.id
        var length = binary.count
        let prog: cl_program? = binary.withUnsafeBufferPointer { buf in
            var ptr: UnsafePointer<UInt8>? = buf.baseAddress
            return clCreateProgramWithBinary(device.context, 1, &dev, &length, &ptr, &binStatus, &status)
        }
        guard let prog, status == CL_SUCCESS, binStatus == CL_SUCCESS else { return nil }
        guard clBuildProgram(prog, 1, &dev, options, nil, nil) == CL_SUCCESS else {
            clReleaseProgram(prog)
            return nil
        }
        return prog
    }

    static func store(_ binary: [UInt8], at path: String) {
        let dir = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let tmp = path + ".\(getpid()).partial"
        guard FileManager.default.createFile(atPath: tmp, contents: Data(binary)) else { return }
        _ = rename(tmp, path)
    }
}

extension String {
    func leftPadded(to n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}

/// One argument of a kernel launch (`Kernel.launch(_:groups:local:profile:)`).
public enum KernelArgument {
    case buffer(cl_mem, owner: AnyObject)
    case int32(Int32)
    case float(Float)

    /// A device buffer (kept alive by the kernel until its slot is bound again).
    public static func buffer<T>(_ b: DeviceBuffer<T>) -> KernelArgument { .buffer(b.mem, owner: b) }
    /// An `int` parameter.
    public static func int(_ v: Int) -> KernelArgument { .int32(Int32(v)) }
    /// An `int` parameter used as a flag (1 = true).
    public static func flag(_ v: Bool) -> KernelArgument { .int32(v ? 1 : 0) }
    /// A `float` parameter.
    public static func float(_ v: Double) -> KernelArgument { .float(Float(v)) }
}

/// One kernel of the program, launched with its whole argument list at once (in signature
/// order, checked against the kernel's argument count); records profiling times (per kernel
/// name) when the device queue profiles.
public final class Kernel: @unchecked Sendable {
    public let name: String
    let kernel: cl_kernel
    let program: KernelProgram
    /// Buffers bound by `set`, kept alive until the next binding of the same index.
    private var retained: [Int: AnyObject] = [:]

    public init(_ program: KernelProgram, _ name: String) throws(OpenCLError) {
        var status: cl_int = 0
        guard let k = clCreateKernel(program.program, name, &status), status == CL_SUCCESS else {
            throw .call("clCreateKernel(\(name))", status)
        }
        self.kernel = k
        self.name = name
        self.program = program
    }

    deinit { clReleaseKernel(kernel) }

    private func set(_ index: Int, _ value: Int32) throws(OpenCLError) {
        var v = value
        try check(clSetKernelArg(kernel, cl_uint(index), 4, &v), "clSetKernelArg(\(name), \(index))")
    }

    private func set(_ index: Int, _ value: Float) throws(OpenCLError) {
        var v = value
        try check(clSetKernelArg(kernel, cl_uint(index), 4, &v), "clSetKernelArg(\(name), \(index))")
    }

    /// The number of arguments in the kernel's signature (CL_KERNEL_NUM_ARGS).
    public lazy var argumentCount: Int = {
        var n: cl_uint = 0
        _ = clGetKernelInfo(kernel, cl_kernel_info(CL_KERNEL_NUM_ARGS), MemoryLayout<cl_uint>.size, &n, nil)
        return Int(n)
    }()

    /// The most work-items a work-group of this kernel may have on its device
    /// (CL_KERNEL_WORK_GROUP_SIZE: the device's limit lowered by the kernel's registers and local
    /// memory); 0 when the driver does not say.
    public lazy var maxWorkGroupSize: Int = {
        var n: Int = 0
        let status = clGetKernelWorkGroupInfo(
            kernel, program.device.id, cl_kernel_work_group_info(CL_KERNEL_WORK_GROUP_SIZE), MemoryLayout<Int>.size, &n, nil)
        return status == CL_SUCCESS ? n : 0
    }()

    /// Binds `arguments` to the kernel's parameters 0, 1, … in order — one list per launch, in
    /// the order of the signature in the `.cl` file, so that indices cannot drift — and enqueues
    /// `groups` work-groups of `local` work-items. A list whose length differs from the
    /// signature's is an error naming the kernel.
    public func launch(_ arguments: [KernelArgument], groups: Int, local: Int, profile: KernelProfile?) throws(OpenCLError) {
        guard arguments.count == argumentCount else {
            throw .call("\(name): \(arguments.count) arguments given, the kernel takes \(argumentCount)", CL_INVALID_KERNEL_ARGS)
        }
        for (index, argument) in arguments.enumerated() {
            switch argument {
            case .buffer(let mem, let owner):
                var m: cl_mem? = mem
                try check(clSetKernelArg(kernel, cl_uint(index), MemoryLayout<cl_mem>.size, &m), "clSetKernelArg(\(name), \(index))")
                retained[index] = owner
            case .int32(let v):
                try set(index, v)
            case .float(let v):
                try set(index, v)
            }
        }
        try launch(groups: groups, local: local, profile: profile)
    }

    /// Enqueues `groups` work-groups of `local` work-items (1-D) with the arguments bound.
    private func launch(groups: Int, local: Int, profile: KernelProfile?) throws(OpenCLError) {
        guard groups > 0 else { return }
        // A work-group the kernel cannot run with is a clear error before the enqueue (which
        // would fail with CL_INVALID_WORK_GROUP_SIZE, or worse on some drivers).
        if maxWorkGroupSize > 0 && local > maxWorkGroupSize {
            throw .invalidConfiguration(
                "kernel \(name): work-groups of \(local) work-items exceed its limit of \(maxWorkGroupSize) on "
                    + "\(program.device.info.name) (CL_KERNEL_WORK_GROUP_SIZE); choose smaller groups with DRNET_KERNEL_SHAPE "
                    + "(Kernels/README.md)")
        }
        var global = groups * local, loc = local
        program.device.operations.kernelLaunches += 1
        var event: cl_event?
        let wantEvent = profile != nil && program.device.profiling
        let status =
            wantEvent
            ? clEnqueueNDRangeKernel(program.device.queue, kernel, 1, nil, &global, &loc, 0, nil, &event)
            : clEnqueueNDRangeKernel(program.device.queue, kernel, 1, nil, &global, &loc, 0, nil, nil)
        try check(status, "clEnqueueNDRangeKernel(\(name), \(groups)×\(local))")
        if let event, let profile { profile.record(name, event) }
    }
}

/// Per-kernel device times from OpenCL profiling events (collected lazily: events are read
/// when `drain` is called, after the queue finished).
public final class KernelProfile: @unchecked Sendable {
    private var pending: [(String, cl_event)] = []
    public private(set) var seconds: [String: Double] = [:]
    public private(set) var calls: [String: Int] = [:]

    public init() {}

    func record(_ name: String, _ event: cl_event) { pending.append((name, event)) }

    /// Reads the finished events' start/end times into `seconds`.
    public func drain() {
        for (name, event) in pending {
            var start: cl_ulong = 0, end: cl_ulong = 0
            if clGetEventProfilingInfo(event, cl_profiling_info(CL_PROFILING_COMMAND_START), 8, &start, nil) == CL_SUCCESS,
                clGetEventProfilingInfo(event, cl_profiling_info(CL_PROFILING_COMMAND_END), 8, &end, nil) == CL_SUCCESS, end >= start
            {
                seconds[name, default: 0] += Double(end - start) * 1e-9
                calls[name, default: 0] += 1
            }
            clReleaseEvent(event)
        }
        pending.removeAll()
    }

    public func reset() { drain(); seconds = [:]; calls = [:] }
}
