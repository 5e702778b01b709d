"""`partywatch rescore` after a rubric edit: a broken rubric changes nothing."""

from click.testing import CliRunner
from sqlalchemy import func, select
from test_pipeline import DETAILED, run_check

from history.db import transaction
from history.models import RubricVersionRow, ScorecardRow
from partywatch.cli import main
from partywatch.paths import REPO_ROOT
from scoring import Scorer, load_rubric


def scorecards(engine):
    with transaction(engine) as session:
        return session.scalar(select(func.count()).select_from(ScorecardRow))


def test_broken_rubric_is_refused_and_a_good_edit_rescores(engine, database_url, tmp_path):
    rubric = load_rubric(REPO_ROOT / "rubric.yaml")
    run_check(engine, rubric, Scorer(rubric), {"alpha": DETAILED})
    assert scorecards(engine) == 1

    broken = tmp_path / "broken.yaml"
    broken.write_text(rubric.yaml_text.replace("steps:", "stepz:", 1))
    result = CliRunner().invoke(main, ["rescore", "--db", database_url, "--rubric", str(broken)])
    assert result.exit_code == 1
    assert "the rubric has errors; nothing was changed" in result.output
    assert "Traceback" not in result.output
    assert scorecards(engine) == 1

    edited = tmp_path / "edited.yaml"
    edited.write_text(rubric.yaml_text + "\n# a comment changes the rubric's hash\n")
    result = CliRunner().invoke(main, ["rescore", "--db", database_url, "--rubric", str(edited)])
    assert result.exit_code == 0, result.output
    assert "rescored 2 parties" in result.output
    assert "1 not scored (no readable privacy notice)" in result.output
    assert "not scored beta: no privacy notice found on its website" in result.output
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(RubricVersionRow)) == 2
    assert scorecards(engine) == 2  # alpha under the new rubric; beta has no documents, no grade
