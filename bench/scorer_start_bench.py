"""The scorer's start: CPU and memory of each stage of `Scorer.prepare()` and of the first
document it scores, each run in a fresh process, median of N runs.

    .venv/bin/python bench/scorer_start_bench.py [--runs 5]

Stages: importing spaCy's parts that scoring uses (and the scoring modules), the tokenizer and vocabulary
(scoring.english), the lemma table, compiling the rubric, then scoring the bundled Open
Future notice. `prepare` is the whole of Scorer.prepare() in one call, as a check makes it
(the cyclic GC paused, scoring.startup). Compiling is measured with the term-token cache
warm (as after the first run) and cold (no term tokens cached: the first run after an
install or an edit of the scoring code). RSS is the process's resident memory after each
stage (/proc/self/statm), so it shows what each stage keeps. For comparison, `whole
spaCy` imports all of spaCy, as spaCy's package __init__ does (scoring.spacy_imports).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

STAGES = r'''
import json, os, sys, time
from importlib import resources
from pathlib import Path

def rss():
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

from scoring import Scorer, extract_text, load_rubric
html = resources.files("partywatch.demo_sites").joinpath("open_future/privacy-notice.html").read_bytes()
text = extract_text(html, "text/html", "privacy-notice.html")
out, start = {}, time.process_time()
rubric = load_rubric(sys.argv[1])  # known to compile (the cache): its schema, not spaCy

def stage(name):
    global start
    now = time.process_time()
    out[name] = (now - start, rss())
    start = now

stage("load rubric")
if sys.argv[2] == "whole spaCy":
    import spacy, scoring.patterns, scoring.claims
    spacy.Language  # finishes spaCy's package __init__ (scoring.spacy_imports)
    stage("import spaCy")
elif sys.argv[2] == "stages":
    import scoring.patterns, scoring.claims
    stage("import spaCy")
    from scoring.nlp import lemma_table, make_nlp
    lemma_table()
    stage("lemma table")
    nlp = make_nlp()
    stage("tokenizer + vocab")
    compiled = scoring.patterns.CompiledRubric(rubric, nlp)
    stage("compile rubric")
else:
    scorer = Scorer(rubric)
    scorer.prepare()
    stage("prepare")
    scorer.score_texts([("https://party.example/privacy", "privacy_notice", text)])
    stage("score first notice")
print(json.dumps(out))
'''


def run(mode: str, cache_dir: str) -> dict[str, tuple[float, float]]:
    env = dict(os.environ, PARTYWATCH_CACHE_DIR=cache_dir)
    done = subprocess.run([sys.executable, "-c", STAGES, str(REPO / "rubric.yaml"), mode], cwd=REPO, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as warm_cache:
        run("stages", warm_cache)  # fills the cache
        for mode, label in (("stages", "warm cache"), ("prepare", "warm cache"), ("whole spaCy", "for comparison")):
            runs = [run(mode, warm_cache) for _ in range(args.runs)]
            print(f"{mode} ({label}), median of {args.runs}:")
            for name in runs[0]:
                cpu = statistics.median(r[name][0] for r in runs)
                mb = statistics.median(r[name][1] for r in runs)
                print(f"  {name:<20} {cpu:6.3f} s CPU   RSS {mb:6.1f} MB")
        cold = []
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as cold_cache:
                # the rubric known to compile and the lemma table, but no term tokens
                shutil.copytree(warm_cache, cold_cache, dirs_exist_ok=True,
                                ignore=shutil.ignore_patterns("term-tokens"))
                cold.append(run("stages", cold_cache))
    print(f"compile rubric (no term tokens cached), median of {args.runs}: "
          f"{statistics.median(r['compile rubric'][0] for r in cold):.3f} s CPU")


if __name__ == "__main__":
    main()
