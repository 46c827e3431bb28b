import DRNetEngine

/// X-ray wavelengths by name (Å): the characteristic lines used by powder diffractometers, with
/// the values pymatgen's `XRDCalculator` uses, so that names mean the same in both. `Ka` is the
/// intensity-weighted mean of Kα1 and Kα2 (2:1).
public enum XRayWavelength {
    /// Name → λ in Å.
    public static let named: [(name: String, angstrom: Double)] = [
        ("CuKa", 1.54184), ("CuKa1", 1.54056), ("CuKa2", 1.54439), ("CuKb1", 1.39222),
        ("MoKa", 0.71073), ("MoKa1", 0.70930), ("MoKa2", 0.71359), ("MoKb1", 0.63229),
        ("CrKa", 2.29100), ("CrKa1", 2.28970), ("CrKa2", 2.29361), ("CrKb1", 2.08487),
        ("FeKa", 1.93735), ("FeKa1", 1.93604), ("FeKa2", 1.93998), ("FeKb1", 1.75661),
        ("CoKa", 1.79026), ("CoKa1", 1.78896), ("CoKa2", 1.79285), ("CoKb1", 1.63079),
        ("AgKa", 0.560885), ("AgKa1", 0.559421), ("AgKa2", 0.563813), ("AgKb1", 0.497082)
    ]

    /// The default, Cu Kα (1.54184 Å).
    public static let defaultName = "CuKa"

    /// λ in Å for a name (case-insensitive, `Kα` accepted for `Ka`) or a number of Å in (0.01, 10).
    /// - Throws: `ConfigurationError` listing the accepted names.
    public static func parse(_ text: String) throws -> Double {
        if let v = Double(text) {
            guard v > 0.01, v < 10 else { throw ConfigurationError("wavelength \(v) Å is outside (0.01, 10) Å") }
            return v
        }
        let key = text.replacingOccurrences(of: "α", with: "a").replacingOccurrences(of: "β", with: "b").lowercased()
        if let hit = named.first(where: { $0.name.lowercased() == key }) { return hit.angstrom }
        throw ConfigurationError(
            "unknown wavelength \"\(text)\": expected a number of Å or one of "
                + named.map(\.name).joined(separator: ", "))
    }

    /// The Kα doublet of an anode by name (`CuKa`, `MoKa`, …: Kα1 and Kα2 with the ratio
    /// I(Kα2)/I(Kα1) = 0.5), or a single line (`CuKa1`, a number of Å), for measured scans.
    /// - Throws: `ConfigurationError` as `parse`.
    public static func lines(_ text: String) throws -> (alpha1: Double, alpha2: Double?, ratio: Double?) {
        let key = text.replacingOccurrences(of: "α", with: "a").lowercased()
        if key.hasSuffix("ka"), Double(text) == nil {
            let anode = String(key.dropLast(2))
            if let a1 = named.first(where: { $0.name.lowercased() == anode + "ka1" }),
                let a2 = named.first(where: { $0.name.lowercased() == anode + "ka2" })
            {
                return (a1.angstrom, a2.angstrom, 0.5)
            }
        }
        return (try parse(text), nil, nil)
    }
}
