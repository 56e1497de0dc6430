from __future__ import annotations

import pytest

from reminderd.channels import DeliveryError
from reminderd.channels.memory import MemoryChannel
from tests.contract.contract import ChannelContract, sample_message


class TestMemoryChannel(ChannelContract):
    @pytest.fixture
    def channel(self):
        return MemoryChannel()

    @pytest.fixture
    def delivered(self, channel):
        return lambda: [(message.subject, message.body) for message in channel.sent]

    @pytest.fixture
    def failing_channel(self):
        channel = MemoryChannel()
        channel.fail_next(1, reason="server down")
        return channel


def test_memory_fail_next_two_fails_twice_then_delivers():
    channel = MemoryChannel()
    channel.fail_next(2, reason="down")
    for _ in range(2):
        with pytest.raises(DeliveryError, match="down"):
            channel.send(sample_message())
    channel.send(sample_message())
    assert channel.attempts == 3
    assert len(channel.sent) == 1
