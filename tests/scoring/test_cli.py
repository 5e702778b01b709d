"""`partywatch score` and `partywatch rubric evaluate`: output, exit status, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner

from partywatch.cli import main
from scoring.evaluation import wilson_interval

CORPUS = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "corpus"


def run(*args):
    return CliRunner().invoke(main, ["score", *map(str, args)], terminal_width=150)


def test_score_json_set_of_files():
    res = run(CORPUS / "green-valleys.html", CORPUS / "green-valleys-suppliers.html", "--format", "json")
    assert res.exit_code == 0, res.output
    card = json.loads(res.output)
    assert set(card) == {"rubric_version", "overall", "grade", "steps"}
    assert len(card["steps"]) == 10
    named = card["steps"][1]["elements"][0]
    assert named["id"] == "named-suppliers" and named["credit"] == "full"
    assert any(ev["url"].endswith("green-valleys-suppliers.html") for ev in named["evidence"])


def test_score_table_is_readable():
    res = run(CORPUS / "civic-renewal.html", CORPUS / "progressive-union.pdf")
    assert res.exit_code == 0, res.output
    assert "grade A" in res.output
    assert "data-sources" in res.output and "accountability" in res.output
    assert "electoral register" in res.output


def test_missing_and_unreadable_files_are_clear_errors(tmp_path):
    res = run(tmp_path / "nope.html")
    assert res.exit_code != 0 and "no such file" in res.output and "Traceback" not in res.output
    res = run(tmp_path)
    assert res.exit_code != 0 and "directory" in res.output
    odd = tmp_path / "notice.docx"
    odd.write_bytes(b"PK..")
    res = run(odd)
    assert res.exit_code != 0 and "unsupported file type" in res.output
    locked = tmp_path / "broken.pdf"
    locked.write_bytes(b"%PDF-1.4\n1 0 obj <<")
    res = run(locked)
    assert res.exit_code != 0 and "PDF" in res.output and "Traceback" not in res.output


def test_empty_file_gives_all_none(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    res = run(empty, "--format", "json")
    assert res.exit_code == 0
    card = json.loads(res.output)
    credits = {e["id"]: e["credit"] for s in card["steps"] for e in s["elements"]}
    # answered from spending returns, which `score` has none of: not counted
    assert credits.pop("paid-suppliers-named") == "n/a"
    assert card["overall"] == 0 and set(credits.values()) == {"none"}


def test_bad_rubric_option(tmp_path):
    bad = tmp_path / "rubric.yaml"
    bad.write_text("version: 1\nsteps: [\n")
    res = run(CORPUS / "heartland.html", "--rubric", bad)
    assert res.exit_code != 0 and "YAML syntax error" in res.output


def test_score_url_served_locally():
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(CORPUS))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        res = run(f"{base}/civic-renewal.html", "--format", "json")
        assert res.exit_code == 0, res.output
        card = json.loads(res.output)
        assert card["grade"] == "A"
        assert card["steps"][0]["elements"][0]["evidence"][0]["url"] == f"{base}/civic-renewal.html"
        res = run(f"{base}/missing.html")
        assert res.exit_code != 0 and "HTTP 404" in res.output
    finally:
        server.shutdown()
        server.server_close()


def test_rubric_evaluate_reports_agreement_and_gates_on_min_agreement():
    corpus = str(CORPUS)
    runner = CliRunner()
    ok = runner.invoke(main, ["rubric", "evaluate", corpus, "--min-agreement", "0.5"])
    assert ok.exit_code == 0, ok.output
    assert "step agreement" in ok.output and "element agreement" in ok.output
    assert "evidence precision" in ok.output and "confusion" in ok.output
    low = runner.invoke(main, ["rubric", "evaluate", corpus, "--min-agreement", "1.0", "--show", "0"])
    assert low.exit_code == 1 and "below --min-agreement" in low.output
    as_json = runner.invoke(main, ["rubric", "evaluate", corpus, "--format", "json"])
    report = json.loads(as_json.output)
    assert report["steps"]["total"] == 150 and report["evidence"]["unreviewed"] == 0
    assert all({"document", "subject", "label", "got", "why", "quote"} <= set(d) for d in report["disagreements"])
    missing = runner.invoke(main, ["rubric", "evaluate", "/no/such/corpus"])
    assert missing.exit_code == 1 and "no such folder" in missing.output


def test_rubric_evaluate_gives_each_figure_the_range_its_corpus_supports():
    runner = CliRunner()
    table = runner.invoke(main, ["rubric", "evaluate", str(CORPUS), "--show", "0"])
    assert table.exit_code == 0, table.output
    for figure in ("step agreement", "element agreement", "evidence precision"):
        line = next(line for line in table.output.splitlines() if figure in line)
        assert "(95% interval " in line, line
    report = json.loads(runner.invoke(main, ["rubric", "evaluate", str(CORPUS), "--format", "json"]).output)
    for figure, value in (("steps", "agreement"), ("elements", "agreement"), ("evidence", "precision")):
        low, high = report[figure]["interval_95"]
        assert low < report[figure][value] <= high <= 1


def test_the_interval_of_a_proportion_is_wilsons():
    low, high = wilson_interval(100, 120)  # the locked split's 100 agreeing steps of 120
    assert round(low, 3) == 0.757 and round(high, 3) == 0.889
    low, high = wilson_interval(20, 20)  # all agree: still a range, not a point
    assert round(low, 3) == 0.839 and high == 1.0
    assert wilson_interval(0, 0) is None


def test_rubric_evaluate_names_the_rules_behind_rejected_quotes(tmp_path):
    # the maintainer's question after "precision 81%": which rules do the rejected quotes come from?
    (tmp_path / "labels").mkdir()
    (tmp_path / "notice.txt").write_text(
        "We keep membership records for six years after your membership ends.\n\n"
        "We may receive information about you from third parties such as data providers.\n", encoding="utf-8")
    (tmp_path / "labels" / "notice.yaml").write_text(
        "document: notice\nfiles: {notice.txt: privacy_notice}\nsteps:\n"
        "  retention: {label: partial, why: 'one period: \"six years\"'}\n"
        "  data-sources: {label: partial, why: '\"from third parties such as data providers\"'}\n", encoding="utf-8")
    reviews = [{"document": "notice", "element": "retention/periods", "credit": "partial",
                "quote": "We keep membership records for six years after your membership ends.",
                "verdict": "accept", "reason": "a period for one category"},
               {"document": "notice", "element": "data-sources/commercial-data", "credit": "partial",
                "quote": "We may receive information about you from third parties such as data providers.",
                "verdict": "reject", "reason": "(rejected here to see it counted against its rule)"}]
    (tmp_path / "evidence_review.yaml").write_text(yaml.safe_dump({"reviews": reviews}), encoding="utf-8")
    runner = CliRunner()
    table = runner.invoke(main, ["rubric", "evaluate", str(tmp_path)])
    assert table.exit_code == 0, table.output
    assert "rules behind rejected quotes (1; first 1), rejected / reviewed:" in table.output
    assert "- data-sources/commercial-data/partial[1]: 1 / 1" in table.output
    assert "retention/periods/partial[0]" not in table.output.split("rules behind")[1]  # none rejected
    report = json.loads(runner.invoke(main, ["rubric", "evaluate", str(tmp_path), "--format", "json"]).output)
    assert report["rules"][0] == {"rule": "data-sources/commercial-data/partial[1]", "accepted": 0, "rejected": 1,
                                  "unreviewed": 0, "precision": 0.0}
    assert {"rule": "retention/periods/partial[0]", "accepted": 1, "rejected": 0, "unreviewed": 0,
            "precision": 1.0} in report["rules"]
    assert report["rejected_quotes"][0]["rule"] == "data-sources/commercial-data/partial[1]"
