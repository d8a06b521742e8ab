"""Shared fixtures of the Python tests: the built module (PYTHONPATH=<build>/python, set by CTest), the CLI
binary (GRASPQP_CLI) and the bundled assets."""
import json
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("GRASPQP_BUILD_DIR", ROOT / "build"))
if not any(pathlib.Path(p or ".").resolve() == (BUILD / "python").resolve() for p in sys.path):
    sys.path.insert(0, str(BUILD / "python"))  # run by hand: pytest tests/python
# Absolute, for the subprocesses that run elsewhere (examples, downstream).
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str((BUILD / "python").resolve())] + [str(pathlib.Path(p).resolve()) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])

CLI = os.environ.get("GRASPQP_CLI", str(BUILD / "bin" / "graspqp"))
ASSETS = ROOT / "assets"
MUG = ASSETS / "objects" / "ycb" / "mug" / "textured.obj"
BANANA = ASSETS / "objects" / "ycb" / "banana" / "textured.obj"


def run_cli(*args, stdin=None, check=True):
    """Runs the graspqp CLI; returns CompletedProcess (text)."""
    p = subprocess.run([CLI, *map(str, args)], input=stdin, capture_output=True, text=True)
    if check and p.returncode != 0:
        raise AssertionError(f"graspqp {' '.join(map(str, args))} failed ({p.returncode}): {p.stderr}")
    return p


def cli_json(*args):
    return json.loads(run_cli(*args).stdout)


@pytest.fixture(scope="session")
def graspqp():
    import graspqp as g
    return g


@pytest.fixture(scope="session")
def allegro(graspqp):
    return graspqp.Hand("allegro")


@pytest.fixture(scope="session")
def mug(graspqp):
    return graspqp.Object(MUG)
