import ArgumentParser
import DRNetCore
import Foundation

@main
struct DRNetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drnet",
        abstract: "Crystal-structure phase mapping with Deep Reasoning Networks.",
        version: DRNetVersion.string,
        subcommands: [
            Solve.self, Eval.self, Check.self, Compare.self, Plot.self, Bench.self, Graph.self, Devices.self,
            Sticks.self, Synth.self, Demo.self, Import.self, Export.self, Summary.self
        ]
    )

    /// Parses and runs the command. SIGPIPE and SIGXFSZ are ignored, so a reader that goes away (`| head`)
    /// costs a line of output, never the run; every failure is reported as one `error: …` line
    /// (the argument parser's own "Error:" included) with the status of `ExitStatus`.
    static func main() {
        signal(SIGPIPE, SIG_IGN)
        // A file-size limit (`ulimit -f`) makes write(2) fail with EFBIG instead of killing the
        // process: the error is then reported like a full disk.
        signal(SIGXFSZ, SIG_IGN)
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            let text = fullMessage(for: error)
            if code == .success {
                if !text.isEmpty { print(text) }
            } else if !text.isEmpty {
                let normalised = text.hasPrefix("Error: ") ? "error: " + text.dropFirst("Error: ".count) : Substring(text)
                stderr(String(normalised))
            }
            Foundation.exit(code.rawValue)
        }
    }
}
