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
    over time stay comparable; nothing is crawled, and a new rubric version notifies
    no one (the parties did not change). A (snapshot, rubric) pair already scored is
    never recomputed, so running it twice does no work the second time. A rubric with
    errors changes nothing.

    Run it also after `partywatch spending import`: the current scorecards take in the
    new spending items (element paid-suppliers-named), and a scorecard that changes
    under the same rubric is news, queued for subscribers as after a check.
    """
    from sqlalchemy import select

    from history.db import transaction
    from history.models import RubricVersionRow, RunRow, ScorecardRow
    from history.store import finish_run, start_run
    from partywatch.pipeline import queue_notifications, rescore_history
    from partywatch.rubrics import load_rubric_or_exit
    from scoring import Scorer

    rubric = load_rubric_or_exit(resolve_rubric_path(rubric_path))
    engine = open_db(db_url, create=False)
    scorer = Scorer(rubric)
    with transaction(engine) as session:
        run_id = start_run(session, "rescore").id
        # Parties scored under this very rubric before: a change now is new data, not a new rubric.
        same_rubric = set(session.scalars(
            select(ScorecardRow.party_id).join(RubricVersionRow, RubricVersionRow.id == ScorecardRow.rubric_version_id)
            .where(RubricVersionRow.content_hash == rubric.content_hash)))
    try:
        outcomes = rescore_history(engine, run_id=run_id, rubric=rubric, scorer=scorer,
                                   progress=lambda line: click.echo(line.text, err=True))
    except Exception as exc:
        with transaction(engine) as session:
            finish_run(session, session.get(RunRow, run_id), error=str(exc))
        raise
    with transaction(engine) as session:
        finish_run(session, session.get(RunRow, run_id))
    queued = queue_notifications(engine, run_id, [o for o in outcomes if o.party_id in same_rubric])
    changed = sum(o.changed for o in outcomes)
    unscored = sum(not o.scored for o in outcomes)
    click.echo(f"rubric {rubric.version} ({rubric.content_hash[:12]}): rescored "
               f"{len(outcomes)} parties, {changed} with a new scorecard, "
               f"{unscored} not scored (no readable privacy notice)"
               + (f"; {queued} notification(s) queued" if queued else ""))
