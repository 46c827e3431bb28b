import DRNetCrystal
import DRNetEngine
import DRNetIO

/// The built-in synthetic phase diagram of the Mg–Al–Ti–O system (cation axes Mg, Al, Ti) over the
/// structures shipped in `data/structures/mg-al-ti-o/`. Loosely modelled on the MgO–Al2O3–TiO2
/// system below the stability of Al2TiO5 (about 1280 °C): the stable phases are periclase MgO,
/// corundum Al2O3, rutile TiO2, spinel MgAl2O4, qandilite Mg2TiO4 and geikielite MgTiO3.
/// Two have solubility ranges:
/// - spinel MgAl2O4 dissolves Al2O3 (alumina-rich spinel MgO·nAl2O3) up to Mg:Al = 3:12, toward
///   (3, 12, 0)/15; the cell shrinks toward that of γ-alumina, to about 8.00 Å there (illustrative
///   Vegard estimate), peak shift s = 8.083/8.00 = 1.0104;
/// - corundum dissolves Ti up to 2/15 of the cations (toward (0, 13, 2)/15) with an illustrative
///   1 % cell expansion, s = 0.990.
/// Anatase (`TiO2-anatase`) is a candidate but not stable here: a distractor with the same
/// composition as rutile. The numbers are illustrative, not a thermodynamic assessment.
public enum MgAlTiODiagram {
    /// The cation axes of the compositions.
    public static let elements = ["Mg", "Al", "Ti"]
    /// The folder holding the structures, under `data/structures/`.
    public static let structureFolder = "mg-al-ti-o"
    /// CIF base names of every candidate (the diagram's phases plus distractors), in library order.
    public static let candidates = [
        "MgO-periclase", "Al2O3-corundum", "TiO2-rutile", "TiO2-anatase", "MgAl2O4-spinel",
        "Mg2TiO4-qandilite", "MgTiO3-geikielite"
    ]

    /// The stable phases.
    public static let phases: [StablePhase] = [
        StablePhase(name: "MgO-periclase", composition: [1, 0, 0]),
        StablePhase(name: "Al2O3-corundum", composition: [0, 1, 0], solubilityEnd: [0, 13.0 / 15, 2.0 / 15], endShift: 0.990),
        StablePhase(name: "TiO2-rutile", composition: [0, 0, 1]),
        StablePhase(
            name: "MgAl2O4-spinel", composition: [1.0 / 3, 2.0 / 3, 0],
            solubilityEnd: [3.0 / 15, 12.0 / 15, 0], endShift: 8.083 / 8.00),
        StablePhase(name: "Mg2TiO4-qandilite", composition: [2.0 / 3, 0, 1.0 / 3]),
        StablePhase(name: "MgTiO3-geikielite", composition: [0.5, 0, 0.5])
    ]

    public static func diagram() throws -> PhaseDiagram { try PhaseDiagram(phases: phases) }
}
