import ArgumentParser
import DRNetOpenCL
import Foundation

/// The one place where the compute device is chosen: `--device auto|cpu|opencl[:P.D]`, else the
/// `DRNET_DEVICE` environment variable. `auto` falls back to the CPU and says why; an explicit
/// OpenCL request that cannot be met is an error, never a silent fallback.
enum DeviceChoice {
    static func resolve(_ flag: String, quiet: Bool) throws -> String {
        let requested = flag == "auto" ? (ProcessInfo.processInfo.environment["DRNET_DEVICE"] ?? "auto") : flag
        switch requested {
        case "cpu":
            return "cpu"
        case "auto":
            if !quiet {
                let inventory = OpenCLInventory.current
                let why = inventory.unusableBecause.map { "OpenCL is not usable here: \($0)" }
                    ?? "the OpenCL backend is not implemented yet (devices found: \(inventory.platforms.flatMap(\.devices).map(\.name).joined(separator: ", ")))"
                stderr("drnet: device auto → cpu (\(why))")
            }
            return "cpu"
        case let s where s == "opencl" || s.hasPrefix("opencl:"):
            let inventory = OpenCLInventory.current
            if let reason = inventory.unusableBecause {
                throw ValidationError("--device \(s): OpenCL is not usable here: \(reason)")
            }
            let devices = inventory.platforms.flatMap(\.devices)
            if s.hasPrefix("opencl:") {
                let id = String(s.dropFirst("opencl:".count))
                guard devices.contains(where: { $0.id == id }) else {
                    throw ValidationError("--device \(s): no OpenCL device \(id); available: "
                                          + devices.map { "opencl:\($0.id) (\($0.name))" }.joined(separator: ", "))
                }
            }
            throw ValidationError("--device \(s): the OpenCL backend is not implemented yet; use --device cpu (see `drnet devices`)")
        default:
            throw ValidationError("unknown device '\(requested)': expected auto, cpu, opencl or opencl:P.D (see `drnet devices`)")
        }
    }
}
