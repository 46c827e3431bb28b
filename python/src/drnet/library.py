"""Library folders: building one from NumPy arrays or from scan files (through ``drnet import``),
and reading one."""

from __future__ import annotations

import csv
import json
import math
import numbers
import os
import re
import shutil
import tempfile
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from ._run import PathLike, run

_SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]*$")


def _fmt(value: float) -> str:
    """A float in shortest round-trip form (what drnet writes too)."""
    return repr(float(value))


class Library:
    """A library folder that ``drnet solve`` reads.

    The folder holds ``instance.txt`` (the compositions, the Q grid in nm⁻¹ and the patterns;
    or ``npy/XRD.npy``, ``npy/Q.npy``, ``npy/composition.npy``), the candidate phases
    (``sticks.csv``: ``phase,name,q,intensity`` with q in nm⁻¹, or IAFD ``sticks.txt``) and
    optionally ``phase-compositions.csv``; a folder made by ``drnet import`` (and so by
    :meth:`from_arrays`) also has ``import.json`` and ``samples.csv``.

    The array attributes are read from the folder on first use.
    """

    def __init__(self, path: PathLike):
        self.path = os.path.abspath(os.fspath(path))
        self._instance: Optional[Dict[str, Any]] = None

    def __repr__(self) -> str:
        return "Library(%r)" % self.path

    def __fspath__(self) -> str:
        return self.path

    # ------------------------------------------------------------------ reading

    @classmethod
    def read(cls, path: PathLike) -> "Library":
        """The library folder at ``path`` (checked to hold ``instance.txt`` or ``npy/XRD.npy``)."""
        lib = cls(path)
        if not os.path.isdir(lib.path):
            raise FileNotFoundError("%s: no such library folder" % lib.path)
        if not (os.path.isfile(lib._file("instance.txt")) or os.path.isfile(lib._file("npy", "XRD.npy"))):
            raise FileNotFoundError("%s: not a library folder (no instance.txt or npy/XRD.npy)" % lib.path)
        return lib

    def _file(self, *parts: str) -> str:
        return os.path.join(self.path, *parts)

    def _load(self) -> Dict[str, Any]:
        if self._instance is None:
            text_path = self._file("instance.txt")
            if os.path.isfile(text_path):
                self._instance = _read_instance_text(text_path)
            else:
                npy = self._file("npy")
                self._instance = {
                    "q": np.load(os.path.join(npy, "Q.npy")).astype(float).ravel(),
                    "patterns": np.load(os.path.join(npy, "XRD.npy")).astype(float),
                    "compositions": np.load(os.path.join(npy, "composition.npy")).astype(float),
                    "elements": None,
                }
        return self._instance

    @property
    def q(self) -> np.ndarray:
        """The Q grid (T values, nm⁻¹; Q = 4π sin θ / λ, 1 Å⁻¹ = 10 nm⁻¹)."""
        return self._load()["q"]

    @property
    def patterns(self) -> np.ndarray:
        """The patterns on :attr:`q`, N×T (one row per sample, in sample order)."""
        return self._load()["patterns"]

    @property
    def compositions(self) -> np.ndarray:
        """The cation compositions, N×M (columns in :attr:`elements` order)."""
        return self._load()["compositions"]

    @property
    def elements(self) -> Optional[List[str]]:
        """The element symbols (None for an ``npy/`` library, which does not name them)."""
        return self._load()["elements"]

    @property
    def sample_count(self) -> int:
        return int(self.patterns.shape[0])

    @property
    def sticks_path(self) -> Optional[str]:
        """``sticks.csv`` or ``sticks.txt`` in the folder (None when it has neither)."""
        for name in ("sticks.csv", "sticks.txt"):
            if os.path.isfile(self._file(name)):
                return self._file(name)
        return None

    @property
    def phase_names(self) -> List[str]:
        """The candidate phases' names in phase-index order (from the stick file)."""
        path = self.sticks_path
        if path is None:
            return []
        return _stick_phase_names(path)

    @property
    def sticks(self):
        """``sticks.csv`` as a pandas DataFrame (``phase, name, q, intensity, …``; q in nm⁻¹)."""
        path = self.sticks_path
        if path is None or not path.endswith(".csv"):
            raise FileNotFoundError("%s: no sticks.csv" % self.path)
        return _pandas().read_csv(path)

    @property
    def samples(self):
        """``samples.csv`` (written by ``drnet import``: sample, source file, composition) as a DataFrame."""
        return _pandas().read_csv(self._file("samples.csv"), index_col="sample")

    @property
    def import_report(self) -> Dict[str, Any]:
        """``import.json`` (per sample: source file, axis and its origin, wavelength, the Q grid)."""
        with open(self._file("import.json"), encoding="utf-8") as f:
            return json.load(f)

    # ------------------------------------------------------------------ building

    @classmethod
    def from_arrays(
        cls,
        out_dir: PathLike,
        patterns: Any,
        *,
        q: Any = None,
        two_theta: Any = None,
        wavelength: Union[float, str, None] = None,
        compositions: Any,
        elements: Sequence[str],
        sticks: Union[Iterable[Sequence[Any]], PathLike, None] = None,
        cif_paths: Optional[Sequence[PathLike]] = None,
        phase_compositions: Any = None,
        sample_names: Optional[Sequence[str]] = None,
        q_grid: Optional[Tuple[float, float, float]] = None,
        sticks_q_range: Optional[Tuple[float, float]] = None,
        overwrite: bool = False,
        executable: Optional[PathLike] = None,
    ) -> "Library":
        """Builds a library folder from patterns held in arrays, with ``drnet import``.

        Every pattern is written as a two-column text scan (pyFAI style: ``# Unit: 2th_deg`` or
        ``# Unit: q_nm^-1``, and ``# Wavelength: … m``) with a compositions CSV
        (``file,<element>…``), and ``drnet import`` converts, checks and (where the scans'
        positions differ) resamples them onto one Q grid — drnet does all unit conversion and
        every check, and its errors surface as :class:`~drnet.DrnetError` (status 2). Nothing is
        written to ``out_dir`` unless every step succeeds.

        Args:
            out_dir: the library folder to create (must be new or empty unless ``overwrite``).
            patterns: N×T intensities (counts, any scale; ≥ 0, finite), one row per sample.
            q: the scattering vector Q in **nm⁻¹** (Q = 4π sin θ / λ; 1 Å⁻¹ = 10 nm⁻¹): T values
                shared by all samples, or N×T. Give either ``q`` or ``two_theta``.
            two_theta: the diffraction angle 2θ in **degrees**, T or N×T values (increasing);
                needs ``wavelength``.
            wavelength: the X-ray wavelength: a number of **Å** (written into each scan as
                metres), or a name drnet knows (``"CuKa"``: the Cu Kα doublet, Q from Kα1;
                ``"CuKa1"``, ``"MoKa"``, …; passed as ``drnet import --wavelength``). With ``q``
                it is optional and only recorded (and used for the stick intensities of
                ``cif_paths``).
            compositions: N×M amounts of each element (any scale; drnet normalises each row to
                fractions).
            elements: the M element symbols, in the column order of ``compositions``.
            sticks: the candidate phases: rows ``(phase, name, q, intensity)`` (phase zero-based
                and covering 0…P-1, q in **nm⁻¹**, intensity ≥ 0 on any scale) as a list of
                tuples or a DataFrame with those columns; or the path of a ``sticks.csv`` /
                IAFD ``sticks.txt`` to copy. Written to ``sticks.csv``.
            cif_paths: instead of ``sticks``: CIF files whose powder patterns ``drnet sticks``
                computes (with ``wavelength`` when given, else Cu Kα); it also writes each
                phase's cation fractions to ``phase-compositions.csv``.
            phase_compositions: optional cation fractions of each candidate (enables the element
                rule): a path to a ``phase-compositions.csv``; a mapping ``{phase name or index:
                {element: fraction}}`` or ``{phase: [fractions in elements order]}``; a DataFrame
                indexed by phase name with element columns; or a P×M array in phase order.
            sample_names: file stems for the scans (recorded in ``samples.csv`` and
                ``import.json``); default ``sample00000``, ….
            q_grid: ``(q_min, q_max, q_step)`` in nm⁻¹ to resample onto (default: the scans' own
                positions when they are identical, else the overlap of all scans).
            sticks_q_range: ``(q_min, q_max)`` in nm⁻¹ for ``cif_paths`` (drnet sticks' --qmin,
                --qmax; default 0…80).
            overwrite: replace the library files in a non-empty ``out_dir``.
            executable: the drnet executable (default: ``DRNET_BIN``, else ``drnet`` on PATH).

        Returns:
            The new :class:`Library`.

        Raises:
            ValueError: arrays of the wrong shape, missing or conflicting arguments.
            DrnetError: drnet rejected the data (status 2: the message names the scan file and
                point — scan ``sample00003`` is row 3).
        """
        pats = np.asarray(patterns, dtype=float)
        if pats.ndim != 2 or pats.shape[0] < 1:
            raise ValueError("patterns must be an N×T array, got shape %s" % (pats.shape,))
        n, t = pats.shape
        if (q is None) == (two_theta is None):
            raise ValueError("give exactly one of q (nm⁻¹) and two_theta (degrees)")
        axis_name, axis_values = ("q", q) if q is not None else ("two_theta", two_theta)
        axis = np.asarray(axis_values, dtype=float)
        if axis.shape not in ((t,), (n, t)):
            raise ValueError(
                "%s must have T = %d values (one axis for all samples) or shape N×T = %d×%d, got shape %s"
                % (axis_name, t, n, t, axis.shape)
            )
        if two_theta is not None and wavelength is None:
            raise ValueError("two_theta needs the wavelength (Å, or a name such as 'CuKa')")
        wl_number, wl_name = _wavelength(wavelength)
        comps = np.asarray(compositions, dtype=float)
        elements = [str(e) for e in elements]
        if comps.ndim != 2 or comps.shape[0] != n:
            raise ValueError("compositions must be N×M with N = %d rows, got shape %s" % (n, comps.shape))
        if comps.shape[1] != len(elements):
            raise ValueError(
                "compositions has %d columns but %d elements are named (%s)"
                % (comps.shape[1], len(elements), ", ".join(elements))
            )
        if len(set(elements)) != len(elements) or any(not _SAFE_NAME.match(e) for e in elements):
            raise ValueError("elements must be distinct symbols (letters, digits, _ . + -): %r" % (elements,))
        if sticks is not None and cif_paths is not None:
            raise ValueError("give sticks or cif_paths, not both")
        if sample_names is None:
            width = max(5, len(str(n - 1)))
            names = ["sample%0*d" % (width, i) for i in range(n)]
        else:
            names = [str(s) for s in sample_names]
            if len(names) != n:
                raise ValueError("sample_names has %d names for %d patterns" % (len(names), n))
            bad = [s for s in names if not _SAFE_NAME.match(s)]
            if bad:
                raise ValueError("sample names must be plain file stems (letters, digits, _ . + -): %r" % bad[:5])
            if len(set(names)) != n:
                raise ValueError("sample_names must be distinct")
        if q_grid is not None and len(q_grid) != 3:
            raise ValueError("q_grid is (q_min, q_max, q_step) in nm⁻¹")

        out = os.path.abspath(os.fspath(out_dir))
        with tempfile.TemporaryDirectory(prefix="drnet-python-") as tmp:
            # 1. the candidate phases (checked before anything is written to out_dir)
            staged = _stage_candidates(
                tmp, sticks=sticks, cif_paths=cif_paths, phase_compositions=phase_compositions,
                elements=elements, wavelength=wl_name if wl_name is not None else wl_number,
                sticks_q_range=sticks_q_range, executable=executable)

            # 2. the scans and their compositions
            scans = os.path.join(tmp, "scans")
            os.mkdir(scans)
            unit = "q_nm^-1" if q is not None else "2th_deg"
            # pyFAI's header: the unit, the wavelength in metres, then the column names
            header = ["# Unit: %s" % unit]
            if wl_number is not None:
                header.append("# Wavelength: %s m" % _fmt(wl_number * 1e-10))
            header.append("# %24s %24s" % (unit, "I"))
            files = []
            for i in range(n):
                x = axis if axis.ndim == 1 else axis[i]
                lines = ["# drnet python: sample %d of %d" % (i, n)] + header
                body = "\n".join("%.17g %.9g" % (xv, yv) for xv, yv in zip(x.tolist(), pats[i].tolist()))
                name = names[i] + ".xy"
                with open(os.path.join(scans, name), "w", encoding="utf-8") as f:
                    f.write("\n".join(lines) + "\n" + body + "\n")
                files.append(name)
            comp_path = os.path.join(tmp, "compositions.csv")
            with open(comp_path, "w", encoding="utf-8", newline="") as f:
                f.write("file," + ",".join(elements) + "\n")
                for i in range(n):
                    f.write(files[i] + "," + ",".join(_fmt(v) for v in comps[i].tolist()) + "\n")

            # 3. drnet import, then the staged candidate files
            # run in the scans' folder so that samples.csv and import.json name each scan by its
            # file name, not by a temporary path
            args = ["import", ".", "--compositions", comp_path, "--out", out, "--quiet"]
            if wl_name is not None:
                args += ["--wavelength", wl_name]
            if q_grid is not None:
                args += ["--q-min", _fmt(q_grid[0]), "--q-max", _fmt(q_grid[1]), "--q-step", _fmt(q_grid[2])]
            if overwrite:
                args.append("--overwrite")
            run(args, executable=executable, cwd=scans)
            _install_staged(out, staged)
        return cls(out)

    @classmethod
    def from_scans(
        cls,
        out_dir: PathLike,
        scans: Union[PathLike, Sequence[PathLike]],
        *,
        compositions: Any = None,
        axis: Optional[str] = None,
        wavelength: Union[float, str, None] = None,
        wavelength_override: bool = False,
        sticks: Union[Iterable[Sequence[Any]], PathLike, None] = None,
        cif_paths: Optional[Sequence[PathLike]] = None,
        phase_compositions: Any = None,
        q_grid: Optional[Tuple[float, float, float]] = None,
        sticks_q_range: Optional[Tuple[float, float]] = None,
        neighbors: Optional[Mapping[int, Sequence[int]]] = None,
        background: Optional[str] = None,
        overwrite: bool = False,
        executable: Optional[PathLike] = None,
    ) -> "Library":
        """Builds a library folder from scan files, with ``drnet import``.

        The files are read by drnet's own readers — PANalytical ``.xrdml``, Bruker ``.brml``,
        two/three-column text (``.xy``, ``.xye``, ``.dat``, ``.csv``, ``.txt``) and FIT2D/pyFAI
        ``.chi`` — converted to Q in nm⁻¹ and (where their positions differ) resampled onto one
        grid; ``import.json`` in the folder records, per scan, the axis, the wavelength(s) and
        where each came from. Errors surface as :class:`~drnet.DrnetError` (status 2) naming the
        file and line or XML element. Nothing is written to ``out_dir`` unless every step succeeds.

        Args:
            out_dir: the library folder to create (must be new or empty unless ``overwrite``).
            scans: a scan file or a folder of scans, or a list of them (a folder contributes
                every scan file in it).
            compositions: optional: each scan's composition — the path of a CSV
                ``file,<element>…`` (file = the scan's file name, with or without extension), a
                mapping ``{file: {element: amount}}``, or a DataFrame indexed by file with one
                column per element. Amounts on any scale (drnet normalises each row); samples
                follow its order. Without it the library has no compositions (M = 0) and
                ``solve`` runs without a composition graph, element rule or Gibbs limit.
            axis: the x unit when a file does not state it: ``"2theta"`` (degrees), ``"q-nm"``,
                ``"q-A"`` or ``"d-A"`` (``drnet import --axis``). Never assumed.
            wavelength: Å or a name (``"CuKa"``, ``"CuKa1"``, ``"MoKa"``, …) for 2θ files that
                do not state it; one that disagrees with a file's is an error unless
                ``wavelength_override``.
            sticks, cif_paths, phase_compositions, sticks_q_range: the candidate phases, as for
                :meth:`from_arrays`; stick intensities from ``cif_paths`` use ``wavelength``, else
                the first scan's Kα1 from ``import.json``.
            q_grid: ``(q_min, q_max, q_step)`` in nm⁻¹ to resample onto (default: the scans' own
                positions when identical, else the overlap of all scans at the densest scan's
                density).
            neighbors: optional composition graph, written as ``neighbors.txt``: a mapping
                ``{sample: [neighbour samples]}`` (zero-based, in library order); samples left out
                have no neighbours, so ``{}`` says the samples are unrelated (no pairwise terms),
                for a set of separate mixtures rather than a composition spread. Default: the
                graph ``drnet solve`` derives from the compositions.
            background: ``"snip"`` or ``"snip:W"`` (W in nm⁻¹) to subtract a SNIP background
                estimate from every pattern (``drnet import --background``); default none.
            overwrite: replace the library files in a non-empty ``out_dir``.
            executable: the drnet executable (default: ``DRNET_BIN``, else ``drnet`` on PATH).

        Returns:
            The new :class:`Library`.
        """
        paths = [scans] if isinstance(scans, (str, os.PathLike)) else list(scans)
        if not paths:
            raise ValueError("scans is empty")
        sources = [os.path.abspath(os.fspath(p)) for p in paths]
        for source in sources:
            if not os.path.exists(source):
                raise FileNotFoundError("%s: no such scan file or folder" % source)
        if sticks is not None and cif_paths is not None:
            raise ValueError("give sticks or cif_paths, not both")
        if q_grid is not None and len(q_grid) != 3:
            raise ValueError("q_grid is (q_min, q_max, q_step) in nm⁻¹")
        wl_number, wl_name = _wavelength(wavelength)
        out = os.path.abspath(os.fspath(out_dir))
        with tempfile.TemporaryDirectory(prefix="drnet-python-") as tmp:
            # 1. the scans → a staged library (nothing in out_dir yet)
            staged_lib = os.path.join(tmp, "library")
            args: List[str] = ["import"] + sources + ["--out", staged_lib, "--quiet"]
            comp_path = _compositions_csv(tmp, compositions)
            if comp_path is not None:
                args += ["--compositions", comp_path]
            if axis is not None:
                args += ["--axis", str(axis)]
            if wavelength is not None:
                args += ["--wavelength", wl_name if wl_name is not None else _fmt(wl_number)]
            if wavelength_override:
                args.append("--wavelength-override")
            if q_grid is not None:
                args += ["--q-min", _fmt(q_grid[0]), "--q-max", _fmt(q_grid[1]), "--q-step", _fmt(q_grid[2])]
            if background is not None:
                args += ["--background", str(background)]
            run(args, executable=executable)
            library = cls(staged_lib)

            # 2. the candidates, with the scans' wavelength for CIF intensities
            stick_wavelength: Union[float, str, None] = wl_name if wl_name is not None else wl_number
            if stick_wavelength is None:
                first = (library.import_report.get("samples") or [{}])[0].get("wavelength") or {}
                stick_wavelength = first.get("alpha1")
            staged = _stage_candidates(
                tmp, sticks=sticks, cif_paths=cif_paths, phase_compositions=phase_compositions,
                elements=library.elements or [], wavelength=stick_wavelength,
                sticks_q_range=sticks_q_range, executable=executable)
            if neighbors is not None:
                staged["neighbors.txt"] = _neighbors_file(tmp, neighbors, library.sample_count)

            # 3. into out_dir: the imported files, then the candidates and graph
            if os.path.exists(out):
                if not os.path.isdir(out):
                    raise NotADirectoryError("%s: exists and is not a folder" % out)
                if os.listdir(out) and not overwrite:
                    raise FileExistsError("%s: not empty (pass overwrite=True to replace its library files)" % out)
            else:
                os.makedirs(out)
            for name in sorted(os.listdir(staged_lib)):
                shutil.copyfile(os.path.join(staged_lib, name), os.path.join(out, name))
            _install_staged(out, staged)
        return cls(out)


