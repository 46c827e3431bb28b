import ArgumentParser
import DRNetOpenCL
import Foundation

struct Devices: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the compute devices: the CPU path, and every OpenCL platform and device with driver, memory and compute units.",
        discussion: "The OpenCL backend that runs on these devices is being built; `solve` uses the CPU path today.")

    @Flag(help: "JSON output.") var json = false

    struct Report: Codable {
        var cpu: String
        var opencl: OpenCLInventory
    }

    func run() throws {
        let inventory = OpenCLInventory.current
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let report = Report(cpu: "cpu: Swift SIMD + OpenBLAS, \(cores) cores", opencl: inventory)
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try enc.encode(report), as: UTF8.self))
            return
        }
        print(report.cpu)
        for p in inventory.platforms {
            print("OpenCL platform \(p.index): \(p.name) (\(p.vendor)), \(p.version)")
            if let problem = p.problem { print("  no device: \(problem)") }
            for d in p.devices {
                let gib = Double(d.globalMemoryBytes) / 1_073_741_824
                print(String(format: "  opencl:%@  %@ [%@], driver %@, %@, %d compute units, %.1f GiB, float vector width %d",
                             d.id, d.name, d.type, d.driverVersion, d.deviceVersion, d.computeUnits, gib, d.nativeFloatVectorWidth))
            }
        }
        if let reason = inventory.unusableBecause { print("OpenCL is not usable here: \(reason)") }
    }
}
