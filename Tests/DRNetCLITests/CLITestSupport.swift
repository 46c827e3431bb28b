import Foundation
import XCTest

/// What one run of the `drnet` executable did.
struct CLIResult: CustomStringConvertible {
    var arguments: [String]
    var status: Int32
    var stdout: String
    var stderr: String

    /// For failure messages: the command line and everything it printed.
    var description: String {
        "drnet \(arguments.joined(separator: " ")) → exit \(status)\n--- stdout:\n\(stdout)\n--- stderr:\n\(stderr)"
    }
}

/// Runs the built `drnet` executable: locates it next to the test bundle, runs it with arguments,
/// environment and working directory, and captures its exit status, stdout and stderr.
enum CLI {
    /// The environment variable that names the executable explicitly (otherwise: the products folder).
    static let executableVariable = "DRNET_CLI_EXECUTABLE"

    /// The products folder: the folder that holds the `.xctest` bundle (on Linux the bundle is an
    /// executable file and `Bundle.main` is that folder itself; on macOS it is a directory inside it).
    static var productsDirectory: URL {
        for bundle in Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
            return bundle.bundleURL.deletingLastPathComponent()
        }
        if let exe = Bundle.main.executableURL, exe.pathExtension == "xctest" {
            return exe.deletingLastPathComponent()
        }
        let main = Bundle.main.bundleURL
        return main.pathExtension == "xctest" ? main.deletingLastPathComponent() : main
    }

    /// The `drnet` executable, or nil when it was not built.
    static var executable: URL? {
        if let explicit = ProcessInfo.processInfo.environment[executableVariable], !explicit.isEmpty {
            return FileManager.default.isExecutableFile(atPath: explicit) ? URL(fileURLWithPath: explicit) : nil
        }
        let url = productsDirectory.appendingPathComponent("drnet")
        return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
    }

    /// The executable, or an `XCTSkip` saying where it was looked for.
    static func requireExecutable() throws -> URL {
        guard let url = executable else {
            throw XCTSkip(
                "the drnet executable is not built: looked for \(productsDirectory.appendingPathComponent("drnet").path) "
                    + "(build it with `swift build --build-tests`, or set \(executableVariable))")
        }
        return url
    }

    /// Variables removed from the inherited environment so that the caller's settings do not
    /// change what a command does (tests that need one pass it in `environment`).
    static let isolatedVariables = ["DRNET_DEVICE", "DRNET_KERNELS", "DRNET_STRUCTURES", "DRNET_OPENCL_CONFIG"]

    /// What one launch did: its result, the signal that ended it (nil when it exited), and
    /// whether it was killed for running past its time.
    struct Launch {
        var result: CLIResult
        var signal: Int32?
        var timedOut: Bool
    }

    /// The process environment with `isolatedVariables` removed and `extra` merged in.
    static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        for name in isolatedVariables { env[name] = nil }
        env.merge(extra) { _, new in new }
        return env
    }

    /// Runs `drnet arguments…` in `directory` and waits for it (at most `timeout` seconds, then
    /// SIGTERM and, 10 s later, SIGKILL). With `fileSizeLimit` (`ulimit -f`, in the shell's
    /// blocks) it runs through `/bin/sh`, so that no file it writes may grow past the limit.
    /// Output goes through files, so a long output cannot block the child.
    static func launch(
        _ arguments: [String], in directory: URL, environment extra: [String: String] = [:], fileSizeLimit: Int? = nil,
        timeout: TimeInterval = 120
    ) throws -> Launch {
        let executable = try requireExecutable()
        let fm = FileManager.default
        let capture = fm.temporaryDirectory.appendingPathComponent("drnet-cli-capture-\(UUID().uuidString)")
        try fm.createDirectory(at: capture, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: capture) }
        let outURL = capture.appendingPathComponent("stdout")
        let errURL = capture.appendingPathComponent("stderr")
        try Data().write(to: outURL)
        try Data().write(to: errURL)
        let outHandle = try FileHandle(forWritingTo: outURL)
        let errHandle = try FileHandle(forWritingTo: errURL)

        let process = Process()
        if let limit = fileSizeLimit {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "ulimit -f \(limit) && exec \"$0\" \"$@\"", executable.path] + arguments
        } else {
            process.executableURL = executable
            process.arguments = arguments
        }
        process.environment = environment(extra)
        process.currentDirectoryURL = directory
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = outHandle
        process.standardError = errHandle
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        var timedOut = false
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            process.terminate()
            if finished.wait(timeout: .now() + 10) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                finished.wait()
            }
        }
        try outHandle.close()
        try errHandle.close()
        let result = CLIResult(
            arguments: arguments, status: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
        return Launch(
            result: result, signal: process.terminationReason == .uncaughtSignal ? process.terminationStatus : nil, timedOut: timedOut)
    }

    /// Starts `drnet arguments…` in `directory` without waiting (stderr to `stderrFile`, or
    /// discarded), for tests that send it signals.
    static func start(_ arguments: [String], in directory: URL, stderrFile: String? = nil) throws -> Process {
        let process = Process()
        process.executableURL = try requireExecutable()
        process.arguments = arguments
        process.environment = environment()
        process.currentDirectoryURL = directory
        if let stderrFile {
            _ = FileManager.default.createFile(atPath: stderrFile, contents: nil)
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrFile))
        } else {
            process.standardError = FileHandle.nullDevice
        }
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// `launch`, failing the test when the run had to be killed.
    static func run(
        _ arguments: [String], in directory: URL, environment: [String: String] = [:], fileSizeLimit: Int? = nil,
        timeout: TimeInterval = 120, file: StaticString = #filePath, line: UInt = #line
    ) throws -> CLIResult {
        let l = try launch(arguments, in: directory, environment: environment, fileSizeLimit: fileSizeLimit, timeout: timeout)
        if l.timedOut {
            XCTFail("drnet \(arguments.joined(separator: " ")) did not finish within \(Int(timeout)) s; killed", file: file, line: line)
        }
        return l.result
    }
}

