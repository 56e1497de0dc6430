"""Which Hypothesis profile a run loads, and how many examples a property then gets."""

from __future__ import annotations

import pytest
from hypothesis import settings

from tests.support import profiles


@pytest.mark.parametrize(
    ("seed", "markexpr", "environ", "expected"),
    [
        (None, "not slow", {}, "ci"),  # pyproject's default run
        (None, "", {"CI": "true"}, "ci"),
        (7, "not slow", {}, "seeded"),  # --hypothesis-seed=7: derandomize would ignore it
        (None, "not slow", {"REMINDERD_SLOW": "1"}, "nightly"),
        (None, "slow", {}, "nightly"),  # pytest -m slow
        (7, "slow", {}, "nightly"),
        (None, "not slow", {"REMINDERD_SLOW": "0"}, "ci"),
        (None, "not slow", {"HYPOTHESIS_PROFILE": "nightly"}, "nightly"),
        (7, "not slow", {"HYPOTHESIS_PROFILE": "ci"}, "ci"),
    ],
)
def test_profiles_choose(seed, markexpr, environ, expected) -> None:
    assert profiles.choose(seed=seed, markexpr=markexpr, environ=environ) == expected


def test_profiles_ci_is_derandomized_without_a_database_and_nightly_draws_ten_times_more():
    ci, nightly = settings.get_profile("ci"), settings.get_profile("nightly")
    assert (ci.derandomize, ci.database, ci.max_examples, ci.deadline) == (True, None, 100, None)
    assert (nightly.derandomize, nightly.max_examples) == (False, 1000)
    assert settings.get_profile("seeded").derandomize is False


def test_profiles_examples_scale_with_the_loaded_profile() -> None:
    current = settings.get_current_profile_name()
    try:
        settings.load_profile("nightly")
        assert profiles.examples(300) == 3000
        settings.load_profile("ci")
        assert profiles.examples(300) == 300
    finally:
        settings.load_profile(current)
