"""The `partywatch` command line. Each command lives in partywatch/commands/.

Commands are imported only when they run: `partywatch --help` and a command's own
`--help` never load scrapy, spaCy or the database layer. The command list shown by
`--help` reads each command's summary from its source (its docstring), so the summary is
written once, next to the command.
"""

from __future__ import annotations

import ast
import importlib
import sys
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import NoReturn

import click

from partywatch import __version__

# command name -> module of partywatch.commands defining `command`
COMMANDS = {
    "browse": "browse",
    "check": "check",
    "db": "db",
    "demo": "demo",
    "export": "export",
    "history": "history",
    "import": "import_copy",  # `import` is a Python keyword
    "report": "report",
    "rescore": "rescore",
    "rubric": "rubric",
    "score": "score",
    "serve": "serve",
    "spending": "spending",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        return importlib.import_module(f"partywatch.commands.{COMMANDS[name]}").command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        width = formatter.width - 6 - max(len(name) for name in COMMANDS)
        # a stand-in Command per row, for click's own shortening of a help text (its helper
        # for that, click.utils.make_default_short_help, is deprecated)
        rows = [(name, click.Command(name, help=_summary(name)).get_short_help_str(width)) for name in COMMANDS]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@lru_cache(maxsize=None)
def _summary(name: str) -> str:
    """The docstring of the module's `command` function, read without importing it."""
    spec = find_spec(f"partywatch.commands.{COMMANDS[name]}")
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "command":
            return ast.get_docstring(node) or ""
    return ""


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="partywatch")
def main() -> None:
    """Score how openly political parties explain their use of voters' personal data.

    partywatch crawls each party's privacy notices and supplier disclosures, scores them
    against the ten-step transparency rubric in rubric.yaml (quoting the evidence for
    every credit), keeps the whole history in a database, and tells Telegram subscribers
    when a party's scorecard changes.

    \b
    Database: --db URL, else $DATABASE_URL, else sqlite:///partywatch.db.
    Start with `partywatch demo` to see the whole pipeline on bundled sample sites.
    """


def run() -> NoReturn:
    """The `partywatch` program: main() as click runs it, then spiders.quick_exit.exit_now
    with its exit status (tests call main() through click's CliRunner instead)."""
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    else:  # click always ends with SystemExit; this is for safety
        code = 0
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    from spiders.quick_exit import exit_now

    exit_now(code)


if __name__ == "__main__":
    run()
