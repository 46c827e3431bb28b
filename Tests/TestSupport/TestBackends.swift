import DRNetCore
import DRNetOpenCL
import Foundation

/// Every compute backend available on this machine, for tests written once and run on each:
/// the CPU path always, and each OpenCL device (PoCL on CPU-only machines and in CI) when the
/// ICD loader reports one. OpenCL devices are opened once per process (PoCL's discovery is not
/// thread-safe).
public enum TestBackends {
    public struct Available: @unchecked Sendable {
        public let name: String
        public let make: (PeakDecoder, ReconstructionLoss) throws -> ComputeBackend
    }

    nonisolated(unsafe) private static var devices: [OpenCLDevice]?

    /// The OpenCL devices of this machine (empty where OpenCL is unusable).
    public static func openCLDevices() -> [OpenCLDevice] {
        if let devices { return devices }
        let inventory = OpenCLInventory.current
        let opened = inventory.usable ? inventory.platforms.flatMap(\.devices).compactMap { try? OpenCLDevice(selector: $0.id) } : []
        devices = opened
        return opened
    }

    /// CPU first, then every OpenCL device.
    public static func all() -> [Available] {
        var list = [Available(name: "cpu", make: { CPUBackend(decoder: $0, reconstruction: $1) })]
        for device in openCLDevices() {
            list.append(
                Available(
                    name: "opencl:\(device.info.id) \(device.info.name)",
                    make: {
                        try OpenCLBackend(device: device, decoder: $0, reconstruction: $1)
                    }))
        }
        return list
    }

    /// The OpenCL backends only (agreement against the CPU specification).
    public static func openCL() -> [Available] { Array(all().dropFirst()) }
}
