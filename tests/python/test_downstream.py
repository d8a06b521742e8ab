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


def test_assets_lookup_order(tmp_path):
    """include/graspqp/assets.hpp: $GRASPQP_ASSETS_DIR, else the source tree when it exists, else the
    install prefix (src/assets.cpp compiled here with a missing source tree and a temporary prefix)."""
    installed = tmp_path / "prefix" / "share" / "graspqp" / "assets"
    (installed / "hands").mkdir(parents=True)
    main = tmp_path / "main.cpp"
    main.write_text('#include <graspqp/assets.hpp>\n#include <cstdio>\n'
                    'int main() { std::printf("%s|%s", graspqp::assets_dir().c_str(), graspqp::data_root().c_str()); }\n')

    def build(source_assets):
        exe = tmp_path / ("app_" + str(abs(hash(source_assets))))
        run("c++", "-std=c++20", f"-I{ROOT / 'include'}", f'-DGRASPQP_SOURCE_ASSETS_DIR="{source_assets}"',
            f'-DGRASPQP_INSTALL_ASSETS_DIR="{installed}"', ROOT / "src" / "assets.cpp", main, "-o", exe)
        return exe

    env = {k: v for k, v in os.environ.items() if k != "GRASPQP_ASSETS_DIR"}
    without_source = build(tmp_path / "gone" / "assets")
    assert run(without_source, env=env) == f"{installed}|{installed.parent}"
    assert run(build(ROOT / "assets"), env=env) == f"{ROOT / 'assets'}|{ROOT}"
    assert run(without_source, env=dict(env, GRASPQP_ASSETS_DIR="/elsewhere/assets/")) == "/elsewhere/assets/|/elsewhere"
