"""The apprise channel against a loopback HTTP server, using apprise's ``json://`` URL."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from reminderd.channels import DeliveryError, build_channels
from reminderd.model import AppriseSettings, Channels
from tests.contract.contract import FAILING_TIMEOUT, ChannelContract, sample_message
from tests.support.smtp import free_port

apprise = pytest.importorskip("apprise")

from reminderd.channels.apprise import AppriseChannel  # noqa: E402


class _Recorder(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length", 0))
        payload = json.loads(self.rfile.read(length).decode("utf-8"))
        self.server.received.append(payload)
        status = 500 if "FAIL" in payload.get("title", "") else 200
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def url_of(server) -> str:
    return f"json://127.0.0.1:{server.server_address[1]}/hook?token=sekrit"


class TestAppriseJson(ChannelContract):
    @pytest.fixture
    def channel(self, http_server):
        return AppriseChannel(AppriseSettings(urls=(url_of(http_server),), timeout=10), environ={})

    @pytest.fixture
    def delivered(self, http_server):
        return lambda: [(item["title"], item["message"]) for item in http_server.received]

    @pytest.fixture
    def failing_channel(self):
        url = f"json://127.0.0.1:{free_port()}/down"
        return AppriseChannel(AppriseSettings(urls=(url,), timeout=FAILING_TIMEOUT), environ={})


def test_apprise_server_error_raises_without_url(http_server):
    channel = AppriseChannel(AppriseSettings(urls=(url_of(http_server),)), environ={})
    with pytest.raises(DeliveryError) as raised:
        channel.send(sample_message(subject="FAIL now"))
    assert "sekrit" not in str(raised.value)
    assert len(http_server.received) == 1


def test_apprise_urls_from_environment_are_used(http_server):
    settings = AppriseSettings(urls_env="APPRISE_URLS")
    channel = AppriseChannel(settings, environ={"APPRISE_URLS": f"  {url_of(http_server)}\n"})
    channel.send(sample_message())
    assert len(http_server.received) == 1


def test_apprise_unset_url_variable_is_named():
    channel = AppriseChannel(AppriseSettings(urls_env="APPRISE_URLS"), environ={})
    with pytest.raises(DeliveryError, match="APPRISE_URLS"):
        channel.send(sample_message())


def test_apprise_bad_url_is_named_by_position_only():
    channel = AppriseChannel(AppriseSettings(urls=("nosuchscheme://sekrit",)), environ={})
    with pytest.raises(DeliveryError, match="URL #1") as raised:
        channel.send(sample_message())
    assert "sekrit" not in str(raised.value)


def test_apprise_missing_package_builds_channel_that_says_what_to_install(monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "apprise", None)
    channels = build_channels(
        Channels(apprise=AppriseSettings(urls=("json://127.0.0.1:9/",))), environ={}, locale="en"
    )
    with pytest.raises(DeliveryError, match=r"pip install 'reminderd\[apprise\]'"):
        channels["apprise"].send(sample_message())
