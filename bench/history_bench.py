"""Benchmark the researcher side on a big history: export time and one party's history query.

Generates a daily history of N parties over Y years (default: 20 parties, 5 years, one
scorecard per party per day: 36,520 scorecards, 365,200 step scores, ~770,000 element
results with their evidence), then times:

* `partywatch export --format csv` of every table, and the same as JSON (targets: under
  10 s each, and memory flat: a peak RSS under 150 MB whatever the history's size; each
  export runs in a fresh process, so the peak is its own),
* one party's history query, history.research.party_history (target: under 50 ms on SQLite),
* a query of the v_step_changes view for one party.

Run by hand; it prints figures and does not fail:

    /work/venv/bin/python bench/history_bench.py
    /work/venv/bin/python bench/history_bench.py --db postgresql+psycopg://app@127.0.0.1:55432/bench
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import resource
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text

from history.db import open_database, transaction
from history.export import export_history
from history.models import (
    DocumentRow,
    ElementResultRow,
    PartyRow,
    RubricVersionRow,
    RunRow,
    ScorecardChangeRow,
    ScorecardRow,
    SnapshotRow,
    StepScoreRow,
)
from history.research import party_history

STEPS = ["data-sources", "suppliers", "message-transparency", "profiling", "special-category",
         "lawful-basis", "online-targeting", "rights", "retention", "accountability"]
ELEMENTS = {step: ["disclosed", "named"] for step in STEPS}
ELEMENTS["retention"] = ["periods", "per-kind", "deletion"]
VALUE = {"full": 100.0, "partial": 50.0, "none": 0.0}


def grade(overall: float) -> str:
    for letter, floor in (("A", 80), ("B", 65), ("C", 50), ("D", 35)):
        if overall >= floor:
            return letter
    return "E"


def generate(engine, parties: int, days: int, seed: int = 1, on_change_only: bool = False) -> dict[str, int]:
    """Bulk-insert a daily history (Core executemany: the ORM would take minutes).

    By default every party gets a scorecard every day (the worst case). With
    on_change_only, as the pipeline really behaves, a day's scorecard is stored only when
    something changed since the party's previous one.
    """
    rng = random.Random(seed)
    start = datetime(2020, 1, 1, 6, 0)
    counts = {"scorecards": 0, "step_scores": 0, "element_results": 0, "evidence": 0, "changes": 0}
    with transaction(engine) as session:
        conn = session.connection()
        conn.execute(insert(RubricVersionRow), [{"id": 1, "content_hash": "bench", "version": "bench-1",
                                              "yaml_text": "version: bench-1\n", "created_at": start}])
        conn.execute(insert(PartyRow), [{"id": f"party-{i:02d}", "name": f"Party {i:02d}", "jurisdiction": "GB",
                                      "homepage": f"https://party{i:02d}.example/", "updated_at": start}
                                     for i in range(parties)])
        conn.execute(insert(DocumentRow), [{"id": i + 1, "party_id": f"party-{i:02d}",
                                         "url": f"https://party{i:02d}.example/privacy", "kind": "privacy_notice",
                                         "status": "ok", "first_seen_at": start, "last_ok_at": start,
                                         "consecutive_failures": 0} for i in range(parties)])
        conn.execute(insert(SnapshotRow), [{"id": i + 1, "document_id": i + 1, "content_hash": f"{i:064d}",
                                         "content_type": "text/html", "raw": b"<html></html>", "size": 13,
                                         "text": "x" * 5000, "fetched_at": start} for i in range(parties)])
        conn.execute(insert(RunRow), [{"id": d + 1, "kind": "check", "started_at": start + timedelta(days=d),
                                    "finished_at": start + timedelta(days=d, minutes=10), "status": "ok"}
                                   for d in range(days)])
        credits = {p: {(s, e): rng.choice(["full", "partial", "none"]) for s in STEPS for e in ELEMENTS[s]}
                   for p in range(parties)}
        card_id = 0
        for day in range(days):
            cards, steps, elements, changes = [], [], [], []
            for p in range(parties):
                before = dict(credits[p])
                if rng.random() < 0.05:  # now and then a disclosure improves or lapses
                    key = rng.choice(list(credits[p]))
                    credits[p][key] = rng.choice(["full", "partial", "none"])
                if on_change_only and day > 0 and before == credits[p]:
                    continue
                card_id += 1
                scores = {}
                position = 0
                for s_index, step in enumerate(STEPS):
                    vals = []
                    for element in ELEMENTS[step]:
                        credit = credits[p][(step, element)]
                        vals.append(VALUE[credit])
                        evidence = [] if credit == "none" else [
                            {"quote": f"Party {p:02d} says something about {step} ({element}).",
                             "url": f"https://party{p:02d}.example/privacy", "start": 100, "end": 160,
                             "snapshot_id": p + 1}]
                        elements.append({"scorecard_id": card_id, "step_id": step, "element_id": element,
                                         "position": position, "credit": credit, "evidence": evidence,
                                         "looked_for": None if evidence else f"{step} {element}"})
                        counts["evidence"] += len(evidence)
                        position += 1
                    scores[step] = round(sum(vals) / len(vals), 1)
                    steps.append({"scorecard_id": card_id, "step_id": step, "position": s_index,
                                  "title": step.replace("-", " ").title(), "score": scores[step]})
                overall = round(sum(scores.values()) / len(scores), 1)
                cards.append({"id": card_id, "party_id": f"party-{p:02d}", "run_id": day + 1,
                              "rubric_version_id": 1, "created_at": start + timedelta(days=day, minutes=5),
                              "overall": overall, "grade": grade(overall), "snapshot_ids": [p + 1]})
                for key, credit in credits[p].items():
                    if before[key] != credit and day > 0:
                        changes.append({"scorecard_id": card_id, "kind": "element", "subject": "/".join(key),
                                        "old": before[key], "new": credit, "summary": None})
            if not cards:
                continue
            conn.execute(insert(ScorecardRow), cards)
            conn.execute(insert(StepScoreRow), steps)
            conn.execute(insert(ElementResultRow), elements)
            if changes:
                conn.execute(insert(ScorecardChangeRow), changes)
            counts["scorecards"] += len(cards)
            counts["step_scores"] += len(steps)
            counts["element_results"] += len(elements)
            counts["changes"] += len(changes)
    return counts


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times), result


def export_job(url: str, out: str, fmt: str) -> tuple[float, float, float, float, int]:
    """Export in this (fresh) process: wall s, CPU s, RSS before and peak RSS in MB, rows."""
    engine = open_database(url)
    with engine.connect() as conn:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
        cpu = time.process_time()
        elapsed, result = timed(lambda: export_history(conn, out, fmt))
        cpu = time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    engine.dispose()
    return elapsed, cpu, before, peak, sum(result.row_counts.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="An EMPTY database URL (default: a SQLite file in a temp folder).")
    parser.add_argument("--parties", type=int, default=20)
    parser.add_argument("--years", type=float, default=5)
    parser.add_argument("--on-change-only", action="store_true",
                        help="Store a scorecard only when it changed, as the pipeline does "
                             "(default: one per party per day, the worst case).")
    args = parser.parse_args()

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        engine = open_database(url)
        days = int(args.years * 365.25)
        print(f"database: {engine.url.render_as_string()} ({engine.dialect.name})")
        elapsed, counts = timed(lambda: generate(engine, args.parties, days,
                                                   on_change_only=args.on_change_only))
        print(f"generated {args.parties} parties x {days} days in {elapsed:.1f} s: "
              + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))

        spawn = multiprocessing.get_context("spawn")
        for fmt in ("csv", "json"):
            out = Path(tmp) / f"export-{fmt}"
            with spawn.Pool(1) as pool:
                elapsed, cpu, before, peak, rows = pool.apply(export_job, (url, str(out), fmt))
            size = sum(f.stat().st_size for f in out.iterdir()) / 1e6
            verdict = "OK" if elapsed < 10 and peak < 150 else "over target"
            print(f"export --format {fmt}: {elapsed:.2f} s wall, {cpu:.2f} s CPU, for {rows:,} rows, "
                  f"{size:.0f} MB; peak RSS {peak:.0f} MB ({before:.0f} MB before it began) ({verdict})")

        with engine.connect() as conn:
            party_history(conn, "party-07")  # warm the cache as an interactive user would have
            cpu = time.process_time()
            elapsed, history = timed(lambda: party_history(conn, "party-07"), repeat=20)
            cpu = (time.process_time() - cpu) / 20
            verdict = "OK" if elapsed < 0.05 else "over the 50 ms target"
            print(f"party_history(party-07): {elapsed * 1000:.1f} ms wall median of 20, "
                  f"{cpu * 1000:.1f} ms CPU mean "
                  f"({len(history.points):,} scorecards x {len(history.steps)} steps) ({verdict})")
            elapsed, rows = timed(lambda: conn.execute(text(
                "SELECT * FROM v_step_changes WHERE party_id = 'party-07'")).all(), repeat=5)
            print(f"v_step_changes for one party: {elapsed * 1000:.1f} ms median of 5 ({len(rows):,} rows)")
            elapsed, rows = timed(lambda: conn.execute(text("SELECT * FROM v_latest_scorecard")).all(), repeat=5)
            print(f"v_latest_scorecard: {elapsed * 1000:.1f} ms median of 5 ({len(rows)} rows)")
        engine.dispose()


if __name__ == "__main__":
    main()
