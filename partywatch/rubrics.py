"""Loading the rubric for a command: a rubric with errors stops the command, cleanly."""

from __future__ import annotations

from pathlib import Path

import click

from scoring import Rubric, RubricError, load_rubric


def load_rubric_or_exit(path: str | Path) -> Rubric:
    """The rubric at `path`, or a ClickException listing every problem in it."""
    try:
        return load_rubric(path)
    except RubricError as exc:
        raise click.ClickException(f"the rubric has errors; nothing was changed:\n{exc}") from exc
