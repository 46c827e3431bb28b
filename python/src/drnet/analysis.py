"""Checking a solution against the phase rules (``drnet check``) and scoring it (``drnet eval``)."""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Optional, Sequence, Union

from ._run import DrnetError, PathLike, run


def _json(done, command_name: str) -> Dict[str, Any]:
    try:
        return json.loads(done.stdout)
    except ValueError as e:
        raise DrnetError(
            done.returncode, done.args, "drnet %s --json printed no JSON: %s" % (command_name, e), done.stderr, done.stdout
        ) from e


def check(
    solution_dir: PathLike,
    library: Optional[PathLike] = None,
    *,
    threshold: Optional[float] = None,
    rules: Union[str, Sequence[str], None] = None,
    degrees_of_freedom: Optional[PathLike] = None,
    shift_unit: Optional[float] = None,
    shift_tolerance: Optional[float] = None,
    executable: Optional[PathLike] = None,
) -> Dict[str, Any]:
    """Checks a solution against the physics with ``drnet check --json``.

    Args:
        solution_dir: a solution folder (or :class:`~drnet.Solution`), or a solution file in the
            community key=value format (``solution.txt``, IAFD's).
        library: the library folder (default: the one named in ``solution.json``).
        threshold: presence threshold on normalised fractions (drnet's default 0.01).
        rules: the rules that decide ``report["violated"]`` (``"gibbs"``, ``"alloying"``,
            ``"connectivity"``, ``"element"``; default all four).
        degrees_of_freedom: per-sample degrees of freedom (``.npy`` or one integer per line).
        shift_unit: shift difference between neighbours above which a shared phase is alloying
            (default 0.001; shifts are multiplicative, so this is relative).
        shift_tolerance: shift difference above which a shared phase's shift is a jump
            (an alloying-rule violation; default 0.01).

    Returns:
        drnet's report: ``violated`` (bool; drnet's exit status 1 — a violated rule is a result
        here, not an exception), ``brokenRules``, ``gibbs``, ``alloying``, ``connectivity``,
        ``element``, ``reconstruction`` (per-sample L1 errors), ``phases``, ``options``, ….

    Raises:
        DrnetError: bad input (status 2), e.g. a missing solution folder or library.
    """
    args = ["check", os.path.abspath(os.fspath(solution_dir)), "--json"]
    if library is not None:
        args += ["--library", os.path.abspath(os.fspath(library))]
    if threshold is not None:
        args += ["--threshold", repr(float(threshold))]
    if rules is not None:
        args += ["--rules", rules if isinstance(rules, str) else ",".join(rules)]
    if degrees_of_freedom is not None:
        args += ["--degrees-of-freedom", os.path.abspath(os.fspath(degrees_of_freedom))]
    if shift_unit is not None:
        args += ["--shift-unit", repr(float(shift_unit))]
    if shift_tolerance is not None:
        args += ["--shift-tolerance", repr(float(shift_tolerance))]
    return _json(run(args, executable=executable, ok=(0, 1)), "check")


def evaluate(
    solution_dir: PathLike,
    truth_csv: PathLike,
    threshold: float = 0.01,
    *,
    executable: Optional[PathLike] = None,
) -> Dict[str, Any]:
    """Scores a solution's phase fractions against a truth table with ``drnet eval --json``.

    Args:
        solution_dir: a solution folder (its ``fractions.csv``), a fractions CSV, or a community
            key=value solution file.
        truth_csv: the truth fractions, CSV ``sample,<phase name>…`` (phases matched by exact
            name; a phase missing from one side counts as 0 there).
        threshold: a phase is present where its fraction is ≥ this.

    Returns:
        drnet's result: ``precision``, ``recall``, ``f1``, ``exactMatchShare``,
        ``meanFractionError`` (½·L1), ``fractionBinAccuracy``, ``mismatches``, ….
    """
    args = [
        "eval",
        os.path.abspath(os.fspath(solution_dir)),
        "--truth",
        os.path.abspath(os.fspath(truth_csv)),
        "--threshold",
        repr(float(threshold)),
        "--json",
    ]
    return _json(run(args, executable=executable), "eval")
