"""graspqp: differentiable force-closure grasp synthesis (GraspQP) from Python.

The C++ library, bound with pybind11 (numpy in and out, float64, object frame, metres, radians,
quaternions w, x, y, z; poses x, y, z, qw, qx, qy, qz):

- ``Hand(name_or_dir)``: joints, links, grasp types, contact candidates; ``hand.fk(joints, root_pose)``.
- ``Object(mesh_path, scale=1.0)``: ``obj.signed_distance(points)``.
- ``energy(hand, obj, root_pose, joints, contact_idx, ...)``: energy terms and gradients.
- ``generate(...)`` / ``evaluate(...)``: the ``graspqp generate`` / ``graspqp eval`` jobs.
- ``read_grasps(path)`` / ``write_grasps(path, grasps)`` / ``select(grasps, rows)``: grasp files.

Bad input raises ValueError (FileNotFoundError for missing files, TypeError for unknown keyword
arguments) with the CLI's one-line message; long calls release the GIL and stop on Ctrl-C.
See docs/python.md.
"""

import os
import shutil
import tempfile

import numpy as _np

from . import _graspqp
from ._graspqp import (Hand, Object, bundled_hands, energy, read_grasps, write_grasps,
                       generate_option_names)

__version__ = _graspqp.__version__

__all__ = ["Hand", "Object", "bundled_hands", "energy", "generate", "evaluate", "read_grasps",
           "write_grasps", "select", "generate_option_names", "assets_dir"]


def assets_dir():
    """The folder of the bundled hands and objects (``$GRASPQP_ASSETS_DIR``, else the source tree's
    ``assets/``, else ``<prefix>/share/graspqp/assets``)."""
    return _graspqp._assets_dir()


def _cli_options(options):
    """Keyword arguments (``freeze_after``) as CLI option names (``freeze-after``); None means unset."""
    return {k.replace("_", "-"): v for k, v in options.items() if v is not None}


def generate(hand="allegro", objects=None, grasp_type=None, grasps=None, iters=None, seed=None, out=None,
             progress=None, errors="raise", **options):
    """Grasp synthesis, as ``graspqp generate``: one grasp file per object.

    hand: a bundled hand name or a folder holding a hand.json. objects: a list of mesh files, or one
    mesh file, or a folder (searched as ``--objects DIR``). grasp_type, grasps, iters, seed and every
    other option of ``graspqp generate`` (see ``generate_option_names()``) are keyword arguments named
    as the CLI's options with ``_`` for ``-`` (``freeze_after=500`` is ``--freeze-after 500``,
    ``w_pen=50.0``, ``overwrite=True``, ``validate="graspqp"``, ``validate_set={"magnitude": 5}``); None
    (the default) keeps the CLI's default. The same seed gives the same grasps as the CLI.

    out: the output folder (resumable as the CLI's); None writes to a temporary folder that is removed
    after the grasps are read back. progress: an optional callable receiving a dict (object_index,
    objects, object, iteration, iterations, best, mean, validated, to_validate); an exception it raises
    stops the job. errors: "raise" (ValueError with the first failed object's message, after the other
    objects are done) or "report" (failed objects only have status "failed" and their "error").

    Returns a list, one dict per object in order: the fields of summary.json's "objects" (name, object,
    file, status, error, grasps, best_energy, mean_energy, acceptance_rate, valid, seconds, ...) and
    "dataset": the file as read_grasps() returns it (None for a failed object; "file" is None when out
    is None).
    """
    if objects is None:
        raise ValueError("objects: give mesh files, one mesh file or a folder")
    if errors not in ("raise", "report"):
        raise ValueError("errors: expected 'raise' or 'report'")
    opts = _cli_options(dict(options, hand=hand, grasp_type=grasp_type, grasps=grasps, iters=iters, seed=seed))
    tmp = None
    if out is None:
        tmp = tempfile.mkdtemp(prefix="graspqp-generate-")
        out_dir = tmp
    else:
        out_dir = os.fspath(out)
    try:
        reports = _graspqp._generate(objects, out_dir, opts, progress)
        for r in reports:
            r["dataset"] = read_grasps(r["file"]) if r["status"] != "failed" else None
            if tmp is not None:
                r["file"] = None
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    failed = [r for r in reports if r["status"] == "failed"]
    if failed and errors == "raise":
        more = f" (and {len(failed) - 1} more failed objects)" if len(failed) > 1 else ""
        raise ValueError(failed[0]["error"] + more)
    return reports


def evaluate(grasps, protocol="graspqp", out=None, progress=None, **options):
    """Physics evaluation in MuJoCo, as ``graspqp eval``.

    grasps: a grasp file, a folder searched recursively for them, or a dict as read_grasps() returns
    (written to a temporary file first). protocol: graspqp | graspqp-fast | dexgraspnet | dexgraspbench. Every other
    option of ``graspqp eval`` is a keyword argument (``_`` for ``-``): protocol_config, set (a dict
    {field: value} or a list of "field=value" strings), threads, trials, perturb_translation,
    perturb_rotation, seed, hand, object, object_parts, concavity, hacd_faces, cache, no_cache,
    no_analytic, no_plots, save_mjcf.

    out: the output folder (<name>.eval.h5 per input, report.json, report.md); None uses a temporary
    folder that is removed afterwards. progress: optional callable receiving a dict (file, files,
    object, done, total).

    Returns report.json as a dict, plus "grasp_results": {eval file path relative to out: dict of its
    per-grasp datasets as numpy arrays}.
    """
    opts = _cli_options(dict(options, protocol=protocol))
    tmp = tempfile.mkdtemp(prefix="graspqp-eval-")
    try:
        if isinstance(grasps, dict):
            name = os.path.basename(str(grasps.get("attrs", {}).get("object_path", "grasps"))) or "grasps"
            path = os.path.join(tmp, "in", os.path.splitext(name)[0] + ".h5")
            os.makedirs(os.path.dirname(path))
            write_grasps(path, grasps)
            grasps = path
        out_dir = os.path.join(tmp, "out") if out is None else os.fspath(out)
        report = _graspqp._evaluate(grasps, out_dir, opts, progress)
        report["grasp_results"] = _read_eval_files(out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return report


def _read_eval_files(out_dir):
    """Every <name>.eval.h5 under out_dir as {relative path: {dataset: array}} (needs h5py)."""
    import h5py
    results = {}
    for root, _, files in os.walk(out_dir):
        for f in sorted(files):
            if not f.endswith(".eval.h5") or f.startswith("."):
                continue
            path = os.path.join(root, f)
            with h5py.File(path, "r") as h:
                data = {}
                for k, v in h.items():
                    if isinstance(v, h5py.Dataset):
                        data[k] = v.asstr()[()] if v.dtype.kind == "O" else v[()]
                results[os.path.relpath(path, out_dir)] = data
    return dict(sorted(results.items()))


def select(grasps, rows):
    """The grasps of a read_grasps() dict at `rows` (indices, a slice or a boolean mask): every
    per-grasp array is indexed, names and attributes are kept. E.g. the 10 best:
    ``select(g, np.argsort(g["energy"])[:10])``."""
    n = len(grasps["energy"])
    out = {}
    for k, v in grasps.items():
        if isinstance(v, _np.ndarray) and v.ndim >= 1 and v.shape[0] == n and k not in ("joint_names", "energy_term_names"):
            out[k] = v[rows]
        else:
            out[k] = v
    return out
