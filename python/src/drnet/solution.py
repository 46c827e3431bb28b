"""Solving a library (``drnet solve``) and reading a solution folder."""

from __future__ import annotations

import json
import os
from typing import Any, Dict, List, Mapping, Optional, Union

import numpy as np

from ._run import PathLike, run
from .library import _pandas

_FINISHED = ("step cap", "converged")


def _floats(values: Any) -> np.ndarray:
    """A JSON number list as floats (drnet writes non-finite numbers as "nan", "inf", "-inf")."""
    return np.array([float(v) for v in values], dtype=float)


class Solution:
    """A solution folder written by ``drnet solve`` (``fractions.csv``, ``shifts.csv``,
    ``solution.json``, ``solution.txt``, ``plots/``).

    Attributes:
        path: the folder (absolute).
        fractions: pandas DataFrame, index ``sample`` (0…N-1), one column per phase the
            solution uses (names exactly as in the stick file); each row sums to 1. A phase
            fraction is that phase's share of the max-normalised pattern's peak height.
        shifts: DataFrame of the same layout: the multiplicative peak shift s (peaks at s·q⁰,
            q in nm⁻¹; 1 = unshifted), 0 where the phase is absent.
        fractions_array, shifts_array: the same as N×K NumPy arrays.
        json: the raw ``solution.json`` dict (empty when the folder has none).
        summary: the run summary ``drnet solve --json`` printed (None for :meth:`read`).
    """

    def __init__(self, path: str, fractions: Any, shifts: Any, data: Dict[str, Any], summary: Optional[Dict[str, Any]] = None):
        self.path = path
        self.fractions = fractions
        self.shifts = shifts
        self.json = data
        self.summary = summary

    # ------------------------------------------------------------------ reading

    @classmethod
    def read(cls, folder: PathLike) -> "Solution":
        """Reads the solution folder ``folder`` (or the folder of a ``solution.json`` path)."""
        pd = _pandas()
        path = os.path.abspath(os.fspath(folder))
        if os.path.isfile(path) and os.path.basename(path) in ("solution.json", "fractions.csv"):
            path = os.path.dirname(path)
        if not os.path.isdir(path):
            raise FileNotFoundError("%s: no such solution folder" % path)
        fractions_csv = os.path.join(path, "fractions.csv")
        if not os.path.isfile(fractions_csv):
            raise FileNotFoundError("%s: not a solution folder written by drnet solve (no fractions.csv)" % path)
        fractions = pd.read_csv(fractions_csv, index_col=0)
        shifts_csv = os.path.join(path, "shifts.csv")
        shifts = pd.read_csv(shifts_csv, index_col=0) if os.path.isfile(shifts_csv) else None
        for table in (fractions, shifts):
            if table is not None:
                table.index.name = "sample"
                table.columns = [str(c) for c in table.columns]
        data: Dict[str, Any] = {}
        json_path = os.path.join(path, "solution.json")
        if os.path.isfile(json_path):
            with open(json_path, encoding="utf-8") as f:
                data = json.load(f)
        return cls(path, fractions, shifts, data)

    def __repr__(self) -> str:
        n, k = self.fractions.shape
        return "Solution(%r: %d samples, %d phases used, stopped by %s)" % (self.path, n, k, self.stopped_by)

    def __fspath__(self) -> str:
        return self.path

    # ------------------------------------------------------------------ views

    @property
    def fractions_array(self) -> np.ndarray:
        """Phase fractions of the used phases, N×K (columns as :attr:`phases_used`)."""
        return self.fractions.to_numpy(dtype=float)

    @property
    def shifts_array(self) -> np.ndarray:
        """Multiplicative peak shifts of the used phases, N×K (0 where absent)."""
        return None if self.shifts is None else self.shifts.to_numpy(dtype=float)

    @property
    def phases_used(self) -> List[str]:
        """Names of the candidates the solution uses, in candidate order."""
        if "usedPhases" in self.json and "phaseNames" in self.json:
            return [self.json["phaseNames"][k] for k in self.json["usedPhases"]]
        return list(self.fractions.columns)

    @property
    def phases_used_indices(self) -> Optional[List[int]]:
        """Zero-based candidate indices of :attr:`phases_used`."""
        return self.json.get("usedPhases")

    @property
    def phase_names(self) -> Optional[List[str]]:
        """All candidates' names (P), in candidate order."""
        return self.json.get("phaseNames")

    @property
    def elements(self) -> Optional[List[str]]:
        return self.json.get("elements")

    @property
    def sample_count(self) -> int:
        return int(self.fractions.shape[0])

    def _matrix(self, key: str) -> Optional[np.ndarray]:
        if key not in self.json:
            return None
        n, p = self.json["sampleCount"], self.json["phaseCount"]
        return _floats(self.json[key]).reshape(n, p)

    @property
    def all_fractions(self) -> Optional[np.ndarray]:
        """Fractions over all P candidates, N×P (from solution.json)."""
        return self._matrix("fractions")

    @property
    def all_shifts(self) -> Optional[np.ndarray]:
        """Shifts over all P candidates, N×P (meaningful where the fraction is > 0)."""
        return self._matrix("shifts")

    @property
    def log_variances(self) -> Optional[np.ndarray]:
        """Peak log-variances v, N×P (peak σ² = e^v, in nm⁻²)."""
        return self._matrix("logVariances")

    @property
    def background_coefficients(self) -> Optional[np.ndarray]:
        """The fitted backgrounds' cubic B-spline coefficients β, N×C (None when the run fitted
        no background). See :meth:`background_curves` for the curves."""
        fit = self.json.get("background")
        if not fit:
            return None
        return _floats(fit["coefficients"]).reshape(self.json["sampleCount"], fit["count"])

    @property
    def background_share(self) -> Optional[np.ndarray]:
        """Per sample, the fitted background's share of the reconstruction's area (N values)."""
        fit = self.json.get("background")
        return None if not fit else _floats(fit["share"])

    def background_curves(self, q: Any) -> Optional[np.ndarray]:
        """The fitted backgrounds on the grid ``q`` (nm⁻¹; the library's grid), N×T, in units of
        each max-normalised pattern (multiply by a pattern's maximum for its counts):
        b_i(q) = Σ_c β_ic·N₃((q − qMin)/h − c + 1), N₃ the centred uniform cubic B-spline."""
        fit = self.json.get("background")
        if not fit:
            return None
        q = np.asarray(q, dtype=float)
        u = (q - float(fit["qMin"])) / float(fit["knotSpacing"])
        count = int(fit["count"])
        r = np.abs(u[None, :] - (np.arange(count)[:, None] - 1.0))
        basis = np.where(r < 1, (4 - 6 * r**2 + 3 * r**3) / 6, np.where(r < 2, (2 - r) ** 3 / 6, 0.0))
        return self.background_coefficients @ basis

    @property
    def refined_mask(self) -> Optional[np.ndarray]:
        """The refine step's hard mask, N×P booleans (True = phase kept)."""
        m = self._matrix("refinedMask")
        return None if m is None else m > 0

    @property
    def reconstruction_error(self) -> Optional[np.ndarray]:
        """Per-sample reconstruction error (N): mean over the Q grid of
        |I/max I − reconstruction/max I|."""
        return _floats(self.json["reconstructionError"]) if "reconstructionError" in self.json else None

    @property
    def reconstruction_error_share(self) -> Optional[np.ndarray]:
        """Per-sample reconstruction error as a share of the pattern's L1 mass (N)."""
        key = "reconstructionErrorShare"
        return _floats(self.json[key]) if key in self.json else None

    @property
    def degrees_of_freedom(self) -> Optional[np.ndarray]:
        d = self.json.get("degreesOfFreedom")
        return None if d is None else np.array(d, dtype=int)

    @property
    def settings(self) -> Optional[Dict[str, Any]]:
        """The solver settings the run used (every key of a ``--config`` file)."""
        return self.json.get("settings")

    @property
    def stopped_by(self) -> Optional[str]:
        """Why training stopped: ``"step cap"``, ``"converged"``, ``"interrupted"`` or ``"device error"``."""
        return self.json.get("stoppedBy")

    @property
    def finished(self) -> bool:
        """True when the run finished (not interrupted; see :func:`resume`)."""
        return self.stopped_by in _FINISHED

    @property
    def seed(self) -> Optional[int]:
        return self.json.get("seed")

    @property
    def device(self) -> Optional[str]:
        return self.json.get("device")

    @property
    def library_path(self) -> Optional[str]:
        """The library folder ``drnet solve`` read (an absolute path)."""
        return self.json.get("libraryPath")

    @property
    def wall_seconds(self) -> Optional[float]:
        return self.json.get("wallSeconds")

    @property
    def loss_history(self):
        """The loss curve as a DataFrame (step, stage, total, reconstruction, gibbs, …)."""
        return _pandas().DataFrame(self.json.get("lossHistory", []))

    # ------------------------------------------------------------------ analysis

    def check(self, library: Optional[PathLike] = None, **options: Any) -> Dict[str, Any]:
        """:func:`drnet.check` on this solution."""
        from .analysis import check

        return check(self.path, library, **options)

    def evaluate(self, truth_csv: PathLike, threshold: float = 0.01, **options: Any) -> Dict[str, Any]:
        """:func:`drnet.evaluate` of this solution against ``truth_csv``."""
        from .analysis import evaluate

        return evaluate(self.path, truth_csv, threshold, **options)


