import ArgumentParser

@main
struct DRNetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drnet",
        abstract: "Crystal-structure phase mapping with Deep Reasoning Networks.",
        subcommands: [Solve.self, Eval.self, Bench.self, Graph.self, Devices.self,
                      Check.self, Plot.self]
    )
}
