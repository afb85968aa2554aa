"""A wrong --api-url fails at once with a clear message, not after twenty seconds of retries."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import HTTPServer, SimpleHTTPRequestHandler
from pathlib import Path

from tests.apply.support import DATA, cli_env, copy_workspace, run_cli


def test_a_refused_api_url_fails_fast_with_a_clear_message(tmp_path: Path) -> None:
    ws = copy_workspace(DATA / "people", tmp_path / "ws")
    # A port bound but not listening refuses connections, and no other test can take it.
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        env = cli_env(f"http://127.0.0.1:{taken.getsockname()[1]}", 1.0)
        for command in (("plan", str(ws)), ("apply", str(ws), "--auto-approve")):
            started = time.monotonic()
            result = run_cli(*command, env=env, timeout=60)
            took = time.monotonic() - started
            assert result.returncode == 1, result.stdout + result.stderr
            assert "Could not reach the Layers API" in result.stderr
            assert "--api-url" in result.stderr
            assert took < 8, took  # it took ~19 s of backoff before


@contextmanager
def _a_web_server(root: Path) -> Iterator[str]:
    """Some other web server: every /v1/… path is its HTML 404 page."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_an_api_url_that_is_not_the_layers_api_is_said_to_be_the_wrong_url(
    tmp_path: Path,
) -> None:
    # A web server that answers 404 in HTML is not the Layers API (its every error has the
    # error envelope): the fix is the URL, not a resource the API "does not know".
    ws = copy_workspace(DATA / "people", tmp_path / "ws")
    (tmp_path / "site").mkdir()
    with _a_web_server(tmp_path / "site") as url:
        result = run_cli("plan", str(ws), env=cli_env(url, 1.0), timeout=60)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "HTTP 404 without the error envelope" in result.stderr
    assert "check that --api-url / apiUrl points at the Layers API" in result.stderr.replace(
        "\n", " "
    )
    assert "does not know this resource" not in result.stderr
    assert "Traceback" not in result.stderr