# ---------------------------------------------------------------------- solving


def _save_npy(path: str, values: Any, dtype: str) -> str:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.save(path, np.ascontiguousarray(np.asarray(values), dtype=np.dtype(dtype)))
    return path


def _summary(stdout: str) -> Optional[Dict[str, Any]]:
    start = stdout.find("{")
    if start < 0:
        return None
    try:
        return json.loads(stdout[start:])
    except ValueError:
        return None


def solve(
    library_dir: PathLike,
    out_dir: PathLike,
    *,
    config: Union[Mapping[str, Any], PathLike, None] = None,
    seed: int = 1,
    device: str = "auto",
    sample_mask: Any = None,
    degrees_of_freedom: Any = None,
    max_steps: Optional[int] = None,
    quiet: bool = True,
    plots: bool = False,
    checkpoint_every: Optional[float] = None,
    kernels: Optional[PathLike] = None,
    overwrite: bool = False,
    executable: Optional[PathLike] = None,
) -> Solution:
    """Solves a library with ``drnet solve`` and reads the solution.

    Args:
        library_dir: the library folder (a path or a :class:`~drnet.Library`).
        out_dir: the solution folder to write (``fractions.csv``, ``shifts.csv``,
            ``solution.json``, ``solution.txt``; ``plots/`` when ``plots``).
        config: solver settings: a dict (written to ``<out_dir>/inputs/config.json``; keys as in
            the repository's ``configs/*.json``, e.g. ``{"maxSteps": 5000, "hiddenLayers": [64]}``,
            every key optional) or the path of such a JSON file.
        seed: the random seed (every random choice flows from it; a run is repeatable).
        device: ``"auto"`` (an OpenCL GPU if there is one, else the CPU), ``"cpu"``,
            ``"opencl"`` or ``"opencl:P.D"``.
        sample_mask: the per-sample allowed-phase mask, N×P (1/True = allowed): an array
            (saved to ``<out_dir>/inputs/sample-mask.npy``, kept for ``resume``) or a path to a
            ``.npy`` / CSV file.
        degrees_of_freedom: per-sample degrees of freedom (N integers; default: the number of
            cations present): an array or a path.
        max_steps: override the config's training-step cap.
        quiet: no progress lines; with ``quiet=False`` drnet's progress goes to ``sys.stderr``.
        plots: draw the pictures into ``<out_dir>/plots/``.
        checkpoint_every: minutes between checkpoints (drnet's default 5; 0 = only on a signal).
        kernels: folder of the OpenCL kernels (default: drnet's own lookup).
        overwrite: replace the solution (and checkpoint) of another run that ``out_dir``
            already holds (``--overwrite``); without it such an ``out_dir`` is status 2. The
            previous solution stays intact until the new one replaces it as a whole.
        executable: the drnet executable (default: ``DRNET_BIN``, else ``drnet`` on PATH).

    Returns:
        The :class:`Solution` (with :attr:`Solution.summary` from ``drnet solve --json``).

    Raises:
        DrnetError: status 2 bad input (library, config, mask), 3 device failure, 4 no usable
            result, 130 interrupted by SIGTERM (the partial solution and its checkpoint are in
            ``out_dir``: :meth:`Solution.read` reads it, :func:`resume` continues it).
        KeyboardInterrupt: on Ctrl-C, after drnet has written its checkpoint and partial solution.
    """
    out = os.path.abspath(os.fspath(out_dir))
    inputs = os.path.join(out, "inputs")
    args: List[str] = ["solve", os.path.abspath(os.fspath(library_dir)), "--out", out, "--seed", str(int(seed))]
    args += ["--device", str(device), "--json"]
    if config is not None:
        if isinstance(config, Mapping):
            os.makedirs(inputs, exist_ok=True)
            config_path = os.path.join(inputs, "config.json")
            with open(config_path, "w", encoding="utf-8") as f:
                json.dump(dict(config), f, indent=2, sort_keys=True)
                f.write("\n")
        else:
            config_path = os.path.abspath(os.fspath(config))
        args += ["--config", config_path]
    if sample_mask is not None:
        if isinstance(sample_mask, (str, os.PathLike)):
            mask_path = os.path.abspath(os.fspath(sample_mask))
        else:
            mask = np.asarray(sample_mask)
            if mask.ndim != 2:
                raise ValueError("sample_mask must be N×P, got shape %s" % (mask.shape,))
            mask_path = _save_npy(os.path.join(inputs, "sample-mask.npy"), mask.astype(float), "<f8")
        args += ["--sample-mask", mask_path]
    if degrees_of_freedom is not None:
        if isinstance(degrees_of_freedom, (str, os.PathLike)):
            dof_path = os.path.abspath(os.fspath(degrees_of_freedom))
        else:
            dof = np.asarray(degrees_of_freedom)
            if dof.ndim != 1:
                raise ValueError("degrees_of_freedom must hold N integers, got shape %s" % (dof.shape,))
            dof_path = _save_npy(os.path.join(inputs, "degrees-of-freedom.npy"), dof, "<i8")
        args += ["--degrees-of-freedom", dof_path]
    if max_steps is not None:
        args += ["--max-steps", str(int(max_steps))]
    if checkpoint_every is not None:
        args += ["--checkpoint-every", repr(float(checkpoint_every))]
    if kernels is not None:
        args += ["--kernels", os.path.abspath(os.fspath(kernels))]
    if quiet:
        args.append("--quiet")
    if not plots:
        args.append("--no-plots")
    if overwrite:
        args.append("--overwrite")
    done = run(args, executable=executable, echo_stderr=not quiet)
    solution = Solution.read(out)
    solution.summary = _summary(done.stdout)
    return solution


def resume(
    out_dir: PathLike,
    *,
    device: str = "auto",
    quiet: bool = True,
    plots: bool = False,
    checkpoint_every: Optional[float] = None,
    executable: Optional[PathLike] = None,
) -> Solution:
    """Continues an interrupted run from ``<out_dir>/checkpoint.drnet`` (``drnet solve --resume``):
    the library, settings and seed come from the checkpoint, and the result equals an
    uninterrupted run's. Arguments as for :func:`solve`."""
    out = os.path.abspath(os.fspath(out_dir))
    args = ["solve", "--resume", out, "--device", str(device), "--json"]
    if checkpoint_every is not None:
        args += ["--checkpoint-every", repr(float(checkpoint_every))]
    if quiet:
        args.append("--quiet")
    if not plots:
        args.append("--no-plots")
    done = run(args, executable=executable, echo_stderr=not quiet)
    solution = Solution.read(out)
    solution.summary = _summary(done.stdout)
    return solution
