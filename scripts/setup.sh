#!/usr/bin/env bash
# Installs every Debian package that building and testing ptc need.
# Idempotent: when everything is installed it changes nothing and needs no
# network. The CUDA toolkit is expected at /usr/local/cuda (not a Debian
# package); without it the cuda target is simply not built.
set -euo pipefail

packages=(
  build-essential cmake ninja-build python3
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools  # MLIR/LLVM 22, FileCheck, lit
  nlohmann-json3-dev libfmt-dev libgtest-dev              # JSON, formatting, unit tests
  libopenmpi-dev openmpi-bin                              # launch, CPU-target collectives
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q "${missing[@]}"
