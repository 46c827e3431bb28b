"""Library.from_arrays through drnet import, with a Q axis and with a 2θ axis + wavelength."""

from __future__ import annotations

import glob
import os

import numpy as np
import pytest

import drnet

from conftest import REPO

CU_KA1 = 1.54056  # Å


def two_theta_of(q_nm, wavelength_a):
    """2θ in degrees for Q in nm⁻¹ (Q = 4π sin θ / λ, λ in nm)."""
    return np.degrees(2 * np.arcsin(q_nm * (wavelength_a / 10) / (4 * np.pi)))


def test_q_axis_round_trip(synth, q_library):
    lib = q_library
    assert sorted(os.listdir(lib.path)) == [
        "import.json", "instance.txt", "phase-compositions.csv", "samples.csv", "sticks.csv"]
    np.testing.assert_allclose(lib.q, synth.q, rtol=1e-6)
    np.testing.assert_allclose(lib.patterns, synth.patterns, rtol=1e-6)
    np.testing.assert_allclose(lib.compositions, synth.compositions, atol=1e-9)
    assert lib.elements == synth.elements
    assert lib.phase_names == synth.phase_names
    report = lib.import_report
    assert report["samples"][0]["axis"] == "q-nm" and report["samples"][0]["axisOrigin"] == "file"
    assert "not resampled" in report["grid"]["origin"]
    assert list(lib.samples.columns) == ["source"] + synth.elements


def test_two_theta_with_wavelength_in_angstrom(tmp_path, synth, stick_rows):
    lib = drnet.Library.from_arrays(
        tmp_path / "lib",
        synth.patterns,
        two_theta=two_theta_of(synth.q, CU_KA1),
        wavelength=CU_KA1,
        compositions=synth.compositions * 10,  # amounts, normalised by drnet
        elements=synth.elements,
        sticks=stick_rows,
    )
    np.testing.assert_allclose(lib.q, synth.q, rtol=1e-6)
    np.testing.assert_allclose(lib.patterns, synth.patterns, rtol=1e-6)
    np.testing.assert_allclose(lib.compositions, synth.compositions, atol=1e-9)
    s = lib.import_report["samples"][4]
    assert s["axis"] == "2theta" and s["wavelength"]["alpha1"] == pytest.approx(CU_KA1)
    assert s["wavelength"]["origin"].startswith("file ")  # the scan's `# Wavelength: … m`


def test_two_theta_with_named_wavelength_and_per_sample_axes(tmp_path, synth, stick_rows):
    tth = two_theta_of(synth.q, CU_KA1)
    axes = np.tile(tth, (synth.sample_count, 1))
    axes[1] += 0.01  # one scan on other positions: everything is resampled onto the overlap
    lib = drnet.Library.from_arrays(
        tmp_path / "lib", synth.patterns, two_theta=axes, wavelength="CuKa",
        compositions=synth.compositions, elements=synth.elements, sticks=stick_rows,
    )
    report = lib.import_report
    assert report["samples"][0]["wavelength"]["origin"] == "--wavelength CuKa"
    assert report["samples"][0]["wavelength"]["alpha1"] == pytest.approx(CU_KA1)  # Q from Kα1
    assert "overlap" in report["grid"]["origin"]
    assert lib.q[0] >= synth.q[0] and lib.q[-1] <= synth.q[-1]
    assert lib.patterns.shape == (synth.sample_count, lib.q.size)


def test_cif_paths_and_phase_composition_mapping(tmp_path, synth):
    cifs = sorted(glob.glob(str(REPO / "data" / "structures" / "mg-al-ti-o" / "*.cif")))
    if not cifs:
        pytest.skip("no CIF files in data/structures/mg-al-ti-o")
    lib = drnet.Library.from_arrays(
        tmp_path / "lib", synth.patterns, q=synth.q, wavelength="CuKa",
        compositions=synth.compositions, elements=synth.elements,
        cif_paths=cifs, sticks_q_range=(15, 65),
    )
    names = [os.path.splitext(os.path.basename(c))[0] for c in cifs]
    assert lib.phase_names == names
    assert os.path.isfile(os.path.join(lib.path, "phase-compositions.csv"))
    sticks = lib.sticks
    assert sticks["q"].between(15, 65).all()

    # phase compositions given as a mapping name → {element: fraction}
    own = {name: {"Ti": 1.0} for name in names}
    own[names[0]] = {"Al": 1.0}
    lib2 = drnet.Library.from_arrays(
        tmp_path / "lib2", synth.patterns, q=synth.q, compositions=synth.compositions,
        elements=synth.elements, sticks=lib.sticks_path, phase_compositions=own,
    )
    text = open(os.path.join(lib2.path, "phase-compositions.csv")).read().splitlines()
    assert text[0] == "phase,name,Mg,Al,Ti" and text[1] == "0,%s,0.0,1.0,0.0" % names[0]


def test_argument_errors_are_value_errors(tmp_path, synth):
    common = dict(compositions=synth.compositions, elements=synth.elements)
    with pytest.raises(ValueError, match="wavelength"):
        drnet.Library.from_arrays(tmp_path / "a", synth.patterns, two_theta=synth.q, **common)
    with pytest.raises(ValueError, match="exactly one"):
        drnet.Library.from_arrays(tmp_path / "a", synth.patterns, q=synth.q, two_theta=synth.q, **common)
    with pytest.raises(ValueError, match="T = 501"):
        drnet.Library.from_arrays(tmp_path / "a", synth.patterns, q=synth.q[:-1], **common)
    with pytest.raises(ValueError, match="elements"):
        drnet.Library.from_arrays(tmp_path / "a", synth.patterns, q=synth.q, compositions=synth.compositions, elements=["Mg", "Al"])
    with pytest.raises(ValueError, match="phase 0 is named"):
        drnet.Library.from_arrays(tmp_path / "a", synth.patterns, q=synth.q, sticks=[(0, "A", 20, 1), (0, "B", 30, 1)], **common)
    assert not (tmp_path / "a").exists()


def test_bad_data_is_drnet_error_and_writes_nothing(tmp_path, synth):
    patterns = synth.patterns.copy()
    patterns[3, 10] = -1.0
    out = tmp_path / "lib"
    with pytest.raises(drnet.DrnetError) as info:
        drnet.Library.from_arrays(out, patterns, q=synth.q, compositions=synth.compositions, elements=synth.elements)
    assert info.value.status == 2
    assert "sample00003" in info.value.message and "non-negative intensity" in info.value.message
    assert not out.exists()


def test_non_empty_out_dir_needs_overwrite(tmp_path, synth, stick_rows):
    out = tmp_path / "lib"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    args = dict(q=synth.q, compositions=synth.compositions, elements=synth.elements, sticks=stick_rows)
    with pytest.raises(drnet.DrnetError) as info:
        drnet.Library.from_arrays(out, synth.patterns, **args)
    assert info.value.status == 2 and "--overwrite" in info.value.message
    lib = drnet.Library.from_arrays(out, synth.patterns, overwrite=True, **args)
    assert (out / "notes.txt").read_text() == "mine" and lib.phase_names == synth.phase_names
