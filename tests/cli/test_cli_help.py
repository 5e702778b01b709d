"""`partywatch --help` is the documentation: every command is there and explains itself.

It is also instant: neither `--help` nor the light commands load the crawler, spaCy, the
database layer or the plotting library before they need them.
"""

import json
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
    result = CliRunner().invoke(main, [name, "--help"], prog_name="partywatch")
    assert result.exit_code == 0, result.output
    usage = result.output.splitlines()[0]
    assert usage.startswith(f"Usage: partywatch {name} [OPTIONS]"), usage  # its own usage line
    description = result.output.splitlines()[2]
    assert description.strip() and not description.lstrip().startswith("-")  # then what it does
    assert len(result.output.splitlines()) >= 4


def test_console_script_runs():
    out = subprocess.run([sys.executable, "-m", "partywatch.cli", "--version"], capture_output=True,
                         text=True, check=True)
    assert "partywatch, version" in out.stdout


def test_the_program_ends_with_its_commands_exit_status_and_all_its_output(tmp_path):
    """`partywatch` skips the interpreter's teardown at exit (spiders.quick_exit): what it
    printed must still arrive whole, through a pipe, and a failure must still exit non-zero."""
    wrong = subprocess.run([sys.executable, "-m", "partywatch.cli", "no-such-command"], capture_output=True,
                           text=True)
    assert wrong.returncode == 2 and "No such command 'no-such-command'" in wrong.stderr
    help_page = subprocess.run([sys.executable, "-m", "partywatch.cli", "check", "--help"],
                               capture_output=True, text=True)
    assert help_page.returncode == 0
    assert "partywatch check --db postgresql://app@db/partywatch" in help_page.stdout  # the examples ...
    assert help_page.stdout.rstrip().endswith("Show this message and exit.")  # ... and the options after
    broken = tmp_path / "rubric.yaml"
    broken.write_text("version: [unclosed\n", encoding="utf-8")
    invalid = subprocess.run([sys.executable, "-m", "partywatch.cli", "rubric", "validate", str(broken)],
                             capture_output=True, text=True)
    assert invalid.returncode == 1 and f"{broken}:2: YAML syntax error" in invalid.stdout + invalid.stderr


# Libraries that take a large part of a second to import, or tens of MB.
HEAVY = {"scrapy", "twisted", "playwright", "scrapy_playwright", "spacy", "thinc", "matplotlib",
         "sqlalchemy", "alembic", "telegram"}
HELP_PAGES = [[name, "--help"] for name in COMMANDS] + [
    ["rubric", "validate", "--help"], ["rubric", "evaluate", "--help"], ["db", "upgrade", "--help"],
    ["db", "current", "--help"], ["spending", "import", "--help"], ["spending", "gaps", "--help"]]
PROBE = ("import json, sys\nfrom partywatch.cli import main\n"
         "try:\n    main(sys.argv[1:])\nexcept SystemExit as exc:\n    code = exc.code\n"
         "print(json.dumps({'exit': code, 'modules': sorted({m.split('.')[0] for m in sys.modules})}))")


def loaded_modules(args: list[str], cwd=None, env=None) -> tuple[int, set[str]]:
    """(exit status, top-level modules imported) of `partywatch ARGS` in a fresh interpreter."""
    out = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True,
                         check=True, cwd=cwd, env=env)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return result["exit"], set(result["modules"])


@pytest.mark.parametrize("args", HELP_PAGES, ids=" ".join)
def test_a_command_help_loads_no_heavy_library(args):
    status, modules = loaded_modules(args)
    assert status == 0
    assert modules & HEAVY == set()


def test_history_and_export_load_no_crawler_nlp_or_plotting(tmp_path):
    from history import open_database

    db = f"sqlite:///{tmp_path / 'history.db'}"
    open_database(db).dispose()  # an empty history: export reads only a database that exists
    status, modules = loaded_modules(["export", "--db", db, "--format", "csv", "--out", str(tmp_path / "out")])
    assert status == 0 and (tmp_path / "out" / "parties.csv").is_file()
    assert "sqlalchemy" in modules  # it did read the database
    assert modules & {"scrapy", "twisted", "playwright", "spacy", "matplotlib", "telegram"} == set()
    status, modules = loaded_modules(["history", "alpha", "--db", db])
    assert status == 1  # no such party in an empty history: a clear error
    assert modules & {"scrapy", "twisted", "playwright", "spacy", "matplotlib", "telegram"} == set()


def test_rubric_validate_starts_spacy_only_for_a_rubric_it_has_not_seen(tmp_path):
    import os

    from partywatch.paths import REPO_ROOT

    env = dict(os.environ, PARTYWATCH_CACHE_DIR=str(tmp_path / "cache"))
    first = subprocess.run([sys.executable, "-m", "partywatch.cli", "rubric", "validate",
                            str(REPO_ROOT / "rubric.yaml")], capture_output=True, text=True, env=env)
    assert first.returncode == 0 and ": OK" in first.stdout
    status, modules = loaded_modules(["rubric", "validate", str(REPO_ROOT / "rubric.yaml")], env=env)
    assert status == 0
    assert modules & HEAVY == set()
    again = subprocess.run([sys.executable, "-m", "partywatch.cli", "rubric", "validate",
                            str(REPO_ROOT / "rubric.yaml")], capture_output=True, text=True, env=env)
    assert again.stdout == first.stdout
    # the cache is safe to delete: the rubric is compiled again, with the same summary
    for marker in (tmp_path / "cache").rglob("*"):
        if marker.is_file():
            marker.unlink()
    status, modules = loaded_modules(["rubric", "validate", str(REPO_ROOT / "rubric.yaml")], env=env)
    assert status == 0 and "spacy" in modules


def test_help_loads_no_heavy_library():
    # `partywatch --help` must be instant: no crawler, NLP, database or plotting library
    probe = ("import sys\nfrom partywatch.cli import main\n"
             "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
             "heavy = {'scrapy', 'spacy', 'sqlalchemy', 'matplotlib', 'alembic', 'telegram'}\n"
             "print(sorted({m.split('.')[0] for m in sys.modules} & heavy))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert "check" in out.stdout and out.stdout.strip().endswith("[]"), out.stdout
