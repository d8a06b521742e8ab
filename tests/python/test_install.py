"""`pip install --no-build-isolation .` into a venv over Debian's packages (what `make python` does) gives an
importable graspqp outside the source tree, without network (--no-index), reusing this build."""
import os
import subprocess
import sys

from conftest import BUILD, ROOT


def test_pip_install_into_a_system_site_packages_venv(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run(["/usr/bin/python3", "-m", "venv", "--system-site-packages", str(venv)], check=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["GRASPQP_BUILD_DIR"] = str(BUILD)
    env["GRASPQP_JOBS"] = "2"
    p = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-build-isolation", "--no-index",
                        "--disable-pip-version-check", str(ROOT)], capture_output=True, text=True, env=env)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    code = ("import graspqp, numpy as np; h = graspqp.Hand('allegro'); "
            "print(graspqp.__file__); print(h.dof, h.fk(np.zeros(h.dof))['allegro'].tolist())")
    out = subprocess.run([str(venv / "bin" / "python"), "-c", code], capture_output=True, text=True, env=env,
                         cwd=tmp_path, check=True).stdout.splitlines()
    assert out[0].startswith(str(venv)) and "site-packages" in out[0]
    assert out[1] == "16 [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0]"
