#!/usr/bin/env bash
# Installs the Debian packages graspqp needs, then the browser viewer's npm packages (web/setup.sh).
# Idempotent: only missing packages are installed.
# Works as root; uses sudo otherwise.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config
  libeigen3-dev libembree-dev libqhull-dev libassimp-dev libtinyxml2-dev
  libtbb-dev libhdf5-dev nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev libmujoco-dev
  libssl-dev python3 python3-numpy python3-h5py
  libbullet-extras-dev python3-matplotlib
  chromium
  # dataset jobs across processes and machines: MPI (`dataset run --mpi`) and a Slurm the tests start
  libopenmpi-dev openmpi-bin slurm-wlm munge
  # the Python package (pybind11, a venv over Debian's numpy/h5py, pytest)
  pybind11-dev python3-dev python3-venv python3-setuptools python3-wheel python3-pytest
  # fuzzing and sanitizer builds (clang's libFuzzer and runtimes); the source format (.clang-format)
  clang-14 libfuzzer-14-dev libclang-rt-14-dev clang-format-14
)
# The browser viewer (`graspqp view`, web/) needs Node.js and npm; any recent install will do, so
# Debian's packages are added only when the commands are missing. chromium runs its browser tests.
command -v node >/dev/null 2>&1 || PACKAGES+=(nodejs)
command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
      echo "install_deps: missing packages (${missing[*]}) and not root, no sudo available" >&2; exit 1
    fi
  fi

  echo "install_deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm packages of the browser viewer (pinned in web/package-lock.json) and its page script
# web/dist/viewer.js; skips what is up to date.
bash "$(dirname "${BASH_SOURCE[0]}")/../web/setup.sh"
