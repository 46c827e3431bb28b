import ArgumentParser

@main
struct DRNetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drnet",
        abstract: "Crystal-structure phase mapping with Deep Reasoning Networks.",
        subcommands: [
            Solve.self, Eval.self, Check.self, Compare.self, Plot.self, Bench.self, Graph.self, Devices.self,
            Sticks.self, Synth.self, Demo.self, Import.self, Export.self
        ]
    )
}
