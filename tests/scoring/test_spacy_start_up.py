"""Scoring text starts only the parts of spaCy it uses (scoring.spacy_imports)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

SCORE_A_SENTENCE = """
import sys
from scoring import Scorer, load_rubric
from scoring.spacy_imports import unfinished
card = Scorer(load_rubric("rubric.yaml")).score_texts(
    [("https://party.example/privacy", "privacy_notice", "We keep canvass records for two years after each election.")])
loaded = sorted(m for m in ("typer", "weasel", "requests", "rich", "jinja2", "spacy.cli", "spacy.pipeline.tagger",
                            "spacy.ml", "spacy.lang.en.lemmatizer") if m in sys.modules)
print(card.step("retention").score > 0, unfinished(), loaded)
{later}
"""

LATER_USES_OF_SPACY = {
    "spacy.blank": "import spacy; print([t.text for t in spacy.blank('en')('We keep it.')])",
    "import spacy.cli": "import spacy.cli; print(callable(spacy.cli.setup_cli))",
    "English": "from spacy.lang.en import English; print(English.lang)",
    "a pipeline component": "from spacy.pipeline import Sentencizer; print(Sentencizer.__name__)",
}
AFTERWARDS = {
    "spacy.blank": "['We', 'keep', 'it', '.']",
    "import spacy.cli": "True",
    "English": "en",
    "a pipeline component": "Sentencizer",
}


def test_scoring_text_loads_none_of_spacys_pipeline_training_or_command_line_and_all_of_it_loads_later():
    for use, later in LATER_USES_OF_SPACY.items():
        done = subprocess.run([sys.executable, "-c", SCORE_A_SENTENCE.format(later=later)], cwd=REPO,
                              capture_output=True, text=True)
        assert done.returncode == 0, (use, done.stderr)
        assert done.stdout.split("\n")[:2] == [
            "True ['spacy', 'spacy.pipeline', 'spacy.lang.en'] []", AFTERWARDS[use]], use


READY_SCORER_DOCS = """
import gc
from spacy.tokens import Doc
from scoring import Scorer, load_rubric
scorer = Scorer(load_rubric("rubric.yaml"))
scorer.prepare()
gc.unfreeze()  # what importing spaCy made is frozen (scoring.startup); count it too
gc.collect()
print(sum(isinstance(o, Doc) for o in gc.get_objects()))
print(scorer.score_texts([("https://party.example/privacy", "privacy_notice",
                           "We get your address from the electoral register.")]).step("data-sources").score > 0)
"""


def test_a_ready_scorer_keeps_no_doc_of_the_rubrics_phrases():
    # the PhraseMatcher keeps each phrase's lemma ids; a Doc per phrase held ~6 MB for nothing
    done = subprocess.run([sys.executable, "-c", READY_SCORER_DOCS], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["0", "True"]


TWO_PIPELINES = """
import gc, sys, weakref
from scoring import Scorer, load_rubric
gc.{state}()
first = Scorer(load_rubric("rubric.yaml"))
first.prepare()
frozen = gc.get_freeze_count()
import scoring.patterns
first_pipeline = weakref.ref(scoring.patterns._last_compiled[1])
del first
second = Scorer(load_rubric("rubric.yaml"))  # as the scheduler does for its next check
second.prepare()
gc.collect()
print(gc.isenabled(), frozen > 50_000, gc.get_freeze_count() <= frozen, first_pipeline() is None)
"""


def test_starting_spacy_pauses_the_garbage_collector_and_a_later_pipeline_leaves_the_old_one_collectable():
    # what importing spaCy made is frozen once; the pipelines built later are not, so a
    # long-running scheduler that builds one per check does not keep every old one
    for state, enabled in (("enable", "True"), ("disable", "False")):
        done = subprocess.run([sys.executable, "-c", TWO_PIPELINES.format(state=state)], cwd=REPO,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert done.stdout.split() == [enabled, "True", "True", "True"]


SCORE_AND_COUNT_THREADS = """
import os
from scoring import Scorer, load_rubric
card = Scorer(load_rubric("rubric.yaml")).score_texts(
    [("https://party.example/privacy", "privacy_notice", "We keep canvass records for two years after each election.")])
print(card.step("retention").score > 0, len(os.listdir("/proc/self/task")), os.environ["OPENBLAS_NUM_THREADS"])
"""


def test_scoring_starts_no_blas_thread_pool_unless_asked_to():
    # OpenBLAS's pool (a thread per core, started by `import numpy`) cost a check ~0.1 s of
    # CPU on the core its crawl process needs, and scoring never multiplies matrices
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    done = subprocess.run([sys.executable, "-c", SCORE_AND_COUNT_THREADS], cwd=REPO, capture_output=True,
                          text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "1", "1"]
    asked = subprocess.run([sys.executable, "-c", SCORE_AND_COUNT_THREADS], cwd=REPO, capture_output=True,
                           text=True, env={**env, "OPENBLAS_NUM_THREADS": "2"})
    assert asked.returncode == 0, asked.stderr
    assert asked.stdout.split() == ["True", "2", "2"]


SCORE_AND_SAY_WHICH_TABLE = """
import scoring.nlp
from scoring import Scorer, load_rubric
card = Scorer(load_rubric("rubric.yaml")).score_texts(
    [("https://party.example/privacy", "privacy_notice", "We keep canvass records for two years after each election.")])
print(card.step("retention").score > 0, scoring.nlp.lemma_table.cache_info().currsize)
"""


def test_a_scorer_holds_only_the_part_of_the_lemma_table_its_rubric_needs_once_the_cache_knows_it(tmp_path):
    # the first process reads the whole table and keeps the part; later ones read only that
    env = {**os.environ, "PARTYWATCH_CACHE_DIR": str(tmp_path)}
    for expected in (["True", "1"], ["True", "0"], ["True", "0"]):
        done = subprocess.run([sys.executable, "-c", SCORE_AND_SAY_WHICH_TABLE], cwd=REPO, capture_output=True,
                              text=True, env=env)
        assert done.returncode == 0, done.stderr
        assert done.stdout.split() == expected
    assert len(list((tmp_path / "lemma-tables").iterdir())) == 1
