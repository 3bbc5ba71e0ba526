"""The benchmark workload: the ruleset in this folder and a deterministic case generator.

``Engine.from_path("bench/workload")`` loads ``us-federal-calls.yaml`` (the only YAML file
here); :func:`generate` builds the consumers, proposed calls and histories every
implementation is asked to decide. :mod:`workload.rows` turns them into the plain rows a dialer
holds (the plain floor's input); :mod:`workload.variants` builds the scaling runs' cases
(history length, candidate zones, the bundled stacks).
"""

from .generate import (
    SCREEN_AT,
    WEEK_START,
    Case,
    boston_case,
    generate,
    screening_accounts,
    summary,
)

__all__ = [
    "SCREEN_AT",
    "WEEK_START",
    "Case",
    "boston_case",
    "generate",
    "screening_accounts",
    "summary",
]
