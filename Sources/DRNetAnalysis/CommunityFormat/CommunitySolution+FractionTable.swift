import DRNetEngine
import DRNetIO

extension CommunitySolution {
    /// The solution as a fraction table for `drnet eval`: columns = the phase names (`BName<k>`,
    /// else "phase k", 1-based), rows = samples 0…N−1, each row the concentrations normalised
    /// to sum 1.
    public func fractionTable() throws -> FractionTable {
        let names = phaseNames ?? (1...phaseCount).map { "phase \($0)" }
        return try FractionTable(phases: names, fractions: (0..<sampleCount).map { fractions(of: $0) })
    }
}
