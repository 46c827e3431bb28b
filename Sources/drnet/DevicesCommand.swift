import ArgumentParser
import DRNetOpenCL
import Foundation

struct Devices: ReportingCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the compute devices: the CPU path, and every OpenCL platform and device with driver, memory and compute units.",
        discussion: "Use a device with --device opencl:P.D; --device auto takes the first OpenCL GPU, else the CPU path.")

    @Flag(help: "JSON output.") var json = false

    struct Report: Codable {
        var cpu: String
        var opencl: OpenCLInventory
        /// What `--device auto` picks here.
        var auto: String
    }

    func execute() throws {
        let inventory = OpenCLInventory.current
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let gpu = inventory.usable ? inventory.platforms.flatMap(\.devices).first { $0.type == "GPU" } : nil
        let report = Report(
            cpu: "cpu: Swift SIMD + OpenBLAS, \(cores) cores", opencl: inventory,
            auto: gpu.map { "opencl:\($0.id) (\($0.name))" } ?? "cpu")
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
                print(
                    String(
                        format: "  opencl:%@  %@ [%@], driver %@, %@, %d compute units, %.1f GiB, float vector width %d, max work-group %d",
                        d.id, d.name, d.type, d.driverVersion, d.deviceVersion, d.computeUnits, gib, d.nativeFloatVectorWidth,
                        d.maxWorkGroupSize))
                do {
                    let s = try OpenCLBackend.Configuration.resolved(for: d)
                    print(
                        "    kernel shape: lanes \(s.lanes), pair group \(s.pairGroup), sample group \(s.sampleGroup), "
                            + "element group \(s.elementGroup), pair-group cap \(s.pairGroupCap)"
                            + (ProcessInfo.processInfo.environment[OpenCLBackend.Configuration.environmentVariable] != nil
                                ? " (\(OpenCLBackend.Configuration.environmentVariable) applied)" : ""))
                } catch {
                    print("    kernel shape: \(error)")
                }
            }
        }
        if let reason = inventory.unusableBecause { print("OpenCL is not usable here: \(reason)") }
        print("--device auto → \(report.auto)")
    }
}
