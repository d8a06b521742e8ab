"""graspqp.generate / read_grasps / write_grasps: the same grasps as `graspqp generate` for the same seed,
round trips, the file's energies recomputed by graspqp.energy, Ctrl-C, progress, bad input."""
import _thread
import os
import threading
import time

import h5py
import numpy as np
import pytest

from conftest import MUG, BANANA, run_cli

ARGS = dict(grasps=4, iters=30, seed=3, contacts=8)
FILE = "mug/allegro-full-graspqp.h5"


@pytest.fixture(scope="module")
def cli_file(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli")
    run_cli("generate", "--hand", "allegro", "--object", MUG, "--out", out, "--grasps", 4, "--iters", 30,
            "--seed", 3, "--contacts", 8, "--freeze-after", 20, "--w-pen", 50)
    return out / FILE


@pytest.fixture(scope="module")
def py_result(graspqp, tmp_path_factory):
    out = tmp_path_factory.mktemp("py")
    return graspqp.generate(hand="allegro", objects=[MUG], out=out, freeze_after=20, w_pen=50.0, **ARGS)


def assert_same(a, b):
    assert a.keys() == b.keys()
    for k in a:
        if k == "attrs":
            assert a[k].keys() == b[k].keys()
            for ak in a[k]:
                if isinstance(a[k][ak], np.ndarray):
                    np.testing.assert_array_equal(a[k][ak], b[k][ak])
                else:
                    assert a[k][ak] == b[k][ak], ak
        elif isinstance(a[k], np.ndarray):
            assert a[k].dtype == b[k].dtype and a[k].shape == b[k].shape, k
            np.testing.assert_array_equal(a[k], b[k], err_msg=k)
        else:
            assert a[k] == b[k], k


def test_generate_gives_the_cli_grasps(graspqp, cli_file, py_result):
    (r,) = py_result
    assert r["status"] == "generated" and r["name"] == "mug" and r["grasps"] == 4
    assert r["file"].endswith(FILE) and os.path.isfile(r["file"])
    assert_same(r["dataset"], graspqp.read_grasps(cli_file))
    assert r["dataset"]["attrs"]["parameters"]["optimizer"]["freeze_after"] == 20
    assert r["dataset"]["attrs"]["parameters"]["weights"]["pen"] == 50.0


def test_read_grasps_matches_h5py(graspqp, cli_file):
    g = graspqp.read_grasps(cli_file)
    with h5py.File(cli_file, "r") as f:
        for name in ["root_pose", "joints", "energy", "energy_terms", "contact_idx", "contact_points",
                     "contact_normals", "contact_forces", "closing_delta", "pregrasp_joints", "squeeze_joints"]:
            np.testing.assert_array_equal(g[name], f[name][()], err_msg=name)
            assert g[name].dtype == f[name].dtype, name
        np.testing.assert_array_equal(g["contact_links"], f["contact_links"].asstr()[()])
        assert g["joint_names"] == list(f["joints"].attrs["joint_names"])
        assert g["energy_term_names"] == list(f["energy_terms"].attrs["names"])
        for a in ["hand", "grasp_type", "energy", "object_path", "object_sha256", "program_version"]:
            assert g["attrs"][a] == f.attrs[a], a
        assert g["attrs"]["seed"] == 3 and g["attrs"]["scale"] == 1.0
    assert g["root_pose"].shape == (4, 7) and g["contact_idx"].shape == (4, 8)


def test_write_grasps_round_trip_and_select(graspqp, cli_file, tmp_path):
    g = graspqp.read_grasps(cli_file)
    g["valid"] = np.array([1.0, 0.0, 1.0, 1.0])
    graspqp.write_grasps(tmp_path / "copy.h5", g)
    assert_same(graspqp.read_grasps(tmp_path / "copy.h5"), g)
    best = graspqp.select(g, np.argsort(g["energy"])[:2])
    assert best["joints"].shape == (2, 16) and best["energy"][0] == g["energy"].min()
    graspqp.write_grasps(tmp_path / "best.h5", best)
    assert graspqp.read_grasps(tmp_path / "best.h5")["contact_links"].shape == (2, 8)
    bad = dict(g, joints=g["joints"][:, :3])
    with pytest.raises(ValueError, match="joints"):
        graspqp.write_grasps(tmp_path / "bad.h5", bad)
    assert not (tmp_path / "bad.h5").exists()
    no_squeeze = {k: v for k, v in g.items() if k != "squeeze_joints"}
    with pytest.raises(ValueError, match="both 'pregrasp_joints' and 'squeeze_joints' or neither"):
        graspqp.write_grasps(tmp_path / "bad.h5", no_squeeze)
    no_poses = {k: v for k, v in no_squeeze.items() if k != "pregrasp_joints"}
    graspqp.write_grasps(tmp_path / "no_poses.h5", no_poses)
    assert "pregrasp_joints" not in graspqp.read_grasps(tmp_path / "no_poses.h5")
    with pytest.raises(ValueError, match="missing 'attrs'"):
        graspqp.write_grasps(tmp_path / "bad.h5", {k: v for k, v in g.items() if k != "attrs"})


def test_the_file_energies_are_graspqp_energy(graspqp, allegro, cli_file):
    g = graspqp.read_grasps(cli_file)
    params = g["attrs"]["parameters"]
    obj = graspqp.Object(g["attrs"]["object_path"], scale=g["attrs"]["scale"],
                         surface_samples=params["surface_samples"], seed=g["attrs"]["seed"])
    e = graspqp.energy(allegro, obj, g["root_pose"], g["joints"], g["contact_idx"], weights=params["weights"])
    np.testing.assert_allclose(e["total"], g["energy"], rtol=1e-6, atol=1e-9)
    for k, name in enumerate(g["energy_term_names"]):
        np.testing.assert_allclose(e[name], g["energy_terms"][:, k], rtol=1e-6, atol=1e-9, err_msg=name)


def test_out_none_returns_the_grasps_only(graspqp, py_result):
    (r,) = graspqp.generate(hand="allegro", objects=MUG, freeze_after=20, w_pen=50.0, **ARGS)
    assert r["file"] is None
    np.testing.assert_array_equal(r["dataset"]["joints"], py_result[0]["dataset"]["joints"])


def test_resume_skips_and_progress_is_called(graspqp, py_result):
    out = os.path.dirname(os.path.dirname(py_result[0]["file"]))
    seen = []
    (r,) = graspqp.generate(hand="allegro", objects=[MUG], out=out, freeze_after=20, w_pen=50.0,
                            progress=seen.append, **ARGS)
    assert r["status"] == "skipped" and seen == []
    with pytest.raises(ValueError, match="exists with different parameters"):
        graspqp.generate(hand="allegro", objects=[MUG], out=out, **ARGS)
    graspqp.generate(hand="allegro", objects=[BANANA], out=out, progress=seen.append, **ARGS)
    assert seen and seen[-1]["iteration"] == 30 and seen[-1]["object"] == "banana"


def test_a_failing_progress_callable_stops_the_job(graspqp, tmp_path):
    def progress(p):
        if p["iteration"] >= 25:
            raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        graspqp.generate(hand="allegro", objects=[MUG], out=tmp_path, progress=progress, grasps=4, iters=10000)
    assert not (tmp_path / FILE).exists()
    assert [p for p in tmp_path.rglob("*") if ".tmp." in p.name] == []


def test_ctrl_c_stops_generate(graspqp, tmp_path):
    """KeyboardInterrupt (SIGINT, simulated with _thread.interrupt_main) stops a long run within seconds and
    leaves no partial file."""
    timer = threading.Timer(1.0, _thread.interrupt_main)
    t0 = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        graspqp.generate(hand="allegro", objects=[MUG, BANANA], out=tmp_path, grasps=8, iters=100000)
    assert time.monotonic() - t0 < 30
    timer.cancel()
    assert list(tmp_path.rglob("*.h5")) == []
    assert [p for p in tmp_path.rglob("*") if ".tmp." in p.name] == []


def test_bad_input_raises(graspqp, tmp_path):
    with pytest.raises(FileNotFoundError, match="no_such.obj: file not found"):
        graspqp.generate(hand="allegro", objects=[tmp_path / "no_such.obj"], out=tmp_path, **ARGS)
    with pytest.raises(ValueError, match="unknown hand 'nope'"):
        graspqp.generate(hand="nope", objects=[MUG], out=tmp_path, **ARGS)
    with pytest.raises(TypeError, match="unexpected keyword argument 'freeze_afterr'"):
        graspqp.generate(hand="allegro", objects=[MUG], out=tmp_path, freeze_afterr=3, **ARGS)
    with pytest.raises(ValueError, match="--freeze-after: \"x\" is not an integer"):
        graspqp.generate(hand="allegro", objects=[MUG], out=tmp_path, freeze_after="x", **ARGS)
    with pytest.raises(ValueError, match=r"--grasps: 0 is out of range \(allowed: at least 1\)"):
        graspqp.generate(hand="allegro", objects=[MUG], out=tmp_path, grasps=0, iters=3)
    with pytest.raises(ValueError, match="unknown grasp type"):
        graspqp.generate(hand="allegro", objects=[MUG], out=tmp_path, grasp_type="nope", **ARGS)
    with pytest.raises(ValueError, match="objects"):
        graspqp.generate(hand="allegro", out=tmp_path, **ARGS)
    bad = tmp_path / "flat.obj"
    bad.write_text("v 0 0 0\nv 1 0 0\nv 0 1 0\nv 1 1 0\nf 1 2 3\nf 2 4 3\nf 1 3 2\nf 2 3 4\n")
    with pytest.raises(ValueError, match="flat.obj"):
        graspqp.generate(hand="allegro", objects=[bad], out=tmp_path / "o", **ARGS)
    (r,) = graspqp.generate(hand="allegro", objects=[bad], out=tmp_path / "o2", errors="report", **ARGS)
    assert r["status"] == "failed" and "flat.obj" in r["error"] and r["dataset"] is None
    assert "freeze-after" in graspqp.generate_option_names()


def test_settle_options_reach_the_library(graspqp, py_result):
    # Settling is on by default (the file says which grasps were replaced), off with settle="none".
    d = py_result[0]["dataset"]
    assert d["attrs"]["parameters"]["settle"]["name"] == "graspqp"
    assert d["attrs"]["parameters"]["settle_threshold"] == 0.03
    assert d["settle_translation"].shape == (4,) and set(np.unique(d["settled"])) <= {0.0, 1.0}
    np.testing.assert_array_equal(d["settled"], (d["settle_translation"] > 0.03).astype(float))
    (r,) = graspqp.generate(hand="allegro", objects=MUG, freeze_after=20, w_pen=50.0, settle="none", **ARGS)
    assert "settle_translation" not in r["dataset"] and "settle" not in r["dataset"]["attrs"]["parameters"]
    # Unsettled grasps are stored as optimized either way.
    keep = d["settled"] == 0
    np.testing.assert_array_equal(r["dataset"]["joints"][keep], d["joints"][keep])
    with pytest.raises(ValueError, match="--settle-threshold"):
        graspqp.generate(hand="allegro", objects=MUG, settle_threshold=-1, **ARGS)
