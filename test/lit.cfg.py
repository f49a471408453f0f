# lit configuration of ptc's FileCheck tests.
import os
import sys
import shutil
import subprocess

import lit.formats

config.name = "ptc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "Unit", "Runtime", "CMakeLists.txt",
                   "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.ptc_obj_root, "test")

# Tools: ptc's own first, then FileCheck and `not` from LLVM 22.
config.environment["PATH"] = os.pathsep.join(
    [config.ptc_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", "")])
# Longest names first: '%ptc' is a prefix of '%ptc-opt'.
config.substitutions.append(("%ptc-opt", os.path.join(config.ptc_tools_dir, "ptc-opt")))
config.substitutions.append(("%ptc", os.path.join(config.ptc_tools_dir, "ptc")))
config.substitutions.append(("%models", os.path.join(config.ptc_src_root, "models")))
config.substitutions.append(("%data", os.path.join(config.ptc_src_root, "data")))
config.substitutions.append(("%python", sys.executable))

# Tests that build cuda programs (no GPU needed) say `REQUIRES: nvcc`.
if os.access(os.path.join(os.environ.get("PTC_CUDA_DIR", "/usr/local/cuda"),
                          "bin", "nvcc"), os.X_OK):
    config.available_features.add("nvcc")

# GPU tests say `REQUIRES: cuda-gpu`; machines without one skip them.
if shutil.which("nvidia-smi"):
    try:
        if subprocess.run(["nvidia-smi", "-L"], capture_output=True,
                          timeout=20).returncode == 0:
            config.available_features.add("cuda-gpu")
    except (OSError, subprocess.TimeoutExpired):
        pass
