"""What a check starts: spaCy only when there is text to read, a crawl that gets its work
before the check loads what only scoring needs, and a crawl process that never outlives a
check that cannot run.

Starting spaCy costs about 1.7 s of CPU and 90 MB; a check whose documents did not change
turns the claims stored last time into its scorecard without it. The crawl process is
started before the check has validated anything (it imports scrapy meanwhile), so a check
that stops early must stop it too.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from helpers.crawl import check, count
from helpers.sites import ABOUT_THE_PARTY, page
from history.db import make_engine, open_database
from history.models import ScorecardRow
from scoring import load_rubric

NOTICE = ("<h1>Privacy notice</h1>"
          "<p>We get your name and address from the electoral register and from canvassing.</p>"
          "<p>You have the right to access your data and to complain to the ICO.</p>" + ABOUT_THE_PARTY)

# `partywatch check`, saying at exit whether this process ever imported spaCy, and the
# matching of spending returns with named suppliers (for a party with returns only).
CHECK_REPORTING_SPACY = ("import atexit, sys; "
                         "atexit.register(lambda: print('spaCy started:', 'spacy' in sys.modules)); "
                         "atexit.register(lambda: print('payees matched:', "
                         "'partywatch.spending.gaps' in sys.modules)); "
                         "from partywatch.cli import main; main()")


def check_reporting_spacy(database_url: str, parties: Path, rubric_path: Path) -> str:
    result = subprocess.run([sys.executable, "-c", CHECK_REPORTING_SPACY, "check", "--parties", str(parties),
                             "--rubric", str(rubric_path), "--db", database_url],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_check_reads_new_text_with_spacy_and_unchanged_text_without(database_url, sites, write_parties,
                                                                      rubric_path):
    site = sites({"/": page('<a href="/privacy">Privacy notice</a>'), "/privacy": page(NOTICE)})
    parties = write_parties({"alpha": site})
    engine = open_database(database_url)
    try:
        first = check_reporting_spacy(database_url, parties, rubric_path)
        assert "spaCy started: True" in first
        assert "payees matched: False" in first  # no spending returns imported
        unchanged = check_reporting_spacy(database_url, parties, rubric_path)
        assert "spaCy started: False" in unchanged
        assert "unchanged" in next(line for line in unchanged.splitlines() if "Alpha Party" in line)
        assert count(engine, ScorecardRow) == 1

        site.routes["/privacy"] = page(NOTICE.replace("from canvassing", "from canvassing and petitions"))
        changed = check_reporting_spacy(database_url, parties, rubric_path)
        assert "spaCy started: True" in changed
        assert count(engine, ScorecardRow) == 2
    finally:
        engine.dispose()


def _crawl_children() -> list[str]:
    """The command lines of this process's children that are crawl processes."""
    children = []
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        for pid in (task / "children").read_text().split():
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except FileNotFoundError:
                continue  # it ended meanwhile
            if "spiders.crawl" in command:
                children.append(command)
    return children


def test_a_check_that_cannot_run_leaves_no_crawl_process_behind(database_url, tmp_path, rubric_path):
    broken = tmp_path / "parties.yaml"
    broken.write_text("parties:\n  - id: alpha\n    homepage: not a url\n", encoding="utf-8")
    result = check(database_url, broken, rubric_path, expect_exit=1)
    assert "cannot use the parties file; nothing was checked" in result.output
    assert _crawl_children() == []


# `partywatch check`, printing the modules it has loaded once it has read the crawl's work
# from the history: the step just before it sends the work (spiders.runner.CrawlProcess.run).
CHECK_REPORTING_MODULES_AT_SEND = (
    "import sys\n"
    "import history.runs\n"
    "known_documents = history.runs.known_documents\n"
    "def reporting(*args):\n"
    "    work = known_documents(*args)\n"
    "    print('loaded before the crawl:', ' '.join(sorted(sys.modules)), flush=True)\n"
    "    return work\n"
    "history.runs.known_documents = reporting\n"
    "from partywatch.cli import main\n"
    "main()\n")

# What a check needs only once the crawl has its work (to score, store and report).
LOADED_WHILE_CRAWLING = ("sqlalchemy.orm", "history.models", "history.store", "scoring.rubric",
                         "scoring.engine", "partywatch.pipeline", "partywatch.archive", "spacy", "scrapy",
                         "rich")  # rich prints the tables; progress lines on a log need none


