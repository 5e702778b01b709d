"""`partywatch rubric validate [FILE]`: check a rubric before using it."""

from __future__ import annotations

import click

try:
    from partywatch.paths import default_rubric_path
except ImportError:  # pragma: no cover - fallback while paths.py is absent
    from pathlib import Path

    def default_rubric_path() -> Path:
        local = Path("rubric.yaml")
        return local if local.exists() else Path(__file__).resolve().parents[2] / "rubric.yaml"


@click.group("rubric")
def command() -> None:
    """Work with the scoring rubric (rubric.yaml)."""


@command.command("validate")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
def validate(file: str | None) -> None:
    """Check FILE (default: ./rubric.yaml) and print a summary, or every error with its line.

    Exit status 0 when the rubric is valid, 1 when it has errors.
    """
    from scoring import RubricError, load_rubric

    path = file or str(default_rubric_path())
    try:
        rubric = load_rubric(path)
    except RubricError as exc:
        n = len(exc.problems)
        click.echo(f"{path}: {n} error{'s' if n != 1 else ''}; this rubric would not be used:", err=True)
        for line in str(exc).splitlines():
            click.echo(f"  {line}", err=True)
        raise SystemExit(1)
    s = rubric.summary()
    click.echo(f"{path}: OK")
    click.echo(f"  version         {s['version']}")
    click.echo(f"  steps           {s['steps']}")
    click.echo(f"  elements        {s['elements']}")
    click.echo(f"  phrase patterns {s['phrase_patterns']}")
    click.echo(f"  token patterns  {s['token_patterns']}")
    click.echo(f"  known suppliers {s['known_suppliers']}")
    click.echo(f"  content hash    {s['content_hash'][:16]}")
    for step in rubric.steps:
        els = ", ".join(e.id for e in step.elements)
        click.echo(f"  - {step.id:22s} (weight {step.weight:g}): {els}")
