"""The one contract every channel passes (subclassed per backend, as vdirsyncer does).

A subclass provides three fixtures:

* ``channel``: a working channel;
* ``delivered``: a function returning ``(subject, body)`` of everything that arrived at the
  real backend behind ``channel``, oldest first;
* ``failing_channel``: a channel whose backend fails (down, silent, refusing), with its
  timeout set to ``FAILING_TIMEOUT`` seconds or less.
"""

from __future__ import annotations

import time

from reminderd.channels import DeliveryError, Message

FAILING_TIMEOUT = 1.5
# What a send to a failing backend may take beyond its timeout. The failing backends that hang
# do so for 30 s or for ever, so a channel that ignored its timeout would take that long; 15 s
# keeps the check meaningful and leaves room for a loaded machine (it is not a speed test).
SLACK = 15.0

SUBJECT = "还款提醒：钱包A 第3/12期 应还¥1,200.00，3天后到期"
BODY = (
    "贷款：钱包A\n期数：第3/12期\n应还金额：¥1,200.00\n"
    "到期日：2026年12月15日 星期二 09:00（Asia/Shanghai）\n"
    "Ünïcödé line, emoji 💸, and a very long line " + "x" * 300 + "\n"
)


def sample_message(**changes: object) -> Message:
    fields: dict[str, object] = {
        "key": "wallet-a/3/ahead/2026-12-12T09:00:00+08:00",
        "kind": "ahead",
        "subject": SUBJECT,
        "body": BODY,
        "loan_id": "wallet-a",
    }
    fields.update(changes)
    return Message(**fields)  # type: ignore[arg-type]


class ChannelContract:
    """Shared tests; not collected itself (no ``Test`` prefix)."""

    def test_channel_non_ascii_message_arrives_intact(self, channel, delivered):
        channel.send(sample_message())
        arrived = delivered()
        assert len(arrived) == 1
        subject, body = arrived[0]
        assert subject == SUBJECT
        assert body.rstrip("\n") == BODY.rstrip("\n")

    def test_channel_two_messages_arrive_in_order(self, channel, delivered):
        channel.send(sample_message(subject="第一", key="k/1"))
        channel.send(sample_message(subject="第二", key="k/2"))
        assert [subject for subject, _ in delivered()] == ["第一", "第二"]

    def test_channel_failing_backend_raises_delivery_error_within_timeout(self, failing_channel):
        started = time.monotonic()
        try:
            failing_channel.send(sample_message())
        except DeliveryError as error:
            assert str(error), "a DeliveryError must carry a reason"
        else:
            raise AssertionError("send to a failing backend returned as if delivered")
        assert time.monotonic() - started < FAILING_TIMEOUT + SLACK

    def test_channel_close_is_safe_twice_and_after_send(self, channel, delivered):
        channel.send(sample_message())
        assert channel.close() is None
        assert channel.close() is None
        # What was accepted before the close arrived once: closing neither drops nor resends.
        assert [subject for subject, _ in delivered()] == [SUBJECT]

    def test_channel_close_unused_is_safe(self, channel, delivered, failing_channel):
        assert channel.close() is None
        assert channel.close() is None
        assert failing_channel.close() is None
        assert failing_channel.close() is None
        assert delivered() == []  # closing sends nothing
