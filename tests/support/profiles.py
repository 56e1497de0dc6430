"""Hypothesis profiles: which one a run uses, and how many examples a property gets.

* ``ci`` (the default): derandomized, so every run of the same code draws the same examples
  and a red CI is a real failure, not bad luck; no example database (a developer's local
  database would make their run differ from CI's); failures print a ``@reproduce_failure``
  blob.
* ``seeded``: ``ci`` with randomness, chosen when ``--hypothesis-seed=N`` is given (a
  derandomized profile would ignore the seed): ``pytest --hypothesis-seed=7`` draws afresh,
  and reproducibly.
* ``nightly``: random draws and ten times the examples, chosen by ``REMINDERD_SLOW=1`` or a
  ``-m`` expression that selects ``slow``; ``HYPOTHESIS_PROFILE=name`` overrides the choice.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

CI_EXAMPLES = 100

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    print_blob=True,
    deadline=None,
    max_examples=CI_EXAMPLES,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("seeded", settings.get_profile("ci"), derandomize=False)
settings.register_profile("nightly", settings.get_profile("seeded"), max_examples=CI_EXAMPLES * 10)


def choose(*, seed: object, markexpr: str, environ: dict[str, str]) -> str:
    """Given pytest's ``--hypothesis-seed`` value, its ``-m`` expression and the environment,
    return the name of the profile to load."""
    if environ.get("HYPOTHESIS_PROFILE"):
        return environ["HYPOTHESIS_PROFILE"]
    if environ.get("REMINDERD_SLOW") == "1" or ("slow" in markexpr and "not slow" not in markexpr):
        return "nightly"
    if seed is not None:
        return "seeded"
    return "ci"


def examples(count: int) -> int:
    """``count`` examples in CI, scaled with the loaded profile (ten times as many nightly).

    Given the number a property needs on every CI run; returns it times the loaded profile's
    ``max_examples`` over CI's. Call it in ``@settings(max_examples=examples(N))``: the root
    conftest loads the profile before any test module is imported.
    """
    return count * settings.default.max_examples // CI_EXAMPLES
