import DRNetEngine
import Foundation

/// Reads back a solution written by `SolutionWriter` (its `solution.json`).
public enum SolutionFile {
    /// The `solution.json` of a solution folder.
    public static func read(directory: String) throws -> PhaseMapSolution {
        try read(path: directory + "/solution.json")
    }

    /// A `solution.json` file.
    public static func read(path: String) throws -> PhaseMapSolution {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(file: path, expected: "a solution written by drnet solve (solution.json)", found: "no readable file")
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            let s = try decoder.decode(PhaseMapSolution.self, from: data)
            let np = s.sampleCount * s.phaseCount
            guard s.fractions.count == np, s.shifts.count == np, s.phaseNames.count == s.phaseCount else {
                throw InputError(
                    file: path, location: "fractions/shifts", expected: "N×P = \(np) values",
                    found: "\(s.fractions.count) fractions, \(s.shifts.count) shifts, \(s.phaseNames.count) names")
            }
            return s
        } catch let e as InputError {
            throw e
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw InputError(
                file: path, location: (ctx.codingPath + [key]).map(\.stringValue).joined(separator: "."),
                expected: "key present", found: "missing")
        } catch let DecodingError.typeMismatch(_, ctx) {
            throw InputError(
                file: path, location: ctx.codingPath.map(\.stringValue).joined(separator: "."),
                expected: "a value of the right type", found: ctx.debugDescription)
        } catch {
            throw InputError(file: path, expected: "valid solution JSON", found: "\(error)")
        }
    }
}
