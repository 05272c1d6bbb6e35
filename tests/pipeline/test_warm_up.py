"""The warm-up text reaches the parts of a cleaner that load on first use."""

from __future__ import annotations

import subprocess
import sys


def test_warm_up_loads_the_language_model_but_not_ftfy():
    # a fresh interpreter: this one may have loaded them already. ftfy is for the
    # workers that meet mojibake (its import is 0.1 s of serial start-up).
    code = ("import sys\n"
            "from nearcopy.clean import Cleaner, CleanConfig, language\n"
            "from nearcopy.pipeline.warm_up import warm_up\n"
            "before = language._load_model.cache_info().currsize\n"
            "warm_up(Cleaner(CleanConfig()))\n"
            "print(before, language._load_model.cache_info().currsize, 'ftfy' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["0", "1", "False"]
