import XCTest
import DRNetCore
import DRNetOpenCL
import TestSupport

/// What a user sees when OpenCL cannot do what was asked: a missing kernel folder, kernels that do
/// not compile (with the compiler's log), an unknown device, no platform at all.
final class OpenCLErrorPathTests: XCTestCase {
    func smallDecoder() -> (PeakDecoder, ReconstructionLoss) {
        let syn = SyntheticLibrary.make(divisions: 3, gridCount: 64, sticksPerPhase: 4, distractors: 1, seed: 1)
        return (PeakDecoder(phases: syn.library.phases, q: syn.library.q), ReconstructionLoss(options: SolverOptions()))
    }

    func testMissingKernelFolderNamesWhatWasSearched() throws {
        guard let device = TestBackends.openCLDevices().first else { throw XCTSkip("no OpenCL device here") }
        let (decoder, loss) = smallDecoder()
        XCTAssertThrowsError(
            try OpenCLBackend(device: device, decoder: decoder, reconstruction: loss, kernelsDirectory: "/nonexistent/kernels")
        ) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("common.cl") && text.contains("/nonexistent/kernels") && text.contains("DRNET_KERNELS"), text)
        }
    }

    func testCompileErrorCarriesTheBuildLog() throws {
        guard let device = TestBackends.openCLDevices().first else { throw XCTSkip("no OpenCL device here") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("drnet-broken-kernels-\(getpid())").path
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let source = KernelSources.searchPath(explicit: nil).last!
        for f in KernelSources.files {
            var text = try String(contentsOfFile: source + "/" + f, encoding: .utf8)
            if f == "adam.cl" { text += "\n__kernel void broken(__global float* x) { x[0] = undefined_name; }\n" }
            try text.write(toFile: dir + "/" + f, atomically: true, encoding: .utf8)
        }
        let (decoder, loss) = smallDecoder()
        XCTAssertThrowsError(try OpenCLBackend(device: device, decoder: decoder, reconstruction: loss, kernelsDirectory: dir)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("failed to build") && text.contains("undefined_name"), "build log in the error: \(text)")
        }
    }

    func testUnknownDeviceListsTheAvailableOnes() throws {
        guard !TestBackends.openCLDevices().isEmpty else { throw XCTSkip("no OpenCL device here") }
        XCTAssertThrowsError(try OpenCLDevice(selector: "9.9")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("no OpenCL device 9.9") && text.contains("available: opencl:0.0"), text)
        }
    }

    /// Runs the built `drnet` with an empty ICD vendor folder: `devices` says why, and an explicit
    /// `--device opencl` is an error (never a silent fallback) while `auto` falls back to the CPU.
    func testNoPlatformIsAClearMessage() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let exe = ["debug", "release"].map { root.appendingPathComponent(".build/\($0)/drnet").path }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let exe else { throw XCTSkip("drnet is not built (swift build) next to the tests") }
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("drnet-no-icd-\(getpid())").path
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: empty) }
        func run(_ args: [String]) throws -> (Int32, String) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: exe)
            p.arguments = args
            var env = ProcessInfo.processInfo.environment
            env["OCL_ICD_VENDORS"] = empty
            env["DRNET_DEVICE"] = nil
            p.environment = env
            let pipe = Pipe()
            p.standardOutput = pipe
            p.standardError = pipe
            try p.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return (p.terminationStatus, String(decoding: data, as: UTF8.self))
        }
        let (rc, text) = try run(["devices"])
        XCTAssertEqual(rc, 0, text)
        XCTAssertTrue(text.contains("no OpenCL platform"), text)
        let lib = FileManager.default.temporaryDirectory.appendingPathComponent("drnet-nolib-\(getpid())").path
        let (rc2, text2) = try run(["solve", lib, "--device", "opencl", "--quiet"])
        XCTAssertNotEqual(rc2, 0, text2)
        XCTAssertTrue(text2.contains("--device opencl") && text2.contains("OpenCL is not usable here"), text2)
    }
}
