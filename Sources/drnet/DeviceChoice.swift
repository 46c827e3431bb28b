import Foundation
import ArgumentParser

/// The one place where the compute device is chosen (`--device` or `DRNET_DEVICE`).
enum DeviceChoice {
    static func resolve(_ flag: String, quiet: Bool) throws -> String {
        let requested = flag == "auto" ? (ProcessInfo.processInfo.environment["DRNET_DEVICE"] ?? "auto") : flag
        switch requested {
        case "cpu":
            return "cpu"
        case "auto":
            if !quiet { stderr("drnet: device auto → cpu (this build has no OpenCL backend yet)") }
            return "cpu"
        default:
            throw ValidationError("unknown device '\(requested)': expected cpu or auto")
        }
    }
}
