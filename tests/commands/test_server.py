"""``kouprey serve``: the address it prints, pages and static files served, clean errors."""

from __future__ import annotations

import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

from kouprey.cli import app
from kouprey.commands import server as server_command

runner = CliRunner()


@pytest.mark.parametrize(("host", "expected"), [
    ("127.0.0.1", "http://127.0.0.1:8000/"),
    ("0.0.0.0", "http://127.0.0.1:8000/"),
    ("::1", "http://[::1]:8000/"),
    ("kouprey.example.org", "http://kouprey.example.org:8000/"),
])
def test_url_is_what_a_browser_opens(host: str, expected: str) -> None:
    assert server_command.url(host, 8000) == expected


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body, without following redirects."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def running(transactional_db: None) -> Iterator[str]:
    """A real waitress server on a free port, serving kouprey.wsgi in a thread."""
    server = server_command.create_server("127.0.0.1", 0, 2, None)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    host, port = server_command.listening(server)[0]
    yield server_command.url(host, port)
    # Stop the loop before closing its sockets: empty the socket map (the loop runs while it
    # has sockets) and wake the select() with the trigger; then close from this thread.
    server._map.clear()
    server.pull_trigger()
    thread.join(timeout=10)
    assert not thread.is_alive()
    server.task_dispatcher.shutdown()
    server.close()


def test_serves_pages_and_static_files(running: str) -> None:
    status, headers, body = get(running + "static/web/vendor/htmx.min.js")
    assert status == 200
    assert "javascript" in headers["Content-Type"]
    assert b"htmx" in body
    status, headers, _ = get(running)
    assert status == 302  # anonymous: to the sign-in page
    assert "login" in headers["Location"]
    assert headers["Server"] == "kouprey"


class FakeServer:
    effective_host = "127.0.0.1"
    effective_port = 8123
    closed = False

    def run(self) -> None:
        raise KeyboardInterrupt

    def close(self) -> None:
        self.closed = True


@pytest.mark.django_db
def test_prints_the_url_and_passes_the_options(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeServer()
    calls: list[tuple[Any, ...]] = []
    monkeypatch.setattr(server_command, "create_server",
                        lambda *args: calls.append(args) or fake)
    result = runner.invoke(app, ["serve", "--host", "0.0.0.0", "--port", "8123",
                                 "--threads", "3", "--trusted-proxy", "127.0.0.1"])
    assert result.exit_code == 0, result.output
    assert calls == [("0.0.0.0", 8123, 3, "127.0.0.1")]
    assert "http://127.0.0.1:8123/" in result.output
    assert fake.closed


def test_trusted_proxy_headers_are_passed_to_waitress() -> None:
    server = server_command.create_server("127.0.0.1", 0, 1, "10.0.0.1")
    try:
        assert server.adj.trusted_proxy == "10.0.0.1"
        assert "x-forwarded-proto" in server.adj.trusted_proxy_headers
    finally:
        server.close()


@pytest.mark.django_db
def test_port_in_use_is_a_clean_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(app, ["serve", "--port", str(port)])
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
    assert "Traceback" not in result.output
    # says what to do: `make demo` on a machine where 8000 is taken
    assert "--port" in result.output and "make demo PORT=" in " ".join(result.output.split())


@pytest.mark.parametrize("args", [["--port", "70000"], ["--threads", "0"]])
def test_bad_options_are_refused(args: list[str]) -> None:
    result = runner.invoke(app, ["serve", *args])
    assert result.exit_code == 2
