"""Python wrapper of the ``drnet`` command-line tool: crystal-structure phase mapping with
Deep Reasoning Networks.

Pure Python: every step runs the ``drnet`` executable (``DRNET_BIN``, else ``drnet`` on PATH).
Units are drnet's: the scattering vector Q in nm⁻¹ (Q = 4π sin θ / λ; 1 Å⁻¹ = 10 nm⁻¹;
d = 2π/Q), 2θ in degrees, wavelengths in Å.

    >>> import drnet
    >>> lib = drnet.Library.from_arrays("mylib", patterns, two_theta=tth, wavelength="CuKa",
    ...                                 compositions=comp, elements=["Mg", "Al", "Ti"],
    ...                                 cif_paths=cifs)
    >>> sol = drnet.solve(lib, "mysolution")
    >>> sol.fractions            # DataFrame: samples × phases used
    >>> drnet.check(sol)["violated"]
"""

from ._run import EXIT_STATUS, DrnetError, DrnetNotFoundError, find_executable, run
from .analysis import check, evaluate
from .library import Library
from .solution import Solution, resume, solve

__all__ = [
    "EXIT_STATUS",
    "DrnetError",
    "DrnetNotFoundError",
    "Library",
    "Solution",
    "check",
    "evaluate",
    "find_executable",
    "resume",
    "run",
    "solve",
]

__version__ = "0.1.0"
