#!/usr/bin/env python3
"""Writes the extra structures that scripts/compare-pymatgen.py uses to cover the crystal systems
the Mg-Al-Ti-O set lacks (data/structures/checks/*.cif): wurtzite ZnO (hexagonal, a real
structure) and three *test fixtures* (orthorhombic, monoclinic, triclinic) whose atoms are placed
by hand at general positions: they exercise the general metric, low symmetry, partial occupancy
and displacement parameters (per element, so pymatgen's debye_waller_factors can match them), and are not real compounds. Authoring tool only.
Usage: python3 scripts/make-check-structures.py
"""
import os, sys
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(__file__))
from importlib import import_module
ms = import_module("make-structures")

OUT = os.path.join(os.path.dirname(__file__), "..", "data", "structures", "checks")
ms.OUT = OUT
ms.STRUCTURES = [
    ("ZnO-wurtzite", "zincite, wurtzite type", "P6_3mc", "P 63 m c", 186, (3.2495, 3.2495, 5.2069, 90, 90, 120),
     "Zn O", [("Zn1", "Zn", 1/3, 2/3, 0, 1), ("O1", "O", 1/3, 2/3, 0.3819, 1)],
     "Zn 2b, O 2b (1/3,2/3,u), u = 0.382 (Kisi & Elcombe, Acta Cryst. C45, 1867 (1989))"),
    ("fixture-orthorhombic-Pnma", "test fixture, not a real compound", "Pnma", "P n m a", 62, (5.41, 7.63, 5.37, 90, 90, 90),
     "Ca Ti O3", [("Ca1", "Ca", 0.0353, 0.25, 0.9910, 1), ("Ti1", "Ti", 0, 0, 0.5, 1),
                  ("O1", "O", 0.4830, 0.25, 0.0780, 1), ("O2", "O", 0.2880, 0.0370, 0.7110, 1)],
     "orthorhombic test fixture (perovskite-like coordinates)"),
    ("fixture-monoclinic-P21c", "test fixture, not a real compound", "P2_1/c", "P 1 21/c 1", 14, (5.15, 5.21, 5.31, 90, 99.2, 90),
     "Zr O2", [("Zr1", "Zr", 0.2758, 0.0404, 0.2089, 1), ("O1", "O", 0.0690, 0.3420, 0.3450, 1),
               ("O2", "O", 0.4510, 0.7580, 0.4790, 1)],
     "monoclinic test fixture (baddeleyite-like coordinates)"),
    ("fixture-triclinic-P-1", "test fixture, not a real compound", "P-1", "P -1", 2, (5.62, 6.31, 7.04, 81.3, 73.9, 66.2),
     "Fe0.6 Ni0.4 Al O3", [("Fe1", "Fe", 0.1210, 0.2330, 0.3170, 0.6, 0.5), ("Ni1", "Ni", 0.1210, 0.2330, 0.3170, 0.4, 0.5),
                      ("Al1", "Al", 0.6110, 0.7240, 0.1430, 1, 0.4), ("O1", "O", 0.2020, 0.5630, 0.1840, 1, 0.7),
                      ("O2", "O", 0.7360, 0.0980, 0.3960, 1, 0.7), ("O3", "O", 0.4130, 0.3270, 0.6620, 1, 0.7)],
     "triclinic test fixture with a mixed Fe/Ni site and displacement parameters B (A^2)"),
]
ms.write_all() if hasattr(ms, "write_all") else None
