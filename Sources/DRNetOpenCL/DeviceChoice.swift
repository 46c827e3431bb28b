import DRNetCore
import Foundation

/// A resolved compute device: a name for reports and the factory the solver calls to build the
/// backend for its decoder and loss (nil: the CPU backend).
public struct ComputeDevice: Sendable {
    public var name: String
    public var openCL: OpenCLDevice?
    public var kernelsDirectory: String?
    /// An explicit kernel shape for OpenCL backends (nil: the device's, `DRNET_KERNEL_SHAPE`).
    public var kernelShape: OpenCLBackend.Configuration?

    public init(
        name: String, openCL: OpenCLDevice? = nil, kernelsDirectory: String? = nil,
        kernelShape: OpenCLBackend.Configuration? = nil
    ) {
        self.name = name
        self.openCL = openCL
        self.kernelsDirectory = kernelsDirectory
        self.kernelShape = kernelShape
    }

    /// The kernel shape the backend will be built with (nil for the CPU path).
    public func resolvedKernelShape() throws(OpenCLError) -> OpenCLBackend.Configuration? {
        guard let openCL else { return nil }
        if let kernelShape { return kernelShape }
        return try OpenCLBackend.Configuration.resolved(for: openCL.info)
    }

    /// The CPU path.
    public static let cpu = ComputeDevice(name: "cpu")

    /// The solver's backend factory (`DRNetSolver(…, backend:)`).
    public var backendFactory: ((PeakDecoder, ReconstructionLoss) throws -> ComputeBackend)? {
        guard let openCL else { return nil }
        let dir = kernelsDirectory, shape = kernelShape
        return { decoder, loss in
            try OpenCLBackend(device: openCL, decoder: decoder, reconstruction: loss, kernelsDirectory: dir, configuration: shape)
        }
    }
}

/// The one place where the compute device is chosen: `auto | cpu | opencl | opencl:P.D`, where
/// `auto` defers to the `DRNET_DEVICE` environment variable when it is set. `auto` takes an
/// OpenCL GPU when there is one and otherwise the CPU path, saying why; an explicit OpenCL
/// request that cannot be met is an error, never a silent fallback.
public enum DeviceChoice {
    /// The environment variable that sets the default device.
    public static let environmentVariable = "DRNET_DEVICE"

    /// Why a device request cannot be met.
    public enum Failure: Error, CustomStringConvertible {
        /// The request is not one of the accepted forms (`source` names where it came from).
        case unknownRequest(String, source: String)
        /// The OpenCL device could not be opened or its kernels found.
        case openCL(String, OpenCLError)

        public var description: String {
            switch self {
            case .unknownRequest(let request, let source):
                return "\(source): unknown device '\(request)': expected auto, cpu, opencl or opencl:P.D (see `drnet devices`)"
            case .openCL(let label, let error):
                return "\(label): \(error.description)"
            }
        }
    }

    /// Resolves `request` (the `--device` value). Returns the device and, for `auto`, a line
    /// saying what it picked and why.
    public static func resolve(
        _ request: String, kernels: String? = nil, profiling: Bool = false,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(Failure) -> (device: ComputeDevice, note: String?) {
        let fromEnvironment = request == "auto" && environment[environmentVariable] != nil
        let requested = fromEnvironment ? environment[environmentVariable]! : request
        let source = fromEnvironment ? "\(environmentVariable)=\(requested)" : "--device"
        switch requested {
        case "cpu":
            return (.cpu, nil)
        case "auto":
            let inventory = OpenCLInventory.current
            if inventory.usable, let gpu = inventory.platforms.flatMap(\.devices).first(where: { $0.type == "GPU" }) {
                let device = try open(gpu.id, label: fromEnvironment ? source : "--device auto", kernels: kernels, profiling: profiling)
                return (device, "device auto → opencl:\(gpu.id) (\(gpu.name))")
            }
            let devices = inventory.platforms.flatMap(\.devices).map { "\($0.name) (\($0.type))" }.joined(separator: ", ")
            let why =
                inventory.unusableBecause.map { "OpenCL is not usable here: \($0)" }
                ?? "no OpenCL GPU; OpenCL offers only \(devices), use --device opencl to run on it"
            return (.cpu, "device auto → cpu (\(why))")
        case let s where s == "opencl" || s.hasPrefix("opencl:"):
            let id = s.hasPrefix("opencl:") ? String(s.dropFirst("opencl:".count)) : nil
            return (try open(id, label: fromEnvironment ? source : "--device \(s)", kernels: kernels, profiling: profiling), nil)
        default:
            throw .unknownRequest(requested, source: source)
        }
    }

    static func open(_ id: String?, label: String, kernels: String?, profiling: Bool) throws(Failure) -> ComputeDevice {
        do {
            let device = try OpenCLDevice(selector: id, profiling: profiling)
            // Fail now, before any work, when the kernels cannot be found.
            _ = try KernelSources.load(explicit: kernels)
            return ComputeDevice(name: "opencl:\(device.info.id) \(device.info.name)", openCL: device, kernelsDirectory: kernels)
        } catch {
            throw .openCL(label, error)
        }
    }
}
