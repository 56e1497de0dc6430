"""Issue 11.9: an OSError raised while talking to a ``command`` channel's program that has
already started is not "not delivered": the program ran, its exit status decides, and it is
never run a second time because of it.

The OSError is injected at the one place no real part can produce it on demand (the pipe
I/O of ``communicate`` after the real program ran and exited); the program is real.
"""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest

from reminderd.channels.command import CommandChannel
from reminderd.model import CommandSettings
from tests.contract.contract import sample_message


def program(tmp_path: Path, status: int) -> tuple[Path, Path]:
    record = tmp_path / "ran.txt"
    script = tmp_path / "notify"
    script.write_text(f'#!/bin/sh\necho "$REMINDERD_KEY" >> {record}\nexit {status}\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, record


@pytest.fixture
def broken_pipe_after_start(monkeypatch):
    real = subprocess.Popen.communicate

    def communicate(self, *args, **kwargs):  # noqa: ANN001, ANN202
        real(self, *args, **kwargs)  # the program really runs to its end
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(subprocess.Popen, "communicate", communicate)


def test_command_oserror_after_start_with_exit_0_is_delivered(tmp_path, broken_pipe_after_start):
    script, record = program(tmp_path, 0)
    channel = CommandChannel(CommandSettings(argv=(str(script),), timeout=5.0), environ={})
    message = sample_message()
    channel.send(message)  # no DeliveryError: the program ran and exited 0
    assert record.read_text().splitlines() == [message.key]


def test_command_oserror_after_start_with_exit_1_is_a_plain_failure(
    tmp_path, broken_pipe_after_start
):
    from reminderd.channels import DeliveryError

    script, record = program(tmp_path, 1)
    channel = CommandChannel(CommandSettings(argv=(str(script),), timeout=5.0), environ={})
    with pytest.raises(DeliveryError, match="exited with status 1") as raised:
        channel.send(sample_message())
    assert not raised.value.permanent
    assert len(record.read_text().splitlines()) == 1
