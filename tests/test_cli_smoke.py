import subprocess
import sys

from click.testing import CliRunner

from layers_reconcile.cli.main import cli


def test_help_lists_global_options_and_never_a_key() -> None:
    result = CliRunner().invoke(cli, ["--help"], env={"LAYERS_API_KEY": "lp_test_secret"})
    assert result.exit_code == 0
    assert "--api-key" in result.output
    assert "lp_test_secret" not in result.output


def test_console_script_runs_as_module() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "layers_reconcile", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0
    assert "layers-reconcile" in proc.stdout
