"""Fixtures: the drnet executable (through DRNET_BIN), a tiny synthetic library, one short solve."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent  # the drnet repository (python/ is inside it)
sys.path.insert(0, str(HERE.parent / "src"))  # the package without installing it

import drnet  # noqa: E402

#: A very short solve: seconds, not minutes.
SHORT_CONFIG = {
    "hiddenLayers": [16],
    "maxSteps": 60,
    "pretrainSteps": 20,
    "rampUnit": 2,
    "polishSteps": 10,
    "fineTuneSteps": 10,
    "walkPoolSize": 20,
    # The fitted background explicitly (the data rule would keep it here too: the synthetic
    # library's baseline share is a few per cent), since a test reads its curves.
    "backgroundCoefficients": 8,
}

#: Where the tests look for drnet when DRNET_BIN is not set.
CANDIDATES = [REPO / ".build" / "release" / "drnet", REPO / ".build" / "debug" / "drnet"]


def _usable(path: Path) -> bool:
    """An executable that has every command the wrapper runs (a stale build may lack `import`)."""
    if not (path.is_file() and os.access(str(path), os.X_OK)):
        return False
    try:
        done = subprocess.run([str(path), "import", "--help"], capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    # an older drnet answers `import --help` with the top-level help (and status 0)
    return done.returncode == 0 and b"--compositions" in done.stdout


def _find_bin():
    given = os.environ.get("DRNET_BIN")
    if given:
        return (Path(given), None) if _usable(Path(given)) else (None, "DRNET_BIN=%s is not a usable drnet" % given)
    seen = []
    for c in CANDIDATES:
        if c in seen:
            continue
        seen.append(c)
        if _usable(c):
            return c, None
    return None, "no usable drnet executable (set DRNET_BIN, or build one: tried %s)" % ", ".join(map(str, seen))


_BIN, _WHY = _find_bin()


@pytest.fixture(scope="session", autouse=True)
def drnet_bin():
    """The executable's path, exported as DRNET_BIN for the whole session (skips without one)."""
    if _BIN is None:
        pytest.skip(_WHY)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DRNET_BIN", str(_BIN))
        yield str(_BIN)


@pytest.fixture(scope="session")
def synth(tmp_path_factory, drnet_bin):
    """`drnet synth --seed 3 --divisions 4`: 15 samples, Q 15…65 nm⁻¹ (501 points), 7 candidates."""
    out = tmp_path_factory.mktemp("synth") / "lib"
    subprocess.run([drnet_bin, "synth", "--seed", "3", "--divisions", "4", "--out", str(out)], check=True, capture_output=True)
    return drnet.Library.read(out)


@pytest.fixture(scope="session")
def stick_rows(synth):
    """The synthetic library's candidates as (phase, name, q, intensity) rows."""
    with open(os.path.join(synth.path, "sticks.csv"), newline="") as f:
        return [(int(r["phase"]), r["name"], float(r["q"]), float(r["intensity"])) for r in csv.DictReader(f)]


@pytest.fixture(scope="session")
def q_library(tmp_path_factory, synth, stick_rows):
    """A library built by Library.from_arrays from the synthetic patterns on their Q axis."""
    out = tmp_path_factory.mktemp("fromarrays") / "lib-q"
    return drnet.Library.from_arrays(
        out,
        synth.patterns,
        q=synth.q,
        compositions=synth.compositions,
        elements=synth.elements,
        sticks=stick_rows,
        phase_compositions=os.path.join(synth.path, "phase-compositions.csv"),
    )


@pytest.fixture(scope="session")
def solution(tmp_path_factory, q_library):
    """One short solve of q_library (CPU)."""
    out = tmp_path_factory.mktemp("solve") / "sol"
    return drnet.solve(q_library, out, config=SHORT_CONFIG, device="cpu")
