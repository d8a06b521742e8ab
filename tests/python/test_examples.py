"""Every examples/python/*.py runs (headless matplotlib) and writes what it says."""
import os
import subprocess
import sys

import pytest

from conftest import ROOT

EXAMPLES = sorted((ROOT / "examples" / "python").glob("*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs(script, tmp_path):
    env = dict(os.environ, MPLBACKEND="Agg")
    args = [sys.executable, str(script)]
    if "--out" in script.read_text():
        args += ["--out", str(tmp_path)]
    p = subprocess.run(args, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    for line in p.stdout.splitlines():
        if line.startswith("wrote "):
            assert os.path.getsize(line[6:].strip()) > 1000


def test_there_are_examples():
    assert {"quickstart.py", "sdf_slice.py", "gradient_descent.py"} <= {p.name for p in EXAMPLES}
