#!/usr/bin/env python3
"""Compares `drnet sticks` with pymatgen's XRDCalculator on the shipped structures.

For every CIF (default: data/structures/mg-al-ti-o/*.cif, data/structures/checks/*.cif and
data/structures/dara-precursors/*.cif, which together cover the cubic, tetragonal, trigonal,
hexagonal, orthorhombic, monoclinic and triclinic systems) both programs compute the Cu Ka (1.54184 A) powder pattern for qmin <= Q <= qmax (nm^-1).
Conventions matched, as pymatgen's XRDCalculator.get_pattern defines them:
  - X-ray form factors f(s) = Z - 41.78214 s^2 sum_i a_i exp(-b_i s^2), neutral atoms;
  - Lorentz-polarisation (1 + cos^2 2theta) / (sin^2 theta cos theta);
  - Debye-Waller exp(-B s^2) on the amplitude, per element (pymatgen's debye_waller_factors are
    taken from the CIF's B_iso, which must then be the same for all sites of an element);
  - pymatgen sums every (h k l) in the limiting sphere and merges peaks whose 2theta agree within
    1e-5 degrees; drnet writes one row per family of equivalent reflections, so its rows are
    summed when their Q agree within 1e-4 nm^-1, then both are scaled to a strongest peak of 100.
Pass: every peak of either list above 0.1 has a partner in the other within 0.001 nm^-1 whose
relative intensity differs by at most 2 (% of the strongest); an unpartnered peak passes only if
it is itself at most 2. Peaks within 0.01 nm^-1 of the range ends are ignored. Exits 1 on any
mismatch, 2 when pymatgen is not importable.
Usage: python3 scripts/compare-pymatgen.py [--drnet PATH] [--qmin 10] [--qmax 75] [cif ...]
"""
import argparse, csv, glob, math, os, subprocess, sys, tempfile, warnings

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
POS_TOL, INT_TOL, FLOOR = 0.001, 2.0, 0.1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("cifs", nargs="*")
    ap.add_argument("--drnet", default=None, help="drnet executable (default: .build/release or .build/debug)")
    ap.add_argument("--qmin", type=float, default=10.0)
    ap.add_argument("--qmax", type=float, default=75.0)
    ap.add_argument("--wavelength", default="CuKa")
    args = ap.parse_args()
    try:
        warnings.filterwarnings("ignore")
        from pymatgen.analysis.diffraction.xrd import XRDCalculator, WAVELENGTHS
        from pymatgen.io.cif import CifParser
    except ImportError as e:
        print(f"compare-pymatgen: pymatgen is not importable ({e}); install it with `pip install pymatgen`", file=sys.stderr)
        return 2
    drnet = args.drnet or next((p for p in (os.path.join(ROOT, ".build/release/drnet"), os.path.join(ROOT, ".build/debug/drnet"))
                                if os.access(p, os.X_OK)), None)
    if drnet is None:
        print("compare-pymatgen: no drnet executable; build first (swift build)", file=sys.stderr)
        return 2
    cifs = args.cifs or sorted(glob.glob(os.path.join(ROOT, "data/structures/mg-al-ti-o/*.cif"))) \
        + sorted(glob.glob(os.path.join(ROOT, "data/structures/checks/*.cif"))) \
        + sorted(glob.glob(os.path.join(ROOT, "data/structures/dara-precursors/*.cif")))
    lam = WAVELENGTHS[args.wavelength]
    tt = lambda q: 2 * math.degrees(math.asin(q / 10 * lam / (4 * math.pi)))
    failures = 0
    print(f"{'structure':32s} {'system':12s} {'peaks':>5s} {'max|dq| nm^-1':>14s} {'max|dI| %':>10s}  result")
    with tempfile.TemporaryDirectory() as tmp:
        for cif in cifs:
            name = os.path.splitext(os.path.basename(cif))[0]
            out = os.path.join(tmp, name, "sticks.csv")
            subprocess.run([drnet, "sticks", cif, "--wavelength", args.wavelength, "--qmin", str(args.qmin),
                            "--qmax", str(args.qmax), "--min-intensity", "0", "--out", out],
                           check=True, stdout=subprocess.DEVNULL)
            ours = merge([(float(r["q"]), float(r["intensity"])) for r in csv.DictReader(open(out))])
            structure = CifParser(cif).parse_structures(primitive=False)[0]
            dw = debye_waller(cif)
            calc = XRDCalculator(wavelength=args.wavelength, debye_waller_factors=dw)
            pattern = calc.get_pattern(structure, scaled=True, two_theta_range=(tt(args.qmin), tt(args.qmax)))
            theirs = [(40 * math.pi / lam * math.sin(math.radians(x / 2)), y) for x, y in zip(pattern.x, pattern.y)]
            ok, n, dq, di = compare(ours, theirs, args.qmin, args.qmax)
            from pymatgen.symmetry.analyzer import SpacegroupAnalyzer
            system = SpacegroupAnalyzer(structure).get_crystal_system()
            print(f"{name:32s} {system:12s} {n:5d} {dq:14.6f} {di:10.3f}  {'ok' if ok else 'MISMATCH'}")
            failures += 0 if ok else 1
    print(f"compare-pymatgen: {len(cifs) - failures}/{len(cifs)} structures agree "
          f"(positions within {POS_TOL} nm^-1, intensities within {INT_TOL} % of the strongest)")
    return 1 if failures else 0


def merge(peaks):
    """Sums rows whose q agree within 1e-4 nm^-1 and rescales the strongest to 100."""
    merged = []
    for q, i in sorted(peaks):
        if merged and abs(q - merged[-1][0]) < 1e-4:
            merged[-1][1] += i
        else:
            merged.append([q, i])
    top = max(i for _, i in merged)
    return [(q, 100 * i / top) for q, i in merged]


def debye_waller(cif):
    """Element -> B (A^2) from the CIF's _atom_site_B_iso_or_equiv column, or {}."""
    from pymatgen.io.cif import CifParser
    block = list(CifParser(cif).as_dict().values())[0]
    bs = block.get("_atom_site_B_iso_or_equiv")
    if not bs:
        return {}
    out = {}
    for el, b in zip(block["_atom_site_type_symbol"], bs):
        if b not in ("?", "."):
            if el in out and abs(out[el] - float(b)) > 1e-9:
                raise SystemExit(f"{cif}: B differs between sites of {el}; pymatgen takes one B per element")
            out[el] = float(b)
    return out


def compare(ours, theirs, qmin, qmax):
    def inside(q):
        return qmin + 0.01 < q < qmax - 0.01
    ours = [p for p in ours if inside(p[0]) and p[1] > FLOOR]
    theirs = [p for p in theirs if inside(p[0]) and p[1] > FLOOR]
    ok, dq_max, di_max = True, 0.0, 0.0
    for a, b in ((ours, theirs), (theirs, ours)):
        for q, i in a:
            partner = min(b, key=lambda p: abs(p[0] - q), default=None)
            if partner is not None and abs(partner[0] - q) <= POS_TOL:
                dq_max = max(dq_max, abs(partner[0] - q))
                d = abs(partner[1] - i)
            else:
                d = i
            di_max = max(di_max, d)
            if d > INT_TOL:
                ok = False
    return ok, len(theirs), dq_max, di_max


if __name__ == "__main__":
    sys.exit(main())
