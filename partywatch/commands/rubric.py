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


def default_corpus_path():
    from pathlib import Path

    return Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "corpus" / "real"


@command.command("evaluate")
@click.argument("corpus_dir", required=False, type=click.Path(file_okay=False))
@click.option("--rubric", "rubric_path", type=click.Path(dir_okay=False), metavar="FILE",
              help="Rubric to evaluate (default: ./rubric.yaml).")
@click.option("--split", type=click.Choice(["all", "tune", "locked"]), default="all", show_default=True,
              help="Which documents of the corpus's split.yaml to score.")
@click.option("--min-agreement", type=click.FloatRange(0, 1), metavar="X",
              help="Exit 1 when the exact step agreement is below X (e.g. 0.9).")
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.option("--show", type=click.IntRange(0), default=40, show_default=True,
              help="How many rules behind rejected quotes, and how many disagreements, to list in the table (all in JSON).")
def evaluate(corpus_dir, rubric_path, split, min_agreement, output_format, show) -> None:
    """Agreement of the rubric with a labelled corpus (the bundled real notices by default).

    Scores every labelled document set in CORPUS_DIR and compares with the careful
    reading in its labels: step agreement (exact, and within one class), element
    agreement, evidence precision (from evidence_review.yaml; quotes not yet reviewed are
    counted apart, never as right), each with its 95% interval (a corpus of a few dozen
    notices measures a range, not a point), the confusion table, the rules behind the
    rejected quotes (most first), and each disagreement with the label's `why` beside
    partywatch's quote.

    \b
    The maintainer's loop: edit rubric.yaml, then
      partywatch rubric validate
      partywatch rubric evaluate --split tune      # tune on these only
      partywatch rescore                           # apply to the stored history
    Report the locked split (--split locked) but never tune on its texts or errors.
    """
    import json
    from pathlib import Path

    from scoring import RubricError, Scorer, load_rubric
    from scoring.evaluation import CorpusError
    from scoring.evaluation import evaluate as run_evaluation

    path = rubric_path or str(default_rubric_path())
    folder = Path(corpus_dir) if corpus_dir else default_corpus_path()
    try:
        rubric = load_rubric(path)
        result = run_evaluation(Scorer(rubric), folder, split)
    except RubricError as exc:
        raise click.ClickException(f"{path}: the rubric has errors; run `partywatch rubric validate`:\n{exc}")
    except CorpusError as exc:
        raise click.ClickException(str(exc))
    if output_format == "json":
        click.echo(json.dumps({"rubric_version": rubric.version, **result.to_dict()}, indent=2))
    else:
        _print_evaluation(result, rubric.version, show)
    if min_agreement is not None and result.step_agreement < min_agreement:
        click.echo(f"step agreement {result.step_agreement:.1%} is below --min-agreement {min_agreement:.1%}",
                   err=True)
        raise SystemExit(1)


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1%}"


def _interval(bounds: tuple[float, float] | None) -> str:
    return "" if bounds is None else f" (95% interval {bounds[0]:.1%}–{bounds[1]:.1%})"


def _print_evaluation(r, version: str, show: int) -> None:
    click.echo(f"rubric {version} on {r.corpus} (split: {r.split}, {len(r.documents)} document sets)")
    click.echo(f"  step agreement     {r.steps_exact}/{r.steps_total} = {_pct(r.step_agreement)} exact"
               f"{_interval(r.step_interval)}, {_pct(r.within_one)} within one class")
    if r.elements_total:
        click.echo(f"  element agreement  {r.elements_exact}/{r.elements_total} = {_pct(r.element_agreement)}"
                   f"{_interval(r.element_interval)}")
    reviewed = r.quotes_accepted + r.quotes_rejected
    click.echo(f"  evidence precision {r.quotes_accepted}/{reviewed} = {_pct(r.evidence_precision)}"
               f"{_interval(r.evidence_interval)} of reviewed quotes; "
               f"{r.quotes_unreviewed} quote(s) not yet reviewed")
    click.echo("\n  confusion (rows: label, columns: partywatch)")
    from scoring.evaluation import CLASSES

    click.echo("  " + " " * 10 + "".join(f"{c:>9}" for c in CLASSES))
    for label in CLASSES:
        click.echo(f"  {label:10}" + "".join(f"{r.confusion.get((label, got), 0):9d}" for got in CLASSES))
    rules = [row for row in r.rules_by_rejections() if row["rejected"]]
    if rules and show:
        click.echo(f"\n  rules behind rejected quotes ({len(rules)}; first {min(show, len(rules))}), "
                   f"rejected / reviewed:")
        for row in rules[:show]:
            click.echo(f"  - {row['rule']}: {row['rejected']} / {row['rejected'] + row['accepted']}")
    if r.disagreements and show:
        click.echo(f"\n  disagreements ({len(r.disagreements)}; first {min(show, len(r.disagreements))}):")
        for d in r.disagreements[:show]:
            score = f" ({d.score:.1f})" if d.score is not None else ""
            click.echo(f"  - {d.document} {d.subject}: label {d.label}, partywatch {d.got}{score}")
            if d.why:
                click.echo(f"      label why: {d.why[:200]}")
            if d.quote:
                click.echo(f"      partywatch quote: {d.quote[:200]}")