# ---------------------------------------------------------------------- helpers


def _stage_candidates(
    tmp: str, *, sticks: Any, cif_paths: Optional[Sequence[PathLike]], phase_compositions: Any,
    elements: Sequence[str], wavelength: Union[float, str, None], sticks_q_range: Optional[Tuple[float, float]],
    executable: Optional[PathLike],
) -> Dict[str, str]:
    """Writes (or locates) the candidate files in ``tmp``: library file name → path to copy."""
    staged: Dict[str, str] = {}
    phase_names: Optional[List[str]] = None
    if cif_paths is not None:
        cifs = [os.path.abspath(os.fspath(p)) for p in cif_paths]
        if not cifs:
            raise ValueError("cif_paths is empty")
        os.mkdir(os.path.join(tmp, "sticks"))
        target = os.path.join(tmp, "sticks", "sticks.csv")
        args: List[str] = ["sticks"] + cifs + ["--out", target]
        if wavelength is not None:
            args += ["--wavelength", wavelength if isinstance(wavelength, str) else _fmt(float(wavelength))]
        if sticks_q_range is not None:
            args += ["--qmin", _fmt(sticks_q_range[0]), "--qmax", _fmt(sticks_q_range[1])]
        run(args, executable=executable)
        staged["sticks.csv"] = target
        generated = os.path.join(tmp, "sticks", "phase-compositions.csv")
        if os.path.isfile(generated):
            staged["phase-compositions.csv"] = generated
        phase_names = _stick_phase_names(target)
    elif sticks is not None:
        if isinstance(sticks, (str, os.PathLike)):
            source = os.fspath(sticks)
            if not os.path.isfile(source):
                raise FileNotFoundError("%s: no such stick file" % source)
            staged["sticks.csv" if source.lower().endswith(".csv") else "sticks.txt"] = source
            phase_names = _stick_phase_names(source)
        else:
            target = os.path.join(tmp, "sticks.csv")
            phase_names = _write_sticks(target, sticks)
            staged["sticks.csv"] = target
    if phase_compositions is not None:
        if isinstance(phase_compositions, (str, os.PathLike)):
            source = os.fspath(phase_compositions)
            if not os.path.isfile(source):
                raise FileNotFoundError("%s: no such phase-compositions file" % source)
            staged["phase-compositions.csv"] = source
        else:
            if phase_names is None:
                raise ValueError("phase_compositions needs the candidate phases (sticks or cif_paths)")
            target = os.path.join(tmp, "phase-compositions.csv")
            _write_phase_compositions(target, phase_compositions, phase_names, list(elements))
            staged["phase-compositions.csv"] = target
    return staged


