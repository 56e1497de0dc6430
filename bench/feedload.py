#!/usr/bin/env python3
"""Load on the subscription feed, from one client process on loopback: slow ("slowloris")
sockets that trickle a request head a byte at a time, and floods of concurrent GETs.

Used by ``bench/run.py --feed`` for the README's figures and by
``tests/e2e/test_feed_load.py`` (which asserts answers, never speed). Every function stops by
itself: sockets are closed and threads joined before it returns.
"""

from __future__ import annotations

import selectors
import socket
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Trickle:
    """``count`` sockets to ``port`` that send one byte of a request head every ``every``
    seconds until :meth:`stop` (or until the server closes them: then they reconnect, as an
    attacker would). ``opened`` counts connections made, ``closed_by_server`` those ended."""

    port: int
    count: int = 200
    every: float = 1.0
    opened: int = 0
    closed_by_server: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> Trickle:
        self._thread = threading.Thread(target=self._run, name="trickle", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _connect(self) -> socket.socket | None:
        try:
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        except OSError:
            return None
        try:
            sock.send(b"G")  # the first byte at once, as a client starting a request
        except OSError:
            sock.close()
            return None
        sock.setblocking(False)
        self.opened += 1
        return sock

    def _run(self) -> None:
        sockets = [self._connect() for _ in range(self.count)]
        head = b"GET /slow HTTP/1.1\r\nX-Pad: " + b"a" * 10_000
        sent = 1
        while not self._stop.wait(self.every):
            byte = head[sent % len(head) : sent % len(head) + 1]
            sent += 1
            for index, sock in enumerate(sockets):
                if sock is None:
                    sockets[index] = self._connect()
                    continue
                try:
                    sock.send(byte)
                    if sock.recv(1, socket.MSG_PEEK) == b"":
                        raise ConnectionResetError
                except BlockingIOError:
                    pass  # nothing to read: still open
                except OSError:
                    self.closed_by_server += 1
                    sock.close()
                    sockets[index] = self._connect()
        for sock in sockets:
            if sock is not None:
                sock.close()


def get(port: int, path: str, timeout: float = 30.0) -> tuple[int, float]:
    """One GET of ``path``; return (status, seconds), status 0 when no answer came."""
    started = time.perf_counter()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            answer = b""
            while chunk := sock.recv(1 << 16):
                answer += chunk
    except OSError:
        return 0, time.perf_counter() - started
    return _status(answer), time.perf_counter() - started


def flood(port: int, path: str, count: int = 500, timeout: float = 60.0) -> list[tuple[int, float]]:
    """``count`` GETs of ``path`` started at once (non-blocking sockets, one selector); return
    each one's (status, seconds from the start), status 0 for no answer within ``timeout``."""
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    started = time.perf_counter()
    results: dict[int, tuple[int, float]] = {}
    answers: dict[int, bytearray] = {}
    with selectors.DefaultSelector() as selector:
        for index in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setblocking(False)
            sock.connect_ex(("127.0.0.1", port))
            answers[index] = bytearray()
            selector.register(sock, selectors.EVENT_WRITE, (index, False))
        deadline = started + timeout
        while len(results) < count and time.perf_counter() < deadline:
            for key, _ in selector.select(max(0.0, deadline - time.perf_counter())):
                sock, (index, sent) = key.fileobj, key.data
                assert isinstance(sock, socket.socket)  # noqa: S101 - registered above
                try:
                    if not sent:
                        sock.sendall(request)
                        selector.modify(sock, selectors.EVENT_READ, (index, True))
                        continue
                    chunk = sock.recv(1 << 16)
                except OSError:
                    chunk = b""
                if chunk:
                    answers[index] += chunk
                    continue
                selector.unregister(sock)
                sock.close()
                results[index] = (_status(bytes(answers[index])), time.perf_counter() - started)
        for key in list(selector.get_map().values()):
            key.fileobj.close()  # type: ignore[union-attr]
    return [results.get(index, (0, timeout)) for index in range(count)]


def _status(answer: bytes) -> int:
    parts = answer.split(b" ", 2)
    return int(parts[1]) if len(parts) > 2 and parts[0].startswith(b"HTTP/") else 0


def main() -> int:
    """Start the installed service with a feed, load it, print the figures as Markdown."""
    import argparse
    import os
    import signal
    import statistics
    import subprocess
    import sys
    import tempfile
    from datetime import UTC, datetime, timedelta
    from pathlib import Path

    parser = argparse.ArgumentParser(description="reminderd feed under load")
    parser.add_argument("--loans", type=int, default=100)
    parser.add_argument("--slow", type=int, default=200)
    parser.add_argument("--flood", type=int, default=500)
    parser.add_argument("--gets", type=int, default=20)
    args = parser.parse_args()
    script = Path(sys.executable).parent / "reminderd"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "reminderd"]
    with tempfile.TemporaryDirectory(prefix="reminderd-feedload-") as name:
        root = Path(name)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        first = (datetime.now(UTC) + timedelta(days=30)).date()
        lines = [
            "timezone: UTC",
            "channels:",
            "  command: {argv: [/bin/true]}",
            f"calendar: {{path: '{root}/repayments.ics', serve: {{listen: '127.0.0.1:{port}'}}}}",
            "loans:",
        ]
        for index in range(args.loans):
            lines += [
                f"  - id: loan-{index}",
                f"    name: Invented loan {index}",
                "    plan: {kind: equal_principal, principal: 3600, count: 36, "
                f"first_due: {first}}}",
            ]
        (root / "config.yaml").write_text("\n".join(lines) + "\n")
        state = root / "state"
        env = {k: v for k, v in os.environ.items() if k not in ("NOTIFY_SOCKET",)}
        service = subprocess.Popen(
            [*command, "-c", str(root / "config.yaml"), "--state-dir", str(state), "run"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            secret_file = state / "feed-secret"
            deadline = time.monotonic() + 120
            path = ""
            while time.monotonic() < deadline:
                if secret_file.exists() and (secret := secret_file.read_text().strip()):
                    path = f"/{secret}/repayments.ics"
                    if get(port, path)[0] == 200:
                        break
                time.sleep(0.1)
            size = (root / "repayments.ics").stat().st_size

            def series(count: int) -> tuple[int, list[float]]:
                answers = [get(port, path) for _ in range(count)]
                return sum(status == 200 for status, _ in answers), [s for _, s in answers]

            def show(seconds: list[float]) -> str:
                ms = [value * 1000 for value in seconds]
                return f"{statistics.median(ms):.0f} ms (max {max(ms):.0f})"

            quiet_ok, quiet = series(args.gets)
            with Trickle(port, count=args.slow, every=1.0) as trickle:
                while trickle.opened < args.slow:
                    time.sleep(0.05)
                slow_ok, slow = series(args.gets)
            started = time.perf_counter()
            flooded = flood(port, path, args.flood, timeout=120)
            total = time.perf_counter() - started
            flood_ok = sum(status == 200 for status, _ in flooded)
        finally:
            service.send_signal(signal.SIGTERM)
            service.wait(timeout=60)
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"Feed of {args.loans} loans ({size / 2**20:.1f} MB), load average {load}:\n")  # noqa: T201
    print("| load | answered | time per GET, median (max) |")  # noqa: T201
    print("|---|---:|---:|")  # noqa: T201
    print(f"| none, {args.gets} GETs one after another | {quiet_ok}/{args.gets} | {show(quiet)} |")  # noqa: T201
    print(  # noqa: T201
        f"| {args.slow} sockets trickling a byte a second, {args.gets} GETs "
        f"| {slow_ok}/{args.gets} | {show(slow)} |"
    )
    print(  # noqa: T201
        f"| {args.flood} GETs at once (all done in {total:.1f} s) | {flood_ok}/{args.flood} "
        f"| {show([seconds for _, seconds in flooded])} |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
