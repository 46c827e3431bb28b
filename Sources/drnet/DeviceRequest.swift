import ArgumentParser
import DRNetCore
import DRNetOpenCL

/// The CLI's use of `DeviceChoice`: prints what `auto` picked (unless quiet) and maps failures
/// to the exit statuses (an unknown device name — from `--device` or `DRNET_DEVICE` — is bad
/// input, 2; a device that cannot be opened a device failure, 3).
enum DeviceRequest {
    static func resolve(_ flag: String, quiet: Bool, kernels: String? = nil, profiling: Bool = false) throws -> ComputeDevice {
        do {
            let (device, note) = try DeviceChoice.resolve(flag, kernels: kernels, profiling: profiling)
            if !quiet, let note { stderr("drnet: \(note)") }
            return device
        } catch .unknownRequest(let request, let source) {
            throw CommandFailure(.badInput, DeviceChoice.Failure.unknownRequest(request, source: source).description)
        } catch {
            throw CommandFailure(.deviceFailure, error.description)
        }
    }
}
