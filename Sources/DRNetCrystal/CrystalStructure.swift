import DRNetEngine
import DRNetIO

/// One crystallographic site of an asymmetric unit, as listed in a CIF's `_atom_site_` loop.
public struct AtomSite: Sendable, Equatable {
    /// `_atom_site_label` (e.g. `Mg1`).
    public var label: String
    /// Element symbol (e.g. `Mg`), from `_atom_site_type_symbol` with any charge removed, else
    /// from the label's leading letters.
    public var element: String
    /// Fractional coordinates.
    public var position: SIMD3<Double>
    /// Site occupancy in (0, 1].
    public var occupancy: Double
    /// Isotropic displacement B = 8π²U_iso (Å²), or nil when the CIF gives none.
    public var bIso: Double?

    public init(label: String, element: String, position: SIMD3<Double>, occupancy: Double = 1, bIso: Double? = nil) {
        self.label = label
        self.element = element
        self.position = position
        self.occupancy = occupancy
        self.bIso = bIso
    }
}

/// One atom of the full unit cell (after applying the symmetry operations to a site).
public struct CellAtom: Sendable, Equatable {
    public var element: String
    public var position: SIMD3<Double>
    public var occupancy: Double
    public var bIso: Double?
    /// Index of the `AtomSite` it was generated from.
    public var site: Int
}

/// A crystal structure: cell, space-group operations written out in full, and the sites of
/// the asymmetric unit.
public struct CrystalStructure: Sendable {
    /// A short name (the CIF file's base name by default).
    public var name: String
    public var cell: UnitCell
    /// All operations of the space group (including centring translations), identity included.
    public var operations: [SymmetryOperation]
    public var sites: [AtomSite]
    /// The chemical formula as element → amount (from `_chemical_formula_sum`, else the cell
    /// contents), nil when unknown.
    public var formula: [String: Double]?
    /// Where the structure came from (file path), for messages.
    public var source: String

    public init(
        name: String, cell: UnitCell, operations: [SymmetryOperation], sites: [AtomSite],
        formula: [String: Double]? = nil, source: String = ""
    ) {
        self.name = name
        self.cell = cell
        self.operations = operations.isEmpty ? [.identity] : operations
        self.sites = sites
        self.formula = formula
        self.source = source
    }

    /// Two positions closer than this (Å) are one atom when the operations are applied.
    public static let duplicateTolerance = 0.01

    /// Every atom of the unit cell: each site's images under all operations, wrapped into
    /// [0, 1)³, with images closer than `duplicateTolerance` Å merged (special positions).
    public func cellAtoms() -> [CellAtom] {
        var atoms: [CellAtom] = []
        for (index, site) in sites.enumerated() {
            var images: [SIMD3<Double>] = []
            for op in operations {
                var x = op.apply(site.position)
                x -= x.rounded(.down)
                if !images.contains(where: { cell.distance($0, x) < Self.duplicateTolerance }) { images.append(x) }
            }
            for x in images {
                atoms.append(
                    CellAtom(
                        element: site.element, position: x, occupancy: site.occupancy, bIso: site.bIso,
                        site: index))
            }
        }
        return atoms
    }

    /// Site multiplicities (number of images in the cell) in site order.
    public func siteMultiplicities() -> [Int] {
        let atoms = cellAtoms()
        return sites.indices.map { i in atoms.filter { $0.site == i }.count }
    }

    /// Cell contents element → Σ occupancy over the cell's atoms.
    public func cellContents() -> [String: Double] {
        var out: [String: Double] = [:]
        for atom in cellAtoms() { out[atom.element, default: 0] += atom.occupancy }
        return out
    }

    /// Anions left out of cation fractions.
    public static let anions: Set<String> = ["O", "S", "Se", "Te", "N", "F", "Cl", "Br", "I", "H", "D"]

    /// Cation fractions (elements other than `anions`, summing to 1) from the formula, or from
    /// the cell contents when there is no formula. Empty when there is no cation.
    public func cationFractions() -> [String: Double] {
        let amounts = formula ?? cellContents()
        let cations = amounts.filter { !Self.anions.contains($0.key) && $0.value > 0 }
        let total = cations.values.reduce(0, +)
        guard total > 0 else { return [:] }
        return cations.mapValues { $0 / total }
    }
}
