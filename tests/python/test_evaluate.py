"""graspqp.evaluate: the same per-grasp results as `graspqp eval`, from a file or a dict; options by
keyword; Ctrl-C; bad input."""
import _thread
import threading
import time

import h5py
import numpy as np
import pytest

from conftest import MUG, run_cli

EVAL = "mug/allegro-full-graspqp.eval.h5"


@pytest.fixture(scope="module")
def grasp_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("grasps")
    run_cli("generate", "--hand", "allegro", "--object", MUG, "--out", out, "--grasps", 4, "--iters", 60,
            "--seed", 5, "--contacts", 8)
    return out


@pytest.fixture(scope="module")
def cli_eval(grasp_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("cli_eval")
    run_cli("eval", "--grasps", grasp_dir, "--out", out, "--no-plots", "--trials", 2, "--set", "magnitude=2")
    with h5py.File(out / EVAL, "r") as f:
        return {k: f[k][()] for k in f if k != "error"}


def assert_results_equal(results, ref):
    for k, v in ref.items():
        np.testing.assert_array_equal(results[k], v, err_msg=k)


def test_evaluate_gives_the_cli_results(graspqp, grasp_dir, cli_eval, tmp_path):
    report = graspqp.evaluate(grasp_dir, out=tmp_path, no_plots=True, trials=2, set={"magnitude": 2})
    assert report["overall"]["grasps"] == 4 and report["protocol"]["magnitude"] == 2
    assert (tmp_path / "report.json").exists() and (tmp_path / EVAL).exists()
    assert list(report["grasp_results"]) == [EVAL]
    assert_results_equal(report["grasp_results"][EVAL], cli_eval)


def test_evaluate_a_dict_without_an_output_folder(graspqp, grasp_dir, cli_eval):
    g = graspqp.read_grasps(grasp_dir / "mug" / "allegro-full-graspqp.h5")
    seen = []
    report = graspqp.evaluate(g, no_plots=True, trials=2, set=["magnitude=2"], progress=seen.append)
    (results,) = report["grasp_results"].values()
    assert_results_equal(results, cli_eval)
    assert seen[-1]["done"] == seen[-1]["total"] == 4
    # A subset: the two best grasps.
    best = graspqp.select(g, np.argsort(g["energy"])[:2])
    (two,) = graspqp.evaluate(best, no_plots=True, no_analytic=True)["grasp_results"].values()
    assert two["success"].shape == (2,)


def test_ctrl_c_stops_evaluate(graspqp, tmp_path):
    """Seen at the next finished grasp (the job's progress granularity): 48 grasps of 10 trials would take a
    minute or more."""
    graspqp.generate(hand="allegro", objects=[MUG], out=tmp_path / "g", grasps=48, iters=5, seed=1)
    timer = threading.Timer(1.5, _thread.interrupt_main)
    t0 = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        graspqp.evaluate(tmp_path / "g", out=tmp_path, no_plots=True, trials=10, threads=1)
    assert time.monotonic() - t0 < 30
    timer.cancel()
    assert not (tmp_path / "report.json").exists() and not (tmp_path / EVAL).exists()


def test_bad_input_raises(graspqp, grasp_dir, tmp_path):
    with pytest.raises(FileNotFoundError, match="no_such.h5: file not found"):
        graspqp.evaluate(tmp_path / "no_such.h5", out=tmp_path)
    with pytest.raises(ValueError, match="unknown protocol|protocol"):
        graspqp.evaluate(grasp_dir, out=tmp_path, protocol="nope")
    with pytest.raises(ValueError, match="nope"):
        graspqp.evaluate(grasp_dir, out=tmp_path, set={"nope": 1})
    with pytest.raises(TypeError, match="unexpected keyword argument 'trails'"):
        graspqp.evaluate(grasp_dir, out=tmp_path, trails=2)
    with pytest.raises(ValueError, match="trials: expected an integer"):
        graspqp.evaluate(grasp_dir, out=tmp_path, trials="2")
    with pytest.raises(ValueError, match=r"--trials must be in \[1, 1000\] \(got 0\)"):
        graspqp.evaluate(grasp_dir, out=tmp_path, trials=0)
    with pytest.raises(ValueError, match="grasps: missing 'root_pose'"):
        graspqp.evaluate({"energy": np.zeros(1)})