def test_a_check_sends_the_crawl_its_work_before_loading_what_only_scoring_needs(database_url, sites,
                                                                                write_parties, rubric_path):
    site = sites({"/": page('<a href="/privacy">Privacy notice</a>'), "/privacy": page(NOTICE)})
    parties = write_parties({"alpha": site})
    load_rubric(rubric_path)  # as an earlier check would have: a rubric known to load is parsed later
    for cycle in ("first", "unchanged"):
        result = subprocess.run([sys.executable, "-c", CHECK_REPORTING_MODULES_AT_SEND, "check", "--parties",
                                 str(parties), "--rubric", str(rubric_path), "--db", database_url],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        loaded = set(next(line for line in result.stdout.splitlines()
                          if line.startswith("loaded before the crawl:")).split(":", 1)[1].split())
        assert "partywatch.parties" in loaded and "history.runs" in loaded  # validated, run started
        assert not loaded.intersection(LOADED_WHILE_CRAWLING), cycle
        # neither a new database nor one at the latest schema needs Alembic
        assert "alembic" not in loaded, cycle
        summary = next(line for line in result.stdout.splitlines() if "Alpha Party" in line)
        assert ("new" if cycle == "first" else "unchanged") in summary, result.stdout


# What a check does with the history until its crawl ends, on a new database: make the
# schema, sync the parties, start a run and store a fetch (spiders.pipelines); then the
# modules it has loaded.
STORING_A_FETCH = (
    "import sys\n"
    "from history.db import open_database\n"
    "from history.fetches import document_for, write_fetch\n"
    "from history.runs import insert_run, write_parties\n"
    "engine = open_database(sys.argv[1])\n"
    "with engine.begin() as conn:\n"
    "    write_parties(conn, [{'id': 'alpha', 'name': 'Alpha Party', 'jurisdiction': 'uk',\n"
    "                          'homepage': 'https://alpha.example/'}])\n"
    "    run_id = insert_run(conn, 'check')\n"
    "    document = document_for(conn, 'alpha', 'https://alpha.example/privacy', 'privacy_notice')\n"
    "    write_fetch(conn, document.id, run_id=run_id, http_status=200, raw=b'<p>Privacy</p>',\n"
    "                content_type='text/html', text='Privacy', new_document=document.added)\n"
    "engine.dispose()\n"
    "print('loaded:', ' '.join(sorted(sys.modules)))\n")


def test_a_check_makes_a_new_database_and_stores_its_crawl_without_the_orm(database_url):
    result = subprocess.run([sys.executable, "-c", STORING_A_FETCH, database_url],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    loaded = set(result.stdout.split("loaded:", 1)[1].split())
    assert {"history.schema", "history.fetches"} <= loaded
    assert not loaded.intersection({"sqlalchemy.orm", "history.models"})
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM fetches").scalar() == 1
    finally:
        engine.dispose()


# `partywatch check`, printing how many full collections ran before the crawl was sent its
# work, and whether the collector runs again once it was.
CHECK_REPORTING_COLLECTIONS = (
    "import gc, sys\n"
    "full = []\n"
    "gc.callbacks.append(lambda phase, info: full.append(1) if phase == 'start' and info['generation'] == 2 "
    "else None)\n"
    "import spiders.runner\n"
    "send_work = spiders.runner._send_work\n"
    "def reporting(process, work):\n"
    "    print('full collections before the crawl:', len(full), flush=True)\n"
    "    send_work(process, work)\n"
    "spiders.runner._send_work = reporting\n"
    "import atexit\n"
    "atexit.register(lambda: print('collector enabled at exit:', gc.isenabled(), flush=True))\n"
    "from partywatch.cli import main\n"
    "main()\n")


def test_a_check_starts_its_crawl_without_the_collector_rescanning_its_imports(database_url, sites,
                                                                              write_parties, rubric_path):
    # SQLAlchemy, pydantic and the models live as long as the check: rescanning them was
    # ~0.09 s of CPU the crawl process waited for
    site = sites({"/": page('<a href="/privacy">Privacy notice</a>'), "/privacy": page(NOTICE)})
    parties = write_parties({"alpha": site})
    for cycle in ("first", "unchanged"):
        result = subprocess.run([sys.executable, "-c", CHECK_REPORTING_COLLECTIONS, "check", "--parties",
                                 str(parties), "--rubric", str(rubric_path), "--db", database_url],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert "full collections before the crawl: 0" in result.stdout, cycle
        assert "collector enabled at exit: True" in result.stdout, cycle
        summary = next(line for line in result.stdout.splitlines() if "Alpha Party" in line)
        assert ("new" if cycle == "first" else "unchanged") in summary, result.stdout


# What a check loads to score while its crawl runs (partywatch.check_prepare), after what it
# loaded before the crawl; then how many collections ran meanwhile, and whether the
# collector is on again.
PREPARING_TO_SCORE = (
    "import gc, sys\n"
    "import partywatch.checking, partywatch.check_prepare, history.fetches\n"
    "from history.db import make_engine\n"
    "gc.freeze()\n"
    "collections = []\n"
    "gc.callbacks.append(lambda phase, info: collections.append(1) if phase == 'start' else None)\n"
    "preparation = partywatch.check_prepare.ScoringPreparation(\n"
    "    make_engine('sqlite://'), [], open(sys.argv[1]).read(), 'rubric.yaml', rubric=None, start_spacy=False)\n"
    "rubric, scorer = preparation.result()\n"
    "print('collections while preparing:', len(collections), 'collector on:', gc.isenabled())\n")


def test_preparing_to_score_does_not_rescan_the_modules_it_loads(rubric_path):
    # the ORM, the models, pydantic and the rubric's schema: ~100 collections that found
    # nothing to free, ~0.04 s of the check's CPU while its crawl runs
    result = subprocess.run([sys.executable, "-c", PREPARING_TO_SCORE, str(rubric_path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    collections, collector_on = result.stdout.split("collections while preparing:")[1].split("collector on:")
    # the collector runs as it is switched back on (a few young collections: 3 when the
    # modules were compiled from source, 4 when read from bytecode, whose loading leaves
    # a different count of young objects), not ~110 times while loading
    assert int(collections) <= 10, result.stdout
    assert collector_on.strip() == "True"
