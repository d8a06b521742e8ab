"""Builds graspqp._graspqp with the project's CMake build (the same library, options and compiler flags as
`make`), then packages python/graspqp. The build folder is $GRASPQP_BUILD_DIR (default: build/), configured
here with this interpreter when it is not configured yet, so an existing `make` build is reused."""
import glob
import os
import re
import shutil
import subprocess
import sys
import sysconfig

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = os.path.dirname(os.path.abspath(__file__))


def version():
    text = open(os.path.join(ROOT, "CMakeLists.txt")).read()
    return re.search(r"project\(graspqp VERSION ([0-9.]+)", text).group(1)


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build_dir = os.path.abspath(os.environ.get("GRASPQP_BUILD_DIR", os.path.join(ROOT, "build")))
        jobs = os.environ.get("GRASPQP_JOBS", str(os.cpu_count() or 1))
        if not os.path.exists(os.path.join(build_dir, "CMakeCache.txt")):
            subprocess.check_call(["cmake", "-S", ROOT, "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release",
                                   f"-DPython_EXECUTABLE={sys.executable}"])
        subprocess.check_call(["cmake", "--build", build_dir, "--target", "graspqp_python", "-j", jobs])
        suffix = sysconfig.get_config_var("EXT_SUFFIX")
        built = os.path.join(build_dir, "python", "graspqp", "_graspqp" + suffix)
        if not os.path.exists(built):
            found = glob.glob(os.path.join(build_dir, "python", "graspqp", "_graspqp*.so"))
            sys.exit(f"graspqp: {build_dir} built {found or 'no module'} for another Python than {sys.executable} "
                     f"(needs _graspqp{suffix}); use another GRASPQP_BUILD_DIR or -DPython_EXECUTABLE")
        dest = self.get_ext_fullpath(ext.name)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copyfile(built, dest)


setup(
    version=version(),
    packages=["graspqp"],
    package_dir={"": "python"},
    ext_modules=[Extension("graspqp._graspqp", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    # setuptools' own build folder, apart from CMake's build/.
    options={"build": {"build_base": os.path.join(ROOT, ".pybuild")}, "egg_info": {"egg_base": ROOT + "/.pybuild"}},
    zip_safe=False,
)
