"""The C++ package: `cmake --install` into a temporary prefix, then a downstream project
(tests/downstream) builds with find_package(graspqp) + graspqp::graspqp and finds the installed assets."""
import os
import shutil
import subprocess

from conftest import BUILD, ROOT


def run(*cmd, env=None):
    p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, env=env)
    assert p.returncode == 0, f"{' '.join(map(str, cmd))}:\n{p.stdout[-4000:]}\n{p.stderr[-4000:]}"
    return p.stdout


def test_downstream_project_builds_against_the_installed_package(tmp_path):
    prefix = tmp_path / "prefix"
    run("cmake", "--install", BUILD, "--prefix", prefix)
    for f in ["include/graspqp/energy/grasp_energy.hpp", "include/graspqp/version.hpp", "include/graspqp/assets.hpp",
              "lib/libgraspqp.a", "bin/graspqp", "lib/cmake/graspqp/graspqpConfig.cmake",
              "lib/cmake/graspqp/graspqpTargets.cmake", "share/graspqp/assets/hands/allegro/hand.json",
              "share/graspqp/scripts/plot_report.py"]:
        assert (prefix / f).exists(), f
    targets = (prefix / "lib/cmake/graspqp/graspqpTargets.cmake").read_text()
    assert str(ROOT) not in targets  # no path into the source or build tree
    build = tmp_path / "build"
    run("cmake", "-S", ROOT / "tests" / "downstream", "-B", build, "-DCMAKE_BUILD_TYPE=Release",
        f"-DCMAKE_PREFIX_PATH={prefix}")
    run("cmake", "--build", build, "-j", "2")
    # The assets under the prefix: the installed package works without the source tree (the environment
    # variable stands in for a prefix the build was not configured with).
    env = dict(os.environ, GRASPQP_ASSETS_DIR=str(prefix / "share/graspqp/assets"))
    out = run(build / "app", env=env)
    assert out.startswith("graspqp 0.1.0 assets " + str(prefix / "share/graspqp/assets") + " dof 16 energy ")
    assert out.rstrip().endswith("grad 25")
    shutil.rmtree(prefix)
