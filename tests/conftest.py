import os

import matplotlib
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")

# Property tests run on a 2-core laptop inside `make test`: enough examples to find
# edge cases, no per-example deadline (the first call of a numpy path is slow), and the
# same examples on every run, so that `make test` takes the same time and a failure in
# CI reproduces on a laptop. HYPOTHESIS_PROFILE=thorough explores new examples each run.
settings.register_profile(
    "course", max_examples=60, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("thorough", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "course"))
