"""The warm-up text reaches the parts of a cleaner that load on first use."""

from __future__ import annotations

import subprocess
import sys


def test_warm_up_loads_ftfy_and_the_language_model_in_this_process():
    # a fresh interpreter: this one may have loaded them already
    code = ("import sys\n"
            "from nearcopy.clean import Cleaner, CleanConfig\n"
            "from nearcopy.pipeline.warm_up import warm_up\n"
            "before = 'ftfy' in sys.modules\n"
            "warm_up(Cleaner(CleanConfig()))\n"
            "print(before, 'ftfy' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "True"]
