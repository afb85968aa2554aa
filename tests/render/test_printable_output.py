"""Control characters from the workspace's files reach no output raw (issue 15 item 13): an id
or a name holding ESC ] 0 ; … BEL, ESC [ 2 J, NUL, DEL or C1 CSI, and a file name holding a
newline or an escape sequence, are shown escaped in text, markdown, annotations and
`file:line:col` messages."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from layers_reconcile.cli.main import cli
from tests.client.hostile import WHOAMI, HostileApi, answer

RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
HOSTILE = "acme\x1b]0;pwned\x07\x1b[2J\x00\x7f\x9b\u202e"


def run(*args: str, key: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli, ["--no-color", *args], env={"LAYERS_API_KEY": key, "LAYERS_API_URL": None}
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def test_file_names_with_a_newline_or_an_escape_do_not_split_or_act(tmp_path: Path) -> None:
    (tmp_path / "layers.yaml").write_text("workspace: names\n")
    (tmp_path / "customers").mkdir()
    (tmp_path / "customers" / "a\nb.yaml").write_text("customerExternalId: [unclosed\n")
    (tmp_path / "customers" / "e\x1b]0;t\x07.yaml").write_text("customerExternalId: [x\n")
    for fmt in ("text", "github"):
        code, output = run("validate", str(tmp_path), "--format", fmt)
        assert code == 1
        assert not RAW.search(output), repr(output)
        assert "customers/a\\x0ab.yaml:2:1" in output or "a\\x0ab.yaml,line=2" in output
        assert "e\\x1b]0;t\\x07.yaml" in output
        # one line per problem: the newline in the name did not split its line
        assert len([line for line in output.splitlines() if "a\\x0ab.yaml" in line]) == 1


def test_names_with_terminal_sequences_are_shown_escaped(tmp_path: Path) -> None:
    """One name from the file, the other from the API: the plan shows both escaped."""
    (tmp_path / "layers.yaml").write_text("workspace: names\n")
    (tmp_path / "customers").mkdir()
    spec = {"customerExternalId": "acme", "project": {"name": "Acme\x1b[31m\x9b"}}
    (tmp_path / "customers" / "a.yaml").write_text(json.dumps(spec))  # JSON is YAML
    project = {"id": "prj_1", "customerExternalId": "acme", "name": HOSTILE, "metadata": {}}
    routes = {
        "/v1/whoami": WHOAMI,
        "/v1/projects": answer(200, {"items": [project], "nextCursor": None}),
        "/v1/projects/prj_1": answer(200, project),
    }
    with HostileApi(routes=routes).running() as api:
        for fmt in ("text", "markdown", "github", "json"):
            code, output = run(
                "--api-url", api.url, "plan", str(tmp_path), "--format", fmt, key="k"
            )
            assert code == 0, output
            assert not RAW.search(output), (fmt, repr(output))
            assert "Acme" in output
            assert "pwned" in output
