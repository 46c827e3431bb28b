#!/usr/bin/env python3
"""Writes the shipped crystal structures (data/structures/mg-al-ti-o/*.cif, the demo's system, and
data/structures/dara-precursors/*.cif, the candidates of the example on the real scans in
../shared/datasets/dara-scans) from public crystallographic facts: space group, lattice parameters and Wyckoff positions as published for
each mineral (references in each entry). The symmetry operations are written out in full, taken
from the space-group tables (here via pymatgen.symmetry.groups, the International Tables settings
named below), so that drnet's CIF reader needs no space-group database.
Authoring tool only: the CIFs are committed; drnet does not run this script.
Usage: python3 scripts/make-structures.py
"""
import os
from fractions import Fraction
from pymatgen.symmetry.groups import SpaceGroup

STRUCTURES_DIR = os.path.join(os.path.dirname(__file__), "..", "data", "structures")

# name, mineral / structure type, setting (pymatgen symbol), H-M, IT number, cell (a, b, c, α, β, γ),
# formula, sites (label, element, x, y, z, occupancy[, B_iso in A^2]), reference.
MG_AL_TI_O = [
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


# The precursors named in the file names of ../shared/datasets/dara-scans/*.xrdml, plus the likely
# polymorphs and products (the candidates of README's real-scan example). Chemistry checked with
# pymatgen (formula, multiplicities, cation-oxygen distances); positions checked against the scans.
def _mg_al_ti_o(name):
    return next(entry for entry in MG_AL_TI_O if entry[0] == name)


DARA_PRECURSORS = [
    _mg_al_ti_o("TiO2-rutile"),
    _mg_al_ti_o("TiO2-anatase"),
    ("SnO2-cassiterite", "cassiterite, rutile type", "P4_2/mnm", "P 42/m n m", 136, (4.7374, 4.7374, 3.1864, 90, 90, 90),
     "Sn O2", [("Sn1", "Sn", 0, 0, 0, 1), ("O1", "O", 0.30562, 0.30562, 0, 1)],
     "Sn 2a, O 4f (x,x,0) (Bolzan, Fong, Kennedy & Howard, Acta Cryst. B53, 373 (1997))"),
    ("GeO2-quartz-type", "hexagonal GeO2, alpha-quartz type", "P3_221", "P 32 2 1", 154, (4.9845, 4.9845, 5.6477, 90, 90, 120),
     "Ge O2", [("Ge1", "Ge", 0.4513, 0, 2 / 3, 1), ("O1", "O", 0.3969, 0.3021, 0.7576, 1)],
     "Ge 3a (x,0,2/3), O 6c; the ambient form of reagent GeO2, Ge-O 1.74 A (e.g. Glinnemann et al., Z. Kristallogr. 198, 177 (1992))"),
    ("GeO2-argutite", "argutite, rutile type", "P4_2/mnm", "P 42/m n m", 136, (4.3963, 4.3963, 2.8626, 90, 90, 90),
     "Ge O2", [("Ge1", "Ge", 0, 0, 0, 1), ("O1", "O", 0.3061, 0.3061, 0, 1)],
     "tetragonal GeO2, Ge 2a, O 4f (x,x,0) (Baur & Khan, Acta Cryst. B27, 2133 (1971))"),
    ("CaCO3-calcite", "calcite", "R-3c:H", "R -3 c :H", 167, (4.9896, 4.9896, 17.0610, 90, 90, 120),
     "Ca C O3", [("Ca1", "Ca", 0, 0, 0, 1), ("C1", "C", 0, 0, 0.25, 1), ("O1", "O", 0.2578, 0, 0.25, 1)],
     "hexagonal axes, Ca 6b, C 6a, O 18e (x,0,1/4) (Effenberger, Mereiter & Zemann, Z. Kristallogr. 156, 233 (1981))"),
    ("Li3PO4-beta", "lithiophosphate, beta (low-temperature) form", "Pmn2_1", "P m n 21", 31, (6.115, 5.2394, 4.8554, 90, 90, 90),
     "Li3 P O4", [("Li1", "Li", 0.2481, 0.3277, 0.9860, 1), ("Li2", "Li", 0.5, 0.8428, 0.9893, 1), ("P1", "P", 0, 0.8243, 0, 1),
                  ("O1", "O", 0.20777, 0.68676, 0.8961, 1), ("O2", "O", 0, 0.1052, 0.9004, 1), ("O3", "O", 0.5, 0.1814, 0.8172, 1)],
     "Li 4b + 2a, P 2a, O 4b + 2a + 2a (Keffer, Mighell, Mauer, Swanson & Block, Inorg. Chem. 6, 119 (1967))"),
    ("NaHCO3-nahcolite", "nahcolite", "P2_1/c", "P 1 21/c 1", 14, (3.51, 9.71, 8.05, 90, 111.85, 90),
     "Na H C O3", [("Na1", "Na", 0.4274, 0.0047, 0.7145, 1), ("C1", "C", 0.2098, 0.2370, 0.9232, 1), ("O1", "O", 0.1896, 0.3668, 0.9291, 1),
                   ("O2", "O", 0.9883, 0.1629, 0.7946, 1), ("O3", "O", 0.4958, 0.1707, 0.0600, 1)],
     "all atoms 4e; O3 carries the hydroxyl H, which is left out (it scatters X-rays ~1/64 as much as O) (Sass & Scheuerman, Acta Cryst. 15, 77 (1962))"),
    ("Cr2O3-eskolaite", "eskolaite, corundum type", "R-3c:H", "R -3 c :H", 167, (4.9589, 4.9589, 13.5942, 90, 90, 120),
     "Cr2 O3", [("Cr1", "Cr", 0, 0, 0.34751, 1), ("O1", "O", 0.30570, 0, 0.25, 1)],
     "hexagonal axes, Cr 12c, O 18e (x,0,1/4) (e.g. Finger & Hazen, J. Appl. Phys. 51, 5362 (1980))"),
    ("Y2O3-bixbyite", "cubic Y2O3, bixbyite type", "Ia-3", "I a -3", 206, (10.604, 10.604, 10.604, 90, 90, 90),
     "Y2 O3", [("Y1", "Y", 0.25, 0.25, 0.25, 1), ("Y2", "Y", -0.0323, 0, 0.25, 1), ("O1", "O", 0.3912, 0.1520, 0.3804, 1)],
     "Y 8b and 24d (x,0,1/4), O 48e; typical published values for cubic Y2O3 (Y-O 2.24-2.34 A)"),
    ("Li2CO3-zabuyelite", "zabuyelite", "C2/c", "C 1 2/c 1", 15, (8.359, 4.973, 6.197, 90, 114.83, 90),
     "Li2 C O3", [("Li1", "Li", 0.1965, 0.4484, 0.8345, 1), ("C1", "C", 0, 0.0657, 0.25, 1), ("O1", "O", 0, 0.3222, 0.25, 1),
                  ("O2", "O", 0.1464, -0.0636, 0.3136, 1)],
     "Li 8f, C 4e, O 4e + 8f (Effenberger & Zemann, Z. Kristallogr. 150, 133 (1979))"),
    ("ZrO2-baddeleyite", "baddeleyite, monoclinic ZrO2", "P2_1/c", "P 1 21/c 1", 14, (5.1505, 5.2116, 5.3173, 90, 99.23, 90),
     "Zr O2", [("Zr1", "Zr", 0.2754, 0.0395, 0.2083, 1), ("O1", "O", 0.0700, 0.3317, 0.3447, 1), ("O2", "O", 0.4496, 0.7569, 0.4792, 1)],
     "all atoms 4e (Howard, Hill & Reichert, Acta Cryst. B44, 116 (1988))"),
    ("NiO-bunsenite", "bunsenite, rock-salt type", "Fm-3m", "F m -3 m", 225, (4.1771, 4.1771, 4.1771, 90, 90, 90),
     "Ni O", [("Ni1", "Ni", 0, 0, 0, 1), ("O1", "O", 0.5, 0.5, 0.5, 1)],
     "rock-salt structure, Ni 4a, O 4b; a = 4.177 A at room temperature"),
    ("CoO-rocksalt", "cobalt monoxide, rock-salt type", "Fm-3m", "F m -3 m", 225, (4.2615, 4.2615, 4.2615, 90, 90, 90),
     "Co O", [("Co1", "Co", 0, 0, 0, 1), ("O1", "O", 0.5, 0.5, 0.5, 1)],
     "rock-salt structure, Co 4a, O 4b; a = 4.26 A at room temperature"),
    ("Co3O4-spinel", "cobalt(II,III) oxide, normal spinel", "Fd-3m:2", "F d -3 m :2", 227, (8.0837, 8.0837, 8.0837, 90, 90, 90),
     "Co3 O4", [("Co1", "Co", 0.125, 0.125, 0.125, 1), ("Co2", "Co", 0.5, 0.5, 0.5, 1), ("O1", "O", 0.2631, 0.2631, 0.2631, 1)],
     "normal spinel, origin choice 2: Co(II) 8a, Co(III) 16d, O 32e (u,u,u); a = 8.084 A, u = 0.263"),
    ("ZnO-wurtzite", "zincite, wurtzite type", "P6_3mc", "P 63 m c", 186, (3.2495, 3.2495, 5.2069, 90, 90, 120),
     "Zn O", [("Zn1", "Zn", 1 / 3, 2 / 3, 0, 1), ("O1", "O", 1 / 3, 2 / 3, 0.3819, 1)],
     "Zn 2b, O 2b (1/3,2/3,u), u = 0.382 (Kisi & Elcombe, Acta Cryst. C45, 1867 (1989))"),
]

STRUCTURE_SETS = {"mg-al-ti-o": MG_AL_TI_O, "dara-precursors": DARA_PRECURSORS}


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
    for folder, structures in STRUCTURE_SETS.items():
        out = os.path.join(STRUCTURES_DIR, folder)
        os.makedirs(out, exist_ok=True)
        for entry in structures:
            write_structure(out, *entry)


def write_structure(out, name, mineral, setting, hm, number, cell, formula, sites, ref):
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
    with open(os.path.join(out, name + ".cif"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(name, len(seen), "operations")


if __name__ == "__main__":
    write_all()
