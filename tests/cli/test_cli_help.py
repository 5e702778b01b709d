"""`partywatch --help` is the documentation: every command is there and explains itself."""

import subprocess
import sys

import pytest
from click.testing import CliRunner

from partywatch.cli import main

COMMANDS = ["check", "score", "demo", "rescore", "serve", "rubric", "history", "export", "import",
            "report", "browse", "db", "spending"]


def test_help_lists_every_command():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert f"  {name} " in result.output


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help(name):
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage: main" in result.output or f"{name}" in result.output
    assert len(result.output.splitlines()) >= 4


def test_console_script_runs():
    out = subprocess.run([sys.executable, "-m", "partywatch.cli", "--version"], capture_output=True,
                         text=True, check=True)
    assert "partywatch, version" in out.stdout


def test_help_loads_no_heavy_library():
    # `partywatch --help` must be instant: no crawler, NLP, database or plotting library
    probe = ("import sys\nfrom partywatch.cli import main\n"
             "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
             "heavy = {'scrapy', 'spacy', 'sqlalchemy', 'matplotlib', 'alembic', 'telegram'}\n"
             "print(sorted({m.split('.')[0] for m in sys.modules} & heavy))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert "check" in out.stdout and out.stdout.strip().endswith("[]"), out.stdout
