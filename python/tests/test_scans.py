"""Library.from_scans: scan files (text written here; the real .xrdml scans of ../shared) through
drnet import, with compositions, candidates from CIFs and an explicit composition graph."""

from __future__ import annotations

import glob
import os

import numpy as np
import pytest

import drnet

from conftest import REPO, SHORT_CONFIG

CU_KA1 = 1.54056  # Å
DARA = REPO.parent / "shared" / "datasets" / "dara-scans"


def write_xy(path, two_theta, counts, wavelength_m=None):
    """A pyFAI-style two-column scan: `# Unit: 2th_deg`, optionally `# Wavelength: … m`."""
    lines = ["# Unit: 2th_deg"] + (["# Wavelength: %.6e m" % wavelength_m] if wavelength_m else [])
    lines += ["%.6f %.3f" % (t, c) for t, c in zip(two_theta, counts)]
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture()
def scan_folder(tmp_path, synth):
    """The synthetic library's first six patterns as 2θ text scans (Cu Kα1 in the header)."""
    folder = tmp_path / "scans"
    folder.mkdir()
    q = synth.q
    tth = np.degrees(2 * np.arcsin(q * (CU_KA1 / 10) / (4 * np.pi)))
    for i in range(6):
        write_xy(folder / ("s%d.xy" % i), tth, 1000 * synth.patterns[i], wavelength_m=CU_KA1 * 1e-10)
    return folder


def test_scans_with_compositions_cifs_and_no_graph(tmp_path, synth, scan_folder):
    cifs = sorted(glob.glob(str(REPO / "data" / "structures" / "mg-al-ti-o" / "*.cif")))
    # compositions as a mapping, in an order other than the files' (samples follow it)
    order = [5, 0, 3, 1, 4, 2]
    comps = {"s%d" % i: dict(zip(synth.elements, synth.compositions[i])) for i in order}
    lib = drnet.Library.from_scans(
        tmp_path / "lib", scan_folder, compositions=comps, cif_paths=cifs,
        sticks_q_range=(15, 65), neighbors={})
    assert sorted(os.listdir(lib.path)) == [
        "import.json", "instance.txt", "neighbors.txt", "phase-compositions.csv", "samples.csv", "sticks.csv"]
    assert [os.path.basename(s) for s in lib.samples["source"]] == ["s%d.xy" % i for i in order]
    np.testing.assert_allclose(lib.compositions, synth.compositions[order], atol=1e-6)
    # Q = 4π sin θ / λ(Kα1) of the files' own positions (the grid is not resampled)
    assert "not resampled" in lib.import_report["grid"]["origin"]
    np.testing.assert_allclose(lib.q, synth.q, rtol=2e-6)
    assert lib.import_report["samples"][0]["wavelength"]["alpha1"] == pytest.approx(CU_KA1)
    # every sample alone in the graph: one line each, no neighbours
    assert open(os.path.join(lib.path, "neighbors.txt")).read().split() == [str(i) for i in range(6)]
    sol = drnet.solve(lib, tmp_path / "sol", config=SHORT_CONFIG, device="cpu")
    # the same folder again: refused (status 2) unless overwrite=True
    with pytest.raises(drnet.DrnetError) as err:
        drnet.solve(lib, tmp_path / "sol", config=SHORT_CONFIG, device="cpu", seed=2)
    assert err.value.status == 2 and "already holds a solution" in str(err.value)
    again = drnet.solve(lib, tmp_path / "sol", config=SHORT_CONFIG, device="cpu", seed=2, overwrite=True)
    assert again.json["seed"] == 2
    assert sol.json["edges"] == [] and sol.json["graphSource"].endswith("neighbors.txt")
    np.testing.assert_allclose(sol.fractions.sum(axis=1), 1, atol=1e-5)


def test_background_snip_is_subtracted_and_recorded(tmp_path, scan_folder, synth):
    plain = drnet.Library.from_scans(tmp_path / "plain", scan_folder, sticks=synth.sticks_path)
    lib = drnet.Library.from_scans(tmp_path / "snip", scan_folder, sticks=synth.sticks_path, background="snip:0.5")
    assert lib.import_report["background"]["windowNm"] == 0.5
    assert "background" not in plain.import_report or plain.import_report["background"] is None
    assert (lib.patterns <= plain.patterns + 1e-3).all() and (lib.patterns >= 0).all()


def test_no_compositions_is_a_library_without_elements(tmp_path, scan_folder, synth):
    lib = drnet.Library.from_scans(tmp_path / "lib", sorted(scan_folder.glob("*.xy"))[:2], sticks=synth.sticks_path)
    assert lib.compositions.shape == (2, 0)
    assert lib.sample_count == 2


def test_a_2theta_scan_without_wavelength_is_an_error_and_writes_nothing(tmp_path, synth):
    folder = tmp_path / "scans"
    folder.mkdir()
    write_xy(folder / "a.xy", np.linspace(20, 80, 50), np.ones(50))
    with pytest.raises(drnet.DrnetError) as err:
        drnet.Library.from_scans(tmp_path / "lib", folder, sticks=synth.sticks_path)
    assert err.value.status == 2 and "wavelength" in str(err.value)
    assert not (tmp_path / "lib").exists()
    # the same scan with --wavelength given
    lib = drnet.Library.from_scans(tmp_path / "lib", folder, wavelength="CuKa1", sticks=synth.sticks_path)
    assert lib.import_report["samples"][0]["wavelength"]["origin"] == "--wavelength CuKa1"


def test_argument_errors(tmp_path, synth, scan_folder):
    with pytest.raises(FileNotFoundError, match="no such scan"):
        drnet.Library.from_scans(tmp_path / "lib", tmp_path / "missing.xy", sticks=synth.sticks_path)
    with pytest.raises(ValueError, match="not both"):
        drnet.Library.from_scans(tmp_path / "lib", scan_folder, sticks=synth.sticks_path, cif_paths=["a.cif"])
    with pytest.raises(ValueError, match="sample index"):
        drnet.Library.from_scans(tmp_path / "lib", scan_folder, sticks=synth.sticks_path, neighbors={0: [99]})
    assert not (tmp_path / "lib").exists()


@pytest.mark.skipif(not DARA.is_dir(), reason="../shared/datasets/dara-scans is absent")
def test_real_xrdml_scans(tmp_path):
    cifs = sorted(glob.glob(str(REPO / "data" / "structures" / "dara-precursors" / "*.cif")))
    lib = drnet.Library.from_scans(
        tmp_path / "lib", DARA / "TiO2_GeO2_SnO2.12-min.xrdml", cif_paths=cifs, sticks_q_range=(7, 63))
    report = lib.import_report
    wl = report["samples"][0]["wavelength"]
    assert (wl["alpha1"], wl["alpha2"], wl["ratio"]) == (1.540598, 1.544426, 0.5)
    assert "usedWavelength" in wl["origin"]
    # one scan keeps its own positions: 2θ_i = start + i·(end − start)/(N − 1), Q = 4π sin θ / λ(Kα1)
    tth = np.linspace(9.99043322, 100.09495370, 8293)
    expected = 4 * np.pi * np.sin(np.radians(tth / 2)) / (wl["alpha1"] / 10)
    np.testing.assert_allclose(lib.q, expected, rtol=1e-6)
    assert lib.patterns.shape == (1, 8293)
    assert "SnO2-cassiterite" in lib.phase_names
    assert lib.sticks["q"].between(7, 63).all()
