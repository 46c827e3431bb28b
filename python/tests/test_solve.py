"""solve → Solution (DataFrames), Solution.read on folders drnet wrote, check and evaluate."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

import drnet

from conftest import SHORT_CONFIG


def test_solve_returns_dataframes_whose_rows_sum_to_1(solution, q_library):
    s = solution
    n = q_library.sample_count
    assert isinstance(s.fractions, pd.DataFrame) and isinstance(s.shifts, pd.DataFrame)
    assert s.fractions.index.name == "sample" and list(s.fractions.index) == list(range(n))
    assert list(s.fractions.columns) == s.phases_used == list(s.shifts.columns)
    assert set(s.phases_used) <= set(q_library.phase_names)
    np.testing.assert_allclose(s.fractions.sum(axis=1), 1.0, atol=1e-4)
    assert ((s.fractions_array >= 0) & (s.fractions_array <= 1)).all()
    assert s.fractions_array.shape == s.shifts_array.shape == (n, len(s.phases_used))
    present = s.fractions_array > 0
    assert (s.shifts_array[~present] == 0).all() and (np.abs(s.shifts_array[present] - 1) < 0.2).all()


def test_solution_json_fields(solution, q_library):
    s = solution
    n, p = q_library.sample_count, len(q_library.phase_names)
    assert s.reconstruction_error.shape == (n,) and np.isfinite(s.reconstruction_error).all()
    assert s.all_fractions.shape == (n, p) and s.refined_mask.shape == (n, p)
    np.testing.assert_allclose(s.all_fractions[:, s.phases_used_indices], s.fractions_array, atol=1e-6)
    assert s.settings["maxSteps"] == SHORT_CONFIG["maxSteps"] and s.settings["hiddenLayers"] == [16]
    assert s.stopped_by in ("step cap", "converged") and s.finished
    assert s.seed == 1 and s.device == "cpu" and s.json["libraryPath"] == q_library.path
    assert s.summary["phasesUsed"] == s.phases_used and s.summary["out"] == s.path
    assert len(s.loss_history) > 0 and "reconstruction" in s.loss_history.columns
    assert os.path.isfile(os.path.join(s.path, "inputs", "config.json"))
    assert not os.path.exists(os.path.join(s.path, "plots"))


def test_read_a_folder_written_by_the_cli(tmp_path, synth, drnet_bin):
    shutil.copytree(synth.path, tmp_path / "lib")
    (tmp_path / "cfg.json").write_text(json.dumps(SHORT_CONFIG))
    command = [drnet_bin, "solve", "lib", "--config", "cfg.json", "--out", "cli-sol", "--max-steps", "40",
               "--quiet", "--no-plots", "--device", "cpu"]
    subprocess.run(command, cwd=str(tmp_path), check=True, capture_output=True)
    s = drnet.Solution.read(tmp_path / "cli-sol")
    assert s.summary is None
    np.testing.assert_allclose(s.fractions.to_numpy().sum(axis=1), 1.0, atol=1e-4)
    assert s.fractions.shape == (synth.sample_count, len(s.phases_used))
    assert s.settings["maxSteps"] == 40 and s.library_path == str(tmp_path / "lib")  # recorded absolute
    assert drnet.Solution.read(tmp_path / "cli-sol" / "solution.json").phases_used == s.phases_used


def test_sample_mask_forbids_a_phase(tmp_path, q_library, solution):
    names = q_library.phase_names
    banned = names.index(solution.phases_used[0])
    mask = np.ones((q_library.sample_count, len(names)), dtype=bool)
    mask[:, banned] = False
    s = drnet.solve(q_library, tmp_path / "masked", config=SHORT_CONFIG, device="cpu", sample_mask=mask, max_steps=30)
    assert names[banned] not in s.phases_used
    assert s.settings["maxSteps"] == 30
    assert os.path.isfile(os.path.join(s.path, "inputs", "sample-mask.npy"))


def test_bad_config_is_status_2(tmp_path, q_library):
    with pytest.raises(drnet.DrnetError) as info:
        drnet.solve(q_library, tmp_path / "x", config={"hiddenLayers": "many"}, device="cpu")
    assert info.value.status == 2 and info.value.message


def test_check_and_evaluate(solution, synth, drnet_bin):
    report = drnet.check(solution)
    assert isinstance(report["violated"], bool)
    assert {"gibbs", "alloying", "connectivity", "element", "reconstruction"} <= set(report)
    cli = subprocess.run([drnet_bin, "check", solution.path], capture_output=True)
    assert cli.returncode == (1 if report["violated"] else 0)  # exit 1 came back as a report
    assert solution.check(rules=["gibbs"])["gatedRules"] == ["gibbs"]

    scores = drnet.evaluate(solution, os.path.join(synth.path, "truth-fractions.csv"))
    assert 0 <= scores["precision"] <= 1 and 0 <= scores["recall"] <= 1
    assert scores["sampleCount"] == synth.sample_count and scores["threshold"] == 0.01
    assert solution.evaluate(os.path.join(synth.path, "truth-fractions.csv"), threshold=0.2)["threshold"] == 0.2


def test_fitted_background_curves_match_solution_txt(solution, q_library):
    """solution.json's spline coefficients, evaluated by Solution.background_curves on the
    library's grid, are the BG<i> curves of solution.txt (there in the scans' units)."""
    s = solution
    n = q_library.sample_count
    beta = s.background_coefficients
    assert beta.shape == (n, s.json["background"]["count"]) and (beta >= 0).all()
    assert s.background_share.shape == (n,) and ((s.background_share >= 0) & (s.background_share <= 1)).all()
    curves = s.background_curves(q_library.q)
    assert curves.shape == (n, len(q_library.q))
    lines = {}
    with open(os.path.join(s.path, "solution.txt"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("BG"):
                key, value = line.split("=", 1)
                lines[int(key[2:])] = np.array([float(v) for v in value.split(",")])
    assert sorted(lines) == list(range(1, n + 1))
    maxima = q_library.patterns.max(axis=1)
    for i in range(n):
        # BG = b/(M + ε)·max I with M the unnormalised mixture's maximum (not in solution.json):
        # the same curve up to that one factor per sample.
        bg = lines[i + 1] / maxima[i]
        ratio = bg[curves[i] > 1e-6] / curves[i][curves[i] > 1e-6]
        np.testing.assert_allclose(ratio, ratio[0], rtol=2e-3)
        assert 0.1 < ratio[0] < 10
