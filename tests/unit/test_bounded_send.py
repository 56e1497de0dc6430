"""``run_bounded``: how plyer and apprise sends, which offer no timeout of their own, are
bounded. A send that never returns fails after the channel's timeout with a reason, instead
of holding the channel's worker (and every later reminder on it) for good."""

from __future__ import annotations

import threading

import pytest

from reminderd.channels.base import DeliveryError, run_bounded
from tests.support.deadline import hang_guard


def test_a_send_that_never_returns_fails_after_its_timeout_and_says_so() -> None:
    stuck = threading.Event()  # a backend waiting on a bus that never answers
    try:
        with hang_guard(30, "run_bounded"), pytest.raises(DeliveryError) as raised:
            run_bounded(stuck.wait, 0.2, "desktop")
    finally:
        stuck.set()  # let the abandoned thread end
    assert str(raised.value) == "desktop timed out after 0.2s"


def test_a_send_that_returns_gives_its_value_and_one_that_raises_gives_its_error() -> None:
    assert run_bounded(lambda: "shown", 30.0, "desktop") == "shown"
    refused = DeliveryError("the notification server refused it")

    def refuse() -> None:
        raise refused

    with pytest.raises(DeliveryError) as raised:
        run_bounded(refuse, 30.0, "apprise")
    assert raised.value is refused
