#!/usr/bin/env python3
"""Writes the shipped crystal structures (data/structures/mg-al-ti-o/*.cif) from public
crystallographic facts: space group, lattice parameters and Wyckoff positions as published for
each mineral (references in each entry). The symmetry operations are written out in full, taken
from the space-group tables (here via pymatgen.symmetry.groups, the International Tables settings
named below), so that drnet's CIF reader needs no space-group database.
Authoring tool only: the CIFs are committed; drnet does not run this script.
Usage: python3 scripts/make-structures.py
"""
import os
from fractions import Fraction
from pymatgen.symmetry.groups import SpaceGroup

OUT = os.path.join(os.path.dirname(__file__), "..", "data", "structures", "mg-al-ti-o")

# name, mineral / structure type, setting (pymatgen symbol), H-M, IT number, cell (a, b, c, α, β, γ),
# formula, sites (label, element, x, y, z, occupancy[, B_iso in A^2]), reference.
STRUCTURES = [
    ("MgO-periclase", "periclase, rock-salt type", "Fm-3m", "F m -3 m", 225, (4.2112, 4.2112, 4.2112, 90, 90, 90),
     "Mg O", [("Mg1", "Mg", 0, 0, 0, 1), ("O1", "O", 0.5, 0.5, 0.5, 1)],
     "rock-salt structure, Mg 4a, O 4b; a = 4.211 A at room temperature (e.g. Hazen, Am. Mineral. 61, 266 (1976))"),
    ("Al2O3-corundum", "corundum", "R-3c:H", "R -3 c :H", 167, (4.7589, 4.7589, 12.991, 90, 90, 120),
     "Al2 O3", [("Al1", "Al", 0, 0, 0.35216, 1), ("O1", "O", 0.30624, 0, 0.25, 1)],
     "alpha-Al2O3, hexagonal axes, Al 12c, O 18e (Lewis, Schwarzenbach & Flack, Acta Cryst. A38, 733 (1982))"),
    ("TiO2-rutile", "rutile", "P4_2/mnm", "P 42/m n m", 136, (4.5937, 4.5937, 2.9587, 90, 90, 90),
     "Ti O2", [("Ti1", "Ti", 0, 0, 0, 1), ("O1", "O", 0.30478, 0.30478, 0, 1)],
     "Ti 2a, O 4f (x,x,0) (Howard, Sabine & Dickson, Acta Cryst. B47, 462 (1991))"),
    ("TiO2-anatase", "anatase", "I4_1/amd", "I 41/a m d :1", 141, (3.7845, 3.7845, 9.5143, 90, 90, 90),
     "Ti O2", [("Ti1", "Ti", 0, 0, 0, 1), ("O1", "O", 0, 0, 0.20806, 1)],
     "origin choice 1: Ti 4a (0,0,0), O 8e (0,0,z) (Howard, Sabine & Dickson, Acta Cryst. B47, 462 (1991))"),
    ("MgAl2O4-spinel", "spinel", "Fd-3m:2", "F d -3 m :2", 227, (8.0830, 8.0830, 8.0830, 90, 90, 90),
     "Mg Al2 O4", [("Mg1", "Mg", 0.125, 0.125, 0.125, 1), ("Al1", "Al", 0.5, 0.5, 0.5, 1), ("O1", "O", 0.2624, 0.2624, 0.2624, 1)],
     "normal spinel, origin choice 2: Mg 8a, Al 16d, O 32e (u,u,u) u = 0.2624 (e.g. Yamanaka & Takeuchi, Z. Kristallogr. 165, 65 (1983))"),
    ("Mg2TiO4-qandilite", "qandilite, inverse spinel", "Fd-3m:2", "F d -3 m :2", 227, (8.4376, 8.4376, 8.4376, 90, 90, 90),
     "Mg2 Ti O4", [("Mg1", "Mg", 0.125, 0.125, 0.125, 1), ("Mg2", "Mg", 0.5, 0.5, 0.5, 0.5), ("Ti2", "Ti", 0.5, 0.5, 0.5, 0.5),
                   ("O1", "O", 0.2608, 0.2608, 0.2608, 1)],
     "inverse spinel, origin choice 2: Mg 8a, (Mg0.5 Ti0.5) 16d, O 32e (Wechsler & Von Dreele, Acta Cryst. B45, 542 (1989))"),
    ("MgTiO3-geikielite", "geikielite, ilmenite type", "R-3:H", "R -3 :H", 148, (5.0548, 5.0548, 13.8992, 90, 90, 120),
     "Mg Ti O3", [("Mg1", "Mg", 0, 0, 0.35570, 1), ("Ti1", "Ti", 0, 0, 0.14510, 1), ("O1", "O", 0.31591, 0.02146, 0.24657, 1)],
     "ilmenite type, hexagonal axes, Mg 6c, Ti 6c, O 18f (Wechsler & Prewitt, Am. Mineral. 69, 176 (1984))"),
]


def frac(v):
    f = Fraction(v).limit_denominator(12)
    if abs(float(f) - v) > 1e-9:
        return f"{v:.6f}"
    if f == 0:
        return "0"
    return f"{f.numerator}/{f.denominator}"


def xyz(op):
    rows = []
    for i in range(3):
        terms = ""
        for j, axis in enumerate("xyz"):
            c = round(op.rotation_matrix[i][j])
            if c == 1:
                terms += ("+" if terms else "") + axis
            elif c == -1:
                terms += "-" + axis
        t = op.translation_vector[i] % 1
        if abs(t) > 1e-9 and abs(t - 1) > 1e-9:
            terms += "+" + frac(t)
        rows.append(terms)
    return ",".join(rows)


def write_all():
    os.makedirs(OUT, exist_ok=True)
    for name, mineral, setting, hm, number, cell, formula, sites, ref in STRUCTURES:
        ops = SpaceGroup(setting).symmetry_ops
        lines = [f"# {name}: {mineral}.", f"# {ref}.",
                 "# Written for drnet from published crystallographic facts by scripts/make-structures.py;",
                 "# symmetry operations written out in full.", f"data_{name}",
                 f"_chemical_name_mineral '{mineral.split(',')[0]}'", f"_chemical_formula_sum '{formula}'",
                 f"_symmetry_space_group_name_H-M '{hm}'", f"_symmetry_Int_Tables_number {number}"]
        for tag, v in zip(["length_a", "length_b", "length_c", "angle_alpha", "angle_beta", "angle_gamma"], cell):
            lines.append(f"_cell_{tag} {v}")
        lines += ["loop_", "_symmetry_equiv_pos_as_xyz"]
        seen = []
        for op in ops:
            s = xyz(op)
            if s not in seen:
                seen.append(s)
                lines.append(f"'{s}'")
        lines += ["loop_", "_atom_site_label", "_atom_site_type_symbol", "_atom_site_fract_x", "_atom_site_fract_y",
                  "_atom_site_fract_z", "_atom_site_occupancy"]
        with_b = any(len(site) > 6 for site in sites)
        if with_b:
            lines.append("_atom_site_B_iso_or_equiv")
        for label, el, x, y, z, occ, *b in sites:
            lines.append(f"{label} {el} {x:.5f} {y:.5f} {z:.5f} {occ}" + (f" {b[0] if b else '?'}" if with_b else ""))
        with open(os.path.join(OUT, name + ".cif"), "w") as f:
            f.write("\n".join(lines) + "\n")
        print(name, len(seen), "operations")


if __name__ == "__main__":
    write_all()
