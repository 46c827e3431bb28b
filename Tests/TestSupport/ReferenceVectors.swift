import Foundation
import DRNetCore

/// The reference implementation's numbers on fixed inputs (`../shared/testvectors/al-li-fe-reference.json`).
/// Arrays are flattened row-major; the reference's 160th phase (its masked "new" basis) is dropped
/// so that rows have the 159 candidates of `sticks.csv`.
public struct ReferenceVectors {
    public let json: [String: Any]
    public let phases = 159

    public init?() throws {
        guard let url = SharedData.testVector("al-li-fe-reference.json") else { return nil }
        let data = try Data(contentsOf: url)
        json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    /// Flattens nested arrays of numbers into [Double].
    public static func flatten(_ any: Any?) -> [Double] {
        if let n = any as? NSNumber { return [n.doubleValue] }
        if let a = any as? [Any] { return a.flatMap { flatten($0) } }
        return []
    }

    public func array(_ key: String, in object: [String: Any]? = nil) -> [Double] {
        Self.flatten((object ?? json)[key])
    }

    public func scalar(_ key: String, in object: [String: Any]? = nil) -> Double {
        array(key, in: object).first ?? .nan
    }

    /// A [b][160] array reduced to [b][159].
    public func phaseRows(_ key: String, in object: [String: Any]? = nil) -> [Float] {
        let full = array(key, in: object)
        let rows = full.count / 160
        return (0..<rows).flatMap { b in (0..<159).map { Float(full[b * 160 + $0]) } }
    }

    public var alloyCase: [String: Any] { json["alloy_case"] as! [String: Any] }
}
