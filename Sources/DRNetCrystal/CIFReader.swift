import DRNetEngine
import DRNetIO
import Foundation

/// Reads a crystal structure from a CIF (Crystallographic Information File, CIF 1.1 syntax).
///
/// What is read, from the first and only data block:
/// - the cell: `_cell_length_a/b/c` (Å), `_cell_angle_alpha/beta/gamma` (degrees, default 90);
///   standard uncertainties such as `4.2112(3)` are accepted and dropped;
/// - the symmetry operations, written out: `_space_group_symop_operation_xyz` or
///   `_symmetry_equiv_pos_as_xyz` (a loop or a single value). Without either, only a structure
///   declared as `P 1` (`_symmetry_space_group_name_H-M` / `_space_group_name_H-M_alt`) or
///   number 1 is accepted: this reader has no space-group database;
/// - the sites: a loop with `_atom_site_label` or `_atom_site_type_symbol` and
///   `_atom_site_fract_x/y/z`; optional `_atom_site_occupancy` (default 1),
///   `_atom_site_U_iso_or_equiv` (Å², converted B = 8π²U) or `_atom_site_B_iso_or_equiv` (Å²).
///   The element is the type symbol without its charge (`Mg2+` → `Mg`), else the label's
///   leading letters (`Ti1a` → `Ti`); it must have tabulated form factors;
/// - the formula: `_chemical_formula_sum` (`'Mg Al2 O4'`), optional.
/// Values `?` and `.` (unknown / not applicable) count as absent.
///
/// Not supported, each a clear `InputError` (file, line, tag, what was expected): several data
/// blocks, Cartesian-only sites, modulated or composite structures, symmetry-operation text that
/// is not of the form `±x±1/2,…`, occupancies outside (0, 1], unknown elements, a loop whose
/// value count is not a multiple of its tag count. Anisotropic displacement loops
/// (`_atom_site_aniso_*`) are ignored (the isotropic U_iso/B_iso is used when given).
public enum CIFReader {
    /// Reads the CIF at `path`; the structure is named after the file's base name.
    public static func read(path: String) throws -> CrystalStructure {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            let exists = FileManager.default.fileExists(atPath: path)
            throw InputError(file: path, expected: "a readable CIF file", found: exists ? "an unreadable file" : "no such file")
        }
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return try parse(String(decoding: data, as: UTF8.self), file: path, name: name)
    }

    /// Parses CIF text; `file` names the source in errors, `name` becomes the structure's name.
    public static func parse(_ text: String, file: String, name: String) throws -> CrystalStructure {
        let block = try CIFBlock.parse(text, file: file)

        // Unsupported kinds of structure.
        for tag in ["_cell_modulation_dimension", "_cell_subsystems_number"] {
            if let v = block.single(tag), let n = Int(v.text), n > 0 {
                throw InputError(
                    file: file, location: "line \(v.line), tag \(tag)",
                    expected: "an ordinary (three-dimensional, non-modulated) structure",
                    found: "\(tag) \(n) (not supported)")
            }
        }

        // Cell.
        func number(_ tag: String, default def: Double? = nil) throws -> Double {
            guard let v = block.single(tag), !v.isUnknown else {
                if let def { return def }
                throw InputError(file: file, location: "tag \(tag)", expected: "a \(tag) value", found: "none (missing tag)")
            }
            guard let x = v.number else {
                throw InputError(file: file, location: "line \(v.line), tag \(tag)", expected: "a number", found: "\"\(v.text)\"")
            }
            return x
        }
        let a = try number("_cell_length_a"), b = try number("_cell_length_b"), c = try number("_cell_length_c")
        let al = try number("_cell_angle_alpha", default: 90), be = try number("_cell_angle_beta", default: 90)
        let ga = try number("_cell_angle_gamma", default: 90)
        let cell: UnitCell
        do { cell = try UnitCell(a: a, b: b, c: c, alpha: al, beta: be, gamma: ga) } catch let e as ConfigurationError {
            throw InputError(
                file: file, location: "tags _cell_length_*/_cell_angle_*", expected: "a valid cell",
                found: e.message)
        }

        // Symmetry operations.
        var operations: [SymmetryOperation] = []
        let opTags = ["_space_group_symop_operation_xyz", "_symmetry_equiv_pos_as_xyz"]
        if let tag = opTags.first(where: { block.values(of: $0) != nil }) {
            for v in block.values(of: tag)! where !v.isUnknown {
                switch SymmetryOperation.parse(v.text) {
                case .success(let op): if !operations.contains(op) { operations.append(op) }
                case .failure(let f):
                    throw InputError(
                        file: file, location: "line \(v.line), tag \(tag)", expected: f.expected,
                        found: "\"\(v.text)\"")
                }
            }
        }
        if operations.isEmpty {
            let hm = ["_symmetry_space_group_name_h-m", "_space_group_name_h-m_alt"].compactMap { block.single($0) }.first
            let number = ["_symmetry_int_tables_number", "_space_group_it_number"].compactMap { block.single($0) }.first
            let isP1 =
                hm.map { $0.text.replacingOccurrences(of: " ", with: "").uppercased() == "P1" }
                ?? number.map { $0.text == "1" } ?? false
            guard isP1 else {
                let said =
                    hm.map { "space group \"\($0.text)\" (line \($0.line))" } ?? number.map {
                        "space group number \($0.text) (line \($0.line))"
                    }
                    ?? "no symmetry information"
                throw InputError(
                    file: file, location: "tag \(opTags[0])",
                    expected: "the symmetry operations written out (\(opTags[0]) or \(opTags[1]) loop); "
                        + "this reader has no space-group database",
                    found: said + " without operations")
            }
            operations = [.identity]
        }

        // Sites.
        guard let xs = block.values(of: "_atom_site_fract_x"), let ys = block.values(of: "_atom_site_fract_y"),
            let zs = block.values(of: "_atom_site_fract_z")
        else {
            let cart = block.values(of: "_atom_site_cartn_x") != nil
            throw InputError(
                file: file, location: "tag _atom_site_fract_x",
                expected: "an _atom_site_ loop with fractional coordinates _atom_site_fract_x/y/z",
                found: cart ? "Cartesian coordinates only (not supported)" : "no atom sites (missing tag)")
        }
        let labels = block.values(of: "_atom_site_label")
        let types = block.values(of: "_atom_site_type_symbol")
        guard labels != nil || types != nil else {
            throw InputError(
                file: file, location: "line \(xs[0].line), tag _atom_site_label",
                expected: "_atom_site_label or _atom_site_type_symbol in the site loop", found: "neither")
        }
        let occupancies = block.values(of: "_atom_site_occupancy")
        let uIso = block.values(of: "_atom_site_u_iso_or_equiv")
        let bIso = block.values(of: "_atom_site_b_iso_or_equiv")
        let count = xs.count
        for (tag, column) in [
            ("_atom_site_fract_y", ys), ("_atom_site_fract_z", zs), ("_atom_site_label", labels),
            ("_atom_site_type_symbol", types), ("_atom_site_occupancy", occupancies),
            ("_atom_site_U_iso_or_equiv", uIso), ("_atom_site_B_iso_or_equiv", bIso)
        ] {
            if let column, column.count != count {
                throw InputError(
                    file: file, location: "line \(column[0].line), tag \(tag)",
                    expected: "\(count) values, one per site (as _atom_site_fract_x, line \(xs[0].line))",
                    found: "\(column.count) (the tag is in another loop)")
            }
        }
        var sites: [AtomSite] = []
        for i in 0..<count {
            let label = labels?[i].text ?? types![i].text
            let symbolSource = types.map { $0[i] }.flatMap { $0.isUnknown ? nil : $0 } ?? labels![i]
            guard let element = elementSymbol(symbolSource.text) else {
                throw InputError(
                    file: file, location: "line \(symbolSource.line), site \(label)",
                    expected: "an element symbol with tabulated X-ray form factors",
                    found: "\"\(symbolSource.text)\" (unknown element)")
            }
            func coordinate(_ column: [CIFValue], _ tag: String) throws -> Double {
                guard let x = column[i].number, x.isFinite else {
                    throw InputError(
                        file: file, location: "line \(column[i].line), site \(label), tag \(tag)",
                        expected: "a fractional coordinate", found: "\"\(column[i].text)\"")
                }
                return x
            }
            let position = SIMD3(
                try coordinate(xs, "_atom_site_fract_x"), try coordinate(ys, "_atom_site_fract_y"),
                try coordinate(zs, "_atom_site_fract_z"))
            var occupancy = 1.0
            if let o = occupancies?[i], !o.isUnknown {
                guard let x = o.number, x > 0, x <= 1 + 1e-6 else {
                    throw InputError(
                        file: file, location: "line \(o.line), site \(label), tag _atom_site_occupancy",
                        expected: "an occupancy in (0, 1]", found: "\"\(o.text)\"")
                }
                occupancy = min(x, 1)
            }
            var b: Double? = nil
            if let v = bIso?[i], !v.isUnknown {
                guard let x = v.number, x.isFinite, x >= 0 else {
                    throw InputError(
                        file: file, location: "line \(v.line), site \(label), tag _atom_site_B_iso_or_equiv",
                        expected: "a displacement parameter B ≥ 0 (Å²)", found: "\"\(v.text)\"")
                }
                b = x
            } else if let v = uIso?[i], !v.isUnknown {
                guard let x = v.number, x.isFinite, x >= 0 else {
                    throw InputError(
                        file: file, location: "line \(v.line), site \(label), tag _atom_site_U_iso_or_equiv",
                        expected: "a displacement parameter U ≥ 0 (Å²)", found: "\"\(v.text)\"")
                }
                b = 8 * Double.pi * Double.pi * x
            }
            sites.append(AtomSite(label: label, element: element, position: position, occupancy: occupancy, bIso: b))
        }
        guard !sites.isEmpty else {
            throw InputError(
                file: file, location: "line \(xs.first?.line ?? 0), tag _atom_site_fract_x",
                expected: "at least one atom site", found: "none")
        }

        // Formula.
        var formula: [String: Double]? = nil
        if let f = block.single("_chemical_formula_sum"), !f.isUnknown {
            guard let parsed = parseFormula(f.text) else {
                throw InputError(
                    file: file, location: "line \(f.line), tag _chemical_formula_sum",
                    expected: "element symbols with amounts, e.g. 'Mg Al2 O4'", found: "\"\(f.text)\"")
            }
            formula = parsed
        }
        return CrystalStructure(
            name: name, cell: cell, operations: operations, sites: sites, formula: formula,
            source: file)
    }

    /// The element of a type symbol or label: leading capital plus optional lower-case letter,
    /// kept only when it has tabulated form factors (`Mg2+` → Mg, `O1` → O, `Ti1a` → Ti).
    static func elementSymbol(_ text: String) -> String? {
        let letters = Array(text.prefix { $0.isLetter })
        guard let first = letters.first, first.isUppercase || first.isLowercase else { return nil }
        let two = letters.count >= 2 ? String(first).uppercased() + String(letters[1]).lowercased() : nil
        let one = String(first).uppercased()
        if let two, AtomicFormFactors.coefficients(two) != nil { return two }
        return AtomicFormFactors.coefficients(one) != nil ? one : nil
    }

    /// Parses `Mg Al2 O4` / `Al2 O3` / `Li0.5 Fe2.5 O4` into element → amount; nil when malformed.
    static func parseFormula(_ text: String) -> [String: Double]? {
        var out: [String: Double] = [:]
        let chars = Array(text.filter { !$0.isWhitespace })
        var i = 0
        guard !chars.isEmpty else { return nil }
        while i < chars.count {
            guard chars[i].isUppercase else { return nil }
            var symbol = String(chars[i]); i += 1
            if i < chars.count, chars[i].isLowercase { symbol.append(chars[i]); i += 1 }
            var digits = ""
            while i < chars.count, chars[i].isNumber || chars[i] == "." { digits.append(chars[i]); i += 1 }
            guard AtomicFormFactors.coefficients(symbol) != nil else { return nil }
            let amount = digits.isEmpty ? 1 : Double(digits)
            guard let amount, amount > 0 else { return nil }
            out[symbol, default: 0] += amount
        }
        return out
    }
}
