#!/usr/bin/env bash
# Runs the CUDA kernel tests and the benchmark on a machine with an H100/H200.
#   test/Runtime/cuda/run_on_gpu.sh BUILD_DIR [gtest args...]
# BUILD_DIR holds bin/ptc-cuda-tests and bin/ptc-cuda-bench, built with
#   cmake -G Ninja -S . -B BUILD_DIR -DCMAKE_BUILD_TYPE=RelWithDebInfo
#   ninja -C BUILD_DIR ptc-cuda-tests ptc-cuda-bench
# (the binaries need libcudart.so.13 and libcublasLt.so.13 at run time).
# Exits non-zero when a test fails; the benchmark prints a table last.
set -euo pipefail
build=${1:?usage: run_on_gpu.sh BUILD_DIR [gtest args...]}
shift
bin="$build/bin"
for tool in ptc-cuda-tests ptc-cuda-bench; do
  [[ -x "$bin/$tool" ]] || { echo "run_on_gpu.sh: $bin/$tool not found" >&2; exit 2; }
done
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
status=0
"$bin/ptc-cuda-tests" --gtest_brief=1 "$@" || status=$?
if "$bin/ptc-cuda-tests" --gtest_list_tests >/dev/null && [[ $status -eq 0 ]]; then
  echo "ptc-cuda-tests: all passed"
else
  echo "ptc-cuda-tests: FAILED (exit $status)"
fi
"$bin/ptc-cuda-bench"
exit $status
