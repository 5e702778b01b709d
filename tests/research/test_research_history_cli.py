"""`partywatch history PARTY`: the scores over time, one rubric version at a time, and a chart."""

import matplotlib.image
from click.testing import CliRunner

from partywatch.commands.history import command as history_command


def run(*args):
    return CliRunner().invoke(history_command, list(args), terminal_width=120)


def test_table_shows_each_scorecard_of_the_latest_rubric_version(history_db):
    result = run("snp", "--db", history_db.url)
    assert result.exit_code == 0, result.output
    assert "Scottish National Party (snp) — rubric version 2025.2" in result.output
    latest = history_db.latest("snp")
    assert latest.scored_at.strftime("%Y-%m-%d") in result.output
    assert f"{latest.overall:.0f}" in result.output and latest.grade in result.output
    # The older version is named, not mixed in.
    assert "Also scored under rubric version(s) 2025.1 (2 scorecard(s))" in result.output
    assert "2025-03-01" not in result.output
    assert "s9 retention" in result.output


def test_a_party_not_scored_now_says_so_under_its_history(history_db):
    from history.db import transaction
    from history.store import mark_not_scored

    with transaction(history_db.engine) as session:
        mark_not_scored(session, "labour", "its documents are gone (HTTP 404/410)", None)
        mark_not_scored(session, "reform", "no privacy notice found on its website", None)
    result = run("labour", "--db", history_db.url)
    assert result.exit_code == 0, result.output
    assert ("Now not scored: its documents are gone (HTTP 404/410). "
            "The scorecards above are its history, not its grade.") in result.output
    result = run("reform", "--db", history_db.url)
    assert result.exit_code == 1
    assert "Reform UK (reform) is not scored: no privacy notice found on its website" in result.output


def test_older_version_and_rises_are_marked(history_db):
    result = run("Scottish National Party", "--db", history_db.url, "--rubric-version", "2025.1")
    assert result.exit_code == 0, result.output
    cards = history_db.cards_of("snp", "2025.1")
    assert "rubric version 2025.1" in result.output
    for card in cards:
        assert card.scored_at.strftime("%Y-%m-%d") in result.output
    assert f"▲{cards[1].steps['retention']:.0f}" in result.output  # retention rose 0 -> 67
    assert "2 scorecard(s) under rubric version 2025.1" in result.output


def test_last_limits_the_table_and_says_so(history_db):
    result = run("snp", "--db", history_db.url, "--rubric-version", "2025.1", "--last", "1")
    assert result.exit_code == 0, result.output
    # The older scorecard's row is gone; its date stays only in the summary's range.
    assert result.output.count("2025-03-01") == 1 and result.output.count("2025-03-03") == 2
    assert "1 older scorecard(s) not shown" in result.output


def test_plot_writes_a_png_chart(history_db, tmp_path):
    chart = tmp_path / "charts" / "labour.png"
    result = run("labour", "--db", history_db.url, "--rubric-version", "2025.1", "--plot", str(chart))
    assert result.exit_code == 0, result.output
    assert f"Chart written to {chart}" in result.output
    pixels = matplotlib.image.imread(str(chart))
    assert pixels.shape[1] >= 800 and pixels[..., :3].std() > 0.05


def test_unknown_party_suggests_close_ids(history_db):
    result = run("snpp", "--db", history_db.url)
    assert result.exit_code == 1
    # The same words as the bot's answer to /score snpp.
    assert "I don't know a party called “snpp”. Did you mean snp?" in result.output
    assert "Traceback" not in result.output
    result = run("gerens", "--db", history_db.url)
    assert "Did you mean greens?" in result.output
    # As in the bot, a unique beginning of a name is enough.
    result = run("green", "--db", history_db.url)
    assert result.exit_code == 0 and "Scottish Greens (greens)" in result.output


def test_party_without_scorecards_and_unknown_version_are_clear_errors(history_db):
    result = run("reform", "--db", history_db.url)
    assert result.exit_code == 1
    assert "Reform UK (reform) has no scorecards yet" in result.output
    result = run("snp", "--db", history_db.url, "--rubric-version", "1999")
    assert result.exit_code == 1
    assert "no scorecards under rubric version '1999'" in result.output
    assert "2025.2, 2025.1" in result.output


def test_empty_database_says_there_are_no_parties(engine, database_url):
    result = run("snp", "--db", database_url)
    assert result.exit_code == 1
    assert "the database has no parties yet" in result.output


def test_a_mistyped_database_path_is_an_error_and_no_new_database(tmp_path):
    """A researcher's typo in --db used to make a new empty database there and report that
    it "has no parties yet"; every command that only reads or rescores the history now says
    the database is not there, and leaves nothing behind."""
    from partywatch.cli import main

    missing = tmp_path / "histroy.db"
    for args in (["history", "snp"], ["export", "--format", "csv", "--out", str(tmp_path / "out")],
                 ["report", "--out", str(tmp_path / "site")], ["rescore"]):
        result = CliRunner().invoke(main, [*args, "--db", f"sqlite:///{missing}"])
        assert result.exit_code == 1, (args, result.output)
        assert f"no database at {missing}: nothing has been stored there" in result.output, args
        assert not missing.exists(), args
    assert not (tmp_path / "out").exists() and not (tmp_path / "site").exists()


def _score_the_conservatives(engine):
    from history.db import transaction
    from history.store import ensure_rubric_version, finish_run, start_run, store_scorecard, sync_parties

    with transaction(engine) as session:
        sync_parties(session, [{"id": "conservatives", "name": "Conservative and Unionist Party",
                                "jurisdiction": "GB", "homepage": "https://www.conservatives.com/"}])
        run_row = start_run(session, "check")
        version = ensure_rubric_version(session, "hash-tories", "2025.2", "version: 2025.2")
        store_scorecard(session, party_id="conservatives", run_id=run_row.id, rubric_version_id=version.id,
                        overall=41.0, grade="D", steps=[{"id": "retention", "title": "Retention", "score": 41.0,
                                                         "elements": []}], snapshot_ids=[])
        finish_run(session, run_row)


def test_an_alias_from_parties_yaml_names_the_party_as_in_the_bot(history_db):
    """`partywatch history tories` works like the bot's `/score tories`: the aliases come
    from parties.yaml (the shipped one by default)."""
    _score_the_conservatives(history_db.engine)
    for name in ("tories", "Tory", "conservatives"):
        result = run(name, "--db", history_db.url)
        assert result.exit_code == 0, result.output
        assert "1 scorecard(s) under rubric version 2025.2" in result.output, name
        assert "(conservatives)" in result.output, name


def test_aliases_come_from_the_parties_file_given(history_db, tmp_path):
    parties = tmp_path / "parties.yaml"
    parties.write_text("parties:\n  - id: greens\n    name: Scottish Greens\n    jurisdiction: GB-SCT\n"
                       "    homepage: https://greens.scot/\n    aliases: [sgp, green party]\n", encoding="utf-8")
    result = run("sgp", "--db", history_db.url, "--parties", str(parties))
    assert result.exit_code == 0 and "Scottish Greens (greens)" in result.output
    parties.write_text(parties.read_text(encoding="utf-8").replace("green party", "'...'"), encoding="utf-8")
    result = run("sgp", "--db", history_db.url, "--parties", str(parties))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{parties}:6: parties[0] (greens).aliases[1]: '...' is not a name" in result.output
