import ArgumentParser
import DRNetCore
import DRNetOpenCL
import Foundation

/// A resolved compute device: a name for reports and the factory the solver calls to build the
/// backend for its decoder and loss (nil: the CPU backend).
struct ComputeDevice {
    var name: String
    var openCL: OpenCLDevice?
    var kernelsDirectory: String?

    /// The solver's backend factory.
    var backendFactory: ((PeakDecoder, ReconstructionLoss) throws -> ComputeBackend)? {
        guard let openCL else { return nil }
        let dir = kernelsDirectory
        return { decoder, loss in try OpenCLBackend(device: openCL, decoder: decoder, reconstruction: loss, kernelsDirectory: dir) }
    }
}

/// The one place where the compute device is chosen: `--device auto|cpu|opencl[:P.D]`, else the
/// `DRNET_DEVICE` environment variable. `auto` takes an OpenCL GPU when there is one and
/// otherwise the CPU path, saying why; an explicit OpenCL request that cannot be met is an
/// error, never a silent fallback.
enum DeviceChoice {
    static func resolve(_ flag: String, quiet: Bool, kernels: String? = nil, profiling: Bool = false) throws -> ComputeDevice {
        let requested = flag == "auto" ? (ProcessInfo.processInfo.environment["DRNET_DEVICE"] ?? "auto") : flag
        switch requested {
        case "cpu":
            return ComputeDevice(name: "cpu")
        case "auto":
            let inventory = OpenCLInventory.current
            if inventory.usable, let gpu = inventory.platforms.flatMap(\.devices).first(where: { $0.type == "GPU" }) {
                let device = try open(gpu.id, label: "auto", kernels: kernels, profiling: profiling)
                if !quiet { stderr("drnet: device auto → opencl:\(gpu.id) (\(gpu.name))") }
                return device
            }
            if !quiet {
                let why =
                    inventory.unusableBecause.map { "OpenCL is not usable here: \($0)" }
                    ?? "no OpenCL GPU; OpenCL offers only \(inventory.platforms.flatMap(\.devices).map { "\($0.name) (\($0.type))" }.joined(separator: ", ")), use --device opencl to run on it"
                stderr("drnet: device auto → cpu (\(why))")
            }
            return ComputeDevice(name: "cpu")
        case let s where s == "opencl" || s.hasPrefix("opencl:"):
            let id = s.hasPrefix("opencl:") ? String(s.dropFirst("opencl:".count)) : nil
            return try open(id, label: s, kernels: kernels, profiling: profiling)
        default:
            throw ValidationError("unknown device '\(requested)': expected auto, cpu, opencl or opencl:P.D (see `drnet devices`)")
        }
    }

    static func open(_ id: String?, label: String, kernels: String?, profiling: Bool) throws -> ComputeDevice {
        do {
            let device = try OpenCLDevice(selector: id, profiling: profiling)
            // Fail now, before any work, when the kernels cannot be found.
            _ = try KernelSources.load(explicit: kernels)
            return ComputeDevice(name: "opencl:\(device.info.id) \(device.info.name)", openCL: device, kernelsDirectory: kernels)
        } catch {
            throw CommandFailure(.deviceFailure, "--device \(label): \(error.description)")
        }
    }
}
