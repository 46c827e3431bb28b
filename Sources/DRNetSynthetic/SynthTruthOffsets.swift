import DRNetEngine
import Foundation

/// `truth-offsets.csv`: each sample's true 2θ zero offset in degrees (`drnet synth
/// --two-theta-offset`), one row per sample in library order:
///
///     sample,two_theta_offset_deg
///     0,-0.0123456789
///     …
///
/// Values are written in Swift's shortest round-trip form, so `read` gives back the same numbers.
public enum SynthTruthOffsets {
    /// The header line.
    public static let header = "sample,two_theta_offset_deg"

    /// The file's text for offsets z_0 … z_{N−1} (degrees 2θ).
    public static func text(_ offsets: [Double]) -> String {
        header + "\n" + offsets.enumerated().map { "\($0.offset),\($0.element)\n" }.joined()
    }

    public static func write(_ offsets: [Double], toFile path: String) throws {
        try AtomicFile.write(text(offsets), to: path)
    }

    /// The offsets in sample order.
    /// - Throws: `InputError` naming the file and line for a missing header, a sample index out of
    ///   order or a value that is not a finite number.
    public static func read(contentsOfFile path: String) throws -> [Double] {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw InputError(file: path, expected: "a readable UTF-8 truth-offsets.csv", found: "a file that cannot be read")
        }
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard lines.first == header else {
            throw InputError(file: path, location: "line 1", expected: "the header \(header)", found: lines.first ?? "an empty file")
        }
        var offsets: [Double] = []
        for (n, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == 2, Int(fields[0]) == offsets.count, let z = Double(fields[1]), z.isFinite else {
                throw InputError(
                    file: path, location: "line \(n + 1)", expected: "\(offsets.count),<offset in degrees>", found: line)
            }
            offsets.append(z)
        }
        return offsets
    }
}
