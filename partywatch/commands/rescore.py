"""`partywatch rescore`: re-apply the rubric to every stored snapshot, without crawling."""

from __future__ import annotations

import click

from partywatch.options import db_option, open_db, resolve_rubric_path, rubric_option


@click.command("rescore")
@db_option
@rubric_option
def command(db_url: str | None, rubric_path: str | None) -> None:
    """Rescore stored snapshots under the current rubric.

    Run it after editing rubric.yaml. Every party's stored history is scored again
    under the new rubric version (same runs, same dates, same snapshots), so scores
    over time stay comparable; nothing is crawled and no notification is sent.
    A (snapshot, rubric) pair already scored is never recomputed, so running it twice
    does no work the second time. A rubric with errors changes nothing.
    """
    from history.db import transaction
    from history.models import Run
    from history.store import finish_run, start_run
    from partywatch.pipeline import rescore_history
    from partywatch.rubrics import load_rubric_or_exit
    from scoring import Scorer

    rubric = load_rubric_or_exit(resolve_rubric_path(rubric_path))
    engine = open_db(db_url)
    scorer = Scorer(rubric)
    with transaction(engine) as session:
        run_id = start_run(session, "rescore").id
    try:
        outcomes = rescore_history(engine, run_id=run_id, rubric=rubric, scorer=scorer,
                                   progress=lambda line: click.echo(line, err=True))
    except Exception as exc:
        with transaction(engine) as session:
            finish_run(session, session.get(Run, run_id), error=str(exc))
        raise
    with transaction(engine) as session:
        finish_run(session, session.get(Run, run_id))
    changed = sum(o.changed for o in outcomes)
    unscored = sum(not o.scored for o in outcomes)
    click.echo(f"rubric {rubric.version} ({rubric.content_hash[:12]}): rescored "
               f"{len(outcomes)} parties, {changed} with a new scorecard, "
               f"{unscored} not scored (no readable privacy notice)")