/// A fresh temporary folder, removed by `remove()`.
struct TemporaryFolder {
    let url: URL

    init(_ label: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("drnet-cli-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// `url/name`.
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// The small synthetic library every test class makes once (`drnet synth`), and the short solve
/// settings of the tests.
struct CLILibrary {
    /// The folder the library and everything else of the class live in.
    let root: TemporaryFolder
    /// The library folder `drnet synth` wrote.
    let library: String
    /// What `drnet synth` printed.
    let synth: CLIResult
    /// A short solve: seconds on 2 cores in a debug build.
    let shortConfig: String

    static let sampleCount = 28  // (D+1)(D+2)/2 for --divisions 6
    static let shortSettings =
        #"{"hiddenLayers":[16],"maxSteps":60,"pretrainSteps":20,"rampUnit":2,"polishSteps":10,"fineTuneSteps":10,"walkPoolSize":20}"#

    /// Synthesizes the library (`drnet synth --seed 3 --divisions 6`) into a new temporary folder.
    static func make(label: String) throws -> CLILibrary {
        let root = try TemporaryFolder(label)
        let library = root.path("library")
        let synth = try CLI.run(["synth", "--seed", "3", "--divisions", "6", "--out", library], in: root.url)
        guard synth.status == 0 else {
            root.remove()
            throw CLIFixtureError("drnet synth failed: \(synth)")
        }
        let config = root.path("short.json")
        try Data(shortSettings.utf8).write(to: URL(fileURLWithPath: config))
        return CLILibrary(root: root, library: library, synth: synth, shortConfig: config)
    }

    /// A copy of the library in `folder/name` whose instance.txt is changed by `edit` (line by line).
    func copy(to folder: TemporaryFolder, name: String, editInstance edit: ([String]) -> [String]) throws -> String {
        let copy = folder.path(name)
        try FileManager.default.copyItem(atPath: library, toPath: copy)
        let instance = URL(fileURLWithPath: copy).appendingPathComponent("instance.txt")
        let lines = try String(contentsOf: instance, encoding: .utf8).components(separatedBy: "\n")
        try Data(edit(lines).joined(separator: "\n").utf8).write(to: instance)
        return copy
    }
}

/// A class fixture that could not be made.
struct CLIFixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// `drnet` tests share one library per class: made in `class setUp` and removed in `class tearDown`.
/// A missing executable skips every test of the class; a failed synth fails them.
class CLITestCase: XCTestCase {
    nonisolated(unsafe) private static var fixtures: [ObjectIdentifier: Result<CLILibrary, Error>] = [:]

    override class func setUp() {
        super.setUp()
        guard CLI.executable != nil else { return }
        fixtures[ObjectIdentifier(self)] = Result { try CLILibrary.make(label: String(describing: self)) }
    }

    override class func tearDown() {
        if case .success(let fixture)? = fixtures.removeValue(forKey: ObjectIdentifier(self)) { fixture.root.remove() }
        super.tearDown()
    }

    /// The class's library (skips when the executable is missing; throws when synth failed).
    func library() throws -> CLILibrary {
        _ = try CLI.requireExecutable()
        guard let fixture = Self.fixtures[ObjectIdentifier(type(of: self))] else {
            throw CLIFixtureError("no library fixture for \(type(of: self))")
        }
        return try fixture.get()
    }

    /// A per-test temporary folder, removed after the test.
    func temporaryFolder() throws -> TemporaryFolder {
        let folder = try TemporaryFolder("test")
        addTeardownBlock { folder.remove() }
        return folder
    }

    /// Runs `drnet arguments…` in `directory`.
    func drnet(
        _ arguments: [String], in directory: URL, environment: [String: String] = [:], fileSizeLimit: Int? = nil,
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> CLIResult {
        try CLI.run(arguments, in: directory, environment: environment, fileSizeLimit: fileSizeLimit, file: file, line: line)
    }

    /// Asserts the exit status, with the whole run in the message.
    func assertStatus(_ result: CLIResult, _ expected: Int32, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(result.status, expected, "unexpected exit status of \(result)", file: file, line: line)
    }

    /// Asserts that `text` (stdout or stderr of `result`) contains every fragment.
    func assertContains(
        _ text: String, _ fragments: [String], of result: CLIResult, file: StaticString = #filePath, line: UInt = #line
    ) {
        for fragment in fragments {
            XCTAssertTrue(text.contains(fragment), "missing \"\(fragment)\" in the output of \(result)", file: file, line: line)
        }
    }

    /// Asserts that nothing exists at `path` (no output folder left behind by a failed command).
    func assertAbsent(_ path: String, after result: CLIResult, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), "\(path) was left behind by \(result)", file: file, line: line)
    }
}