def _install_staged(out: str, staged: Dict[str, str]) -> None:
    """Copies the staged candidate (and graph) files into the library folder ``out``."""
    if any(k.startswith("sticks.") for k in staged):  # (an overwrite keeps the old files)
        for stale in ("sticks.csv", "sticks.txt"):
            if os.path.isfile(os.path.join(out, stale)):
                os.remove(os.path.join(out, stale))
    for name, source in staged.items():
        shutil.copyfile(source, os.path.join(out, name))


def _compositions_csv(tmp: str, compositions: Any) -> Optional[str]:
    """The compositions CSV for ``drnet import --compositions``: a given path, or one written
    from a mapping ``{file: {element: amount}}`` or a DataFrame indexed by file."""
    if compositions is None:
        return None
    if isinstance(compositions, (str, os.PathLike)):
        path = os.fspath(compositions)
        if not os.path.isfile(path):
            raise FileNotFoundError("%s: no such compositions file" % path)
        return os.path.abspath(path)
    if hasattr(compositions, "to_dict") and hasattr(compositions, "index"):  # a DataFrame
        rows = {str(k): {str(e): float(v) for e, v in row.items()} for k, row in compositions.to_dict("index").items()}
    elif isinstance(compositions, Mapping):
        rows = {str(k): {str(e): float(v) for e, v in dict(row).items()} for k, row in compositions.items()}
    else:
        raise ValueError("compositions is a CSV path, a mapping {file: {element: amount}} or a DataFrame indexed by file")
    if not rows:
        raise ValueError("compositions is empty")
    elements: List[str] = []
    for row in rows.values():
        for e in row:
            if e not in elements:
                elements.append(e)
    bad = [e for e in elements if not _SAFE_NAME.match(e)]
    if bad:
        raise ValueError("element names must be plain symbols (letters, digits, _ . + -): %r" % bad)
    path = os.path.join(tmp, "compositions.csv")
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("file," + ",".join(elements) + "\n")
        for name, row in rows.items():
            if "," in name or "\n" in name:
                raise ValueError("scan file name %r contains a comma or newline" % name)
            f.write(name + "," + ",".join(_fmt(row.get(e, 0.0)) for e in elements) + "\n")
    return path


