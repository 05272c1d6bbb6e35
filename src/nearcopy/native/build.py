"""Build the AOT module of every exported kernel: `python -m nearcopy.native.build PATH NAME`.

Runs in a child process of the first nearcopy process that needs the kernels
(aot.load); numba compiles each exported kernel for this CPU and links them into
one extension module, written to a temporary name and renamed into PATH.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def build(path: Path, name: str) -> None:
    from numba.pycc import CC

    from nearcopy.native import jit
    from nearcopy.native.registry import REGISTRY

    jit.materialize()  # dispatchers + globals that resolve the kernels' callees
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".build-") as tmp:
        cc = CC(name)
        cc.output_dir = tmp
        cc.target_cpu = "host"
        cc.verbose = False
        for k in REGISTRY:
            if k.signature is not None:
                cc.export(k.export_name, k.signature.numba())(k.dispatcher.py_func)
        cc.compile()
        built = next(Path(tmp).glob(name + "*"))
        os.replace(built, path)


if __name__ == "__main__":
    build(Path(sys.argv[1]), sys.argv[2])