def _neighbors_file(tmp: str, neighbors: Mapping[int, Sequence[int]], sample_count: int) -> str:
    """``neighbors.txt`` (one line per sample: the sample, then its neighbours) from a mapping."""
    lines = []
    for key, values in neighbors.items():
        for v in [key] + list(values):
            if not isinstance(v, (int, np.integer)) or not 0 <= int(v) < sample_count:
                raise ValueError("neighbors: %r is not a sample index 0…%d" % (v, sample_count - 1))
    for i in range(sample_count):
        lines.append(",".join(str(int(v)) for v in [i] + list(neighbors.get(i, []))))
    path = os.path.join(tmp, "neighbors.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return path


def _pandas():
    try:
        import pandas  # noqa: F401
    except ImportError as e:  # pragma: no cover - pandas is a dependency
        raise ImportError("this needs pandas (pip install pandas); the NumPy attributes work without it") from e
    return pandas


def _wavelength(wavelength: Union[float, str, None]) -> Tuple[Optional[float], Optional[str]]:
    """(Å as a number, None) or (None, a name for --wavelength) or (None, None)."""
    if wavelength is None:
        return None, None
    if isinstance(wavelength, numbers.Real):
        value = float(wavelength)
    else:
        text = str(wavelength).strip()
        try:
            value = float(text)
        except ValueError:
            if not text:
                raise ValueError("wavelength is empty")
            return None, text
    if not (math.isfinite(value) and value > 0):
        raise ValueError("wavelength must be a positive number of Å, got %r" % (wavelength,))
    if value > 100:
        raise ValueError("wavelength %r looks like it is not in Å (X-ray wavelengths are ~0.5–2.3 Å)" % (wavelength,))
    return value, None


def _read_instance_text(path: str) -> Dict[str, Any]:
    """The key=value instance text: ``Elements``, ``Composition`` (row keys), ``Q``, ``I1…IN``."""
    values: Dict[str, str] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            cut = line.find("//")
            if cut >= 0:
                line = line[:cut]
            line = line.strip()
            if not line or "=" not in line:
                continue
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()

    def numbers_of(key: str) -> np.ndarray:
        text = values[key].strip().strip("[]")
        return np.array([float(v) for v in re.split(r"[,\s]+", text) if v], dtype=float)

    q = numbers_of("Q")
    n = int(values["N"]) if "N" in values else sum(1 for k in values if re.fullmatch(r"I\d+", k))
    patterns = np.vstack([numbers_of("I%d" % (i + 1)) for i in range(n)]) if n else np.zeros((0, q.size))
    elements = [e.strip() for e in values.get("Elements", "").split(",") if e.strip()] or None
    rows = [r.strip() for r in values.get("Composition", "").split(",") if r.strip()]
    if not rows and elements:
        rows = ["C" + e for e in elements]
    compositions = np.column_stack([numbers_of(r) for r in rows]) if rows else np.zeros((n, 0))
    return {"q": q, "patterns": patterns, "compositions": compositions, "elements": elements}


def _stick_phase_names(path: str) -> List[str]:
    """Candidate names in phase order from a sticks.csv (``name`` column) or IAFD sticks.txt."""
    names: Dict[int, str] = {}
    if path.lower().endswith(".csv"):
        with open(path, encoding="utf-8", newline="") as f:
            reader = csv.reader(line for line in f if line.strip())
            header = [h.strip().lower() for h in next(reader, [])]
            if "phase" not in header or "name" not in header:
                raise ValueError("%s: expected a header with columns phase,name,q,intensity" % path)
            cp, cn = header.index("phase"), header.index("name")
            for row in reader:
                if len(row) > max(cp, cn):
                    names.setdefault(int(float(row[cp])), row[cn].strip())
    else:
        with open(path, encoding="utf-8") as f:
            for line in f:
                m = re.match(r"\s*Q(\d+)\s*=", line)
                if m:
                    names[int(m.group(1))] = "phase" + m.group(1)
    return [names[k] for k in sorted(names)]


def _write_sticks(path: str, sticks: Any) -> List[str]:
    """Writes ``phase,name,q,intensity`` rows (list of tuples or DataFrame); returns the names by phase."""
    if hasattr(sticks, "columns") and hasattr(sticks, "itertuples"):  # a DataFrame
        cols = {str(c).lower(): c for c in sticks.columns}
        missing = [c for c in ("phase", "name", "q", "intensity") if c not in cols]
        if missing:
            raise ValueError("the sticks DataFrame lacks column(s) %s" % ", ".join(missing))
        rows = list(zip(*(sticks[cols[c]].tolist() for c in ("phase", "name", "q", "intensity"))))
    else:
        rows = [tuple(r) for r in sticks]
    if not rows:
        raise ValueError("sticks is empty")
    names: Dict[int, str] = {}
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["phase", "name", "q", "intensity"])
        for k, row in enumerate(rows):
            if len(row) != 4:
                raise ValueError("sticks row %d: expected (phase, name, q, intensity), got %r" % (k, row))
            phase, name, qv, iv = row
            if isinstance(phase, (float, np.floating)) and float(phase).is_integer():
                phase = int(phase)
            if not isinstance(phase, (numbers.Integral, np.integer)) or phase < 0:
                raise ValueError("sticks row %d: phase must be a zero-based integer index, got %r" % (k, phase))
            name = str(name)
            if names.setdefault(int(phase), name) != name:
                raise ValueError(
                    "sticks row %d: phase %d is named %r here but %r before" % (k, phase, name, names[int(phase)])
                )
            w.writerow([int(phase), name, _fmt(qv), _fmt(iv)])
    missing_phases = sorted(set(range(max(names) + 1)) - set(names))
    if missing_phases:
        raise ValueError("sticks: phase indices must cover 0…%d; no sticks for %s" % (max(names), missing_phases[:10]))
    return [names[k] for k in range(len(names))]


def _write_phase_compositions(path: str, value: Any, phase_names: List[str], elements: List[str]) -> None:
    """Writes ``phase,name,<element>…`` for every candidate."""
    p, m = len(phase_names), len(elements)
    rows: Dict[int, List[float]] = {}

    def as_row(key: Any, entry: Any) -> List[float]:
        if isinstance(entry, Mapping) or hasattr(entry, "to_dict"):
            d = dict(entry.to_dict() if hasattr(entry, "to_dict") else entry)
            unknown = [e for e in d if str(e) not in elements]
            if unknown:
                raise ValueError("phase_compositions[%r]: unknown element(s) %s" % (key, unknown))
            return [float(d.get(e, 0.0)) for e in elements]
        vals = [float(v) for v in np.asarray(entry, dtype=float).ravel()]
        if len(vals) != m:
            raise ValueError("phase_compositions[%r]: %d fractions for %d elements" % (key, len(vals), m))
        return vals

    def index_of(key: Any) -> int:
        if isinstance(key, (numbers.Integral, np.integer)) and not isinstance(key, bool):
            if not 0 <= int(key) < p:
                raise ValueError("phase_compositions: phase index %r out of range 0…%d" % (key, p - 1))
            return int(key)
        if str(key) in phase_names:
            return phase_names.index(str(key))
        raise ValueError("phase_compositions: %r is not a candidate phase (%s)" % (key, ", ".join(phase_names)))

    if hasattr(value, "iterrows"):  # DataFrame indexed by phase name (or index)
        for key, row in value.iterrows():
            rows[index_of(key)] = as_row(key, row)
    elif isinstance(value, Mapping):
        for key, entry in value.items():
            rows[index_of(key)] = as_row(key, entry)
    else:
        arr = np.asarray(value, dtype=float)
        if arr.shape != (p, m):
            raise ValueError("phase_compositions array must be P×M = %d×%d, got %s" % (p, m, arr.shape))
        rows = {k: arr[k].tolist() for k in range(p)}
    missing = [phase_names[k] for k in range(p) if k not in rows]
    if missing:
        raise ValueError("phase_compositions: no row for %s" % ", ".join(missing))
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["phase", "name"] + elements)
        for k in range(p):
            w.writerow([k, phase_names[k]] + [_fmt(v) for v in rows[k]])
