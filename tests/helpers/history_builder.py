"""A realistic score history, built through history.store as check and rescore would.

Three parties with documents and snapshots (one fetch failing), two rubric versions,
four daily check runs under version 2025.1 and a rescore under 2025.2. As the pipeline
does, a party gets a new scorecard only when it differs from its previous one of the same
rubric version, with ScorecardChange rows saying what moved. A fourth party has no
scorecard at all. One quote carries HTML and one evidence link is a javascript: URL, so
the report's escaping is exercised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from history import store
from history.db import transaction
from history.models import ScorecardRow

STEPS = [
    ("data-sources", "Where voters' data comes from"),
    ("suppliers", "Companies it works with"),
    ("message-transparency", "Who is behind a message and why you see it"),
    ("profiling", "Profiling and modelling of voters"),
    ("special-category", "Political opinions and other sensitive data"),
    ("lawful-basis", "Lawful basis for each purpose"),
    ("online-targeting", "Online ad targeting"),
    ("rights", "Your data rights"),
    ("retention", "How long data is kept"),
    ("accountability", "Accountability"),
]
ELEMENTS = {step: ["disclosed", "named"] for step, _ in STEPS}
ELEMENTS["retention"] = ["periods", "per-kind", "deletion"]
CREDIT_VALUE = {"full": 100.0, "partial": 50.0, "none": 0.0}

PARTIES = [
    {"id": "snp", "name": "Scottish National Party", "jurisdiction": "GB-SCT",
     "homepage": "https://www.snp.example/"},
    {"id": "labour", "name": "Labour Party", "jurisdiction": "GB",
     "homepage": "https://labour.example/"},
    {"id": "greens", "name": "Scottish Greens", "jurisdiction": "GB-SCT",
     "homepage": "https://greens.example/"},
    {"id": "reform", "name": "Reform UK", "jurisdiction": "GB",
     "homepage": "https://reform.example/"},
]
PARTY_NAMES = {p["id"]: p["name"] for p in PARTIES}
SCORED_PARTIES = ["snp", "labour", "greens"]
BASE_TIME = datetime(2025, 3, 1, 6, 0, 0)
HOSTILE_QUOTE = 'We share data with <script>alert("x")</script> & "Acme Analytics" Ltd.'


def grade_for(overall: float) -> str:
    for grade, floor in (("A", 80), ("B", 65), ("C", 50), ("D", 35)):
        if overall >= floor:
            return grade
    return "E"


def base_credits(party: str) -> dict[tuple[str, str], str]:
    pattern = {"snp": ["full", "partial", "none"], "labour": ["partial", "full", "partial", "none"],
               "greens": ["full", "full", "partial"]}[party]
    credits = {}
    index = 0
    for step, _ in STEPS:
        for element in ELEMENTS[step]:
            credits[(step, element)] = pattern[index % len(pattern)]
            index += 1
    return credits


def credits_for(party: str, version: str, run: int) -> dict[tuple[str, str], str]:
    """The story the tests check: snp fixes retention on day 3, labour loses rights on day 4."""
    credits = base_credits(party)
    if party == "snp":
        credits[("retention", "periods")] = "full" if run >= 2 else "none"
        credits[("retention", "deletion")] = "full" if run >= 2 else "none"
    if party == "labour":
        credits[("rights", "disclosed")] = "none" if run >= 3 else "full"
    if version == "2025.2" and party == "snp":
        credits[("suppliers", "named")] = "none"  # the new rubric is stricter
    return credits


@dataclass
class StoredCard:
    id: int
    party: str
    version: str
    rubric_version_id: int
    run_index: int
    scored_at: datetime
    overall: float
    grade: str
    steps: dict[str, float]
    credits: dict[tuple[str, str], str]
    evidence_rows: int


@dataclass
class BuiltHistory:
    url: str
    engine: object
    cards: list[StoredCard] = field(default_factory=list)
    snapshot_ids: dict[str, list[int]] = field(default_factory=dict)
    document_count: int = 0
    snapshot_count: int = 0
    run_count: int = 0
    change_count: int = 0
    rubric_version_ids: dict[str, int] = field(default_factory=dict)

    def cards_of(self, party: str, version: str | None = None) -> list[StoredCard]:
        return [c for c in self.cards if c.party == party and (version is None or c.version == version)]

    def latest(self, party: str) -> StoredCard:
        return max(self.cards_of(party), key=lambda c: (c.scored_at, c.id))


def _steps_json(party: str, credits: dict, snapshot_id: int, url: str) -> tuple[list[dict], dict, int]:
    steps, scores, evidence_rows = [], {}, 0
    for step, title in STEPS:
        elements = []
        for element in ELEMENTS[step]:
            credit = credits[(step, element)]
            evidence = []
            if credit != "none":
                quote = f"{PARTY_NAMES[party]} discloses {step} ({element})."
                if party == "labour" and step == "suppliers" and element == "disclosed":
                    quote = HOSTILE_QUOTE
                evidence.append({"quote": quote, "url": url, "start": 10, "end": 10 + len(quote),
                                 "snapshot_id": snapshot_id})
                if credit == "full" and element == "disclosed":
                    evidence.append({"quote": f"More on {step}.", "url": url, "start": 200,
                                     "end": 214, "snapshot_id": snapshot_id})
                if party == "greens" and step == "rights" and element == "disclosed":
                    evidence.append({"quote": "Click here.", "url": "javascript:alert(1)",
                                     "start": 300, "end": 311, "snapshot_id": snapshot_id})
            evidence_rows += len(evidence)
            elements.append({"id": element, "credit": credit, "evidence": evidence,
                             "looked_for": None if credit != "none" else f"a statement about {element}"})
        values = [CREDIT_VALUE[e["credit"]] for e in elements]
        score = round(sum(values) / len(values), 1)
        scores[step] = score
        steps.append({"id": step, "title": title, "score": score, "elements": elements})
    return steps, scores, evidence_rows


def build_history(engine, url: str) -> BuiltHistory:
    built = BuiltHistory(url=url, engine=engine)
    with transaction(engine) as session:
        store.sync_parties(session, PARTIES)
        for version in ("2025.1", "2025.2"):
            rv = store.ensure_rubric_version(session, f"hash-{version}", version, f"version: {version}\n")
            session.flush()
            built.rubric_version_ids[version] = rv.id
        for party in SCORED_PARTIES + ["reform"]:
            notice = store.get_or_create_document(session, party, f"https://{party}.example/privacy",
                                                  "privacy_notice")
            suppliers = store.get_or_create_document(session, party,
                                                     f"https://{party}.example/suppliers", "supplier_list")
            built.document_count += 2
            ids = []
            for version_no in (1, 2):
                raw = f"<html><body><p>{party} privacy notice v{version_no}</p></body></html>".encode()
                outcome = store.record_fetch(session, notice, run_id=None, http_status=200, raw=raw,
                                             content_type="text/html", text=raw.decode())
                ids.append(outcome.snapshot.id)
                built.snapshot_count += 1
            # The supplier page fails once after a good fetch; its snapshot stays.
            outcome = store.record_fetch(session, suppliers, run_id=None, http_status=200,
                                         raw=b"%PDF-1.4 suppliers", content_type="application/pdf",
                                         text=None, extraction_error="encrypted PDF")
            built.snapshot_count += 1
            store.record_fetch(session, suppliers, run_id=None, http_status=500, error="HTTP 500")
            built.snapshot_ids[party] = ids + [outcome.snapshot.id]

        previous: dict[tuple[str, str], StoredCard] = {}
        plan = [(run, "2025.1", "check") for run in range(4)] + [(4, "2025.2", "rescore")]
        for run_index, version, kind in plan:
            run = store.start_run(session, kind)
            run.started_at = BASE_TIME + timedelta(days=run_index)
            built.run_count += 1
            for party in SCORED_PARTIES:
                credits = credits_for(party, version, run_index)
                before = previous.get((party, version))
                if before is not None and before.credits == credits:
                    continue  # unchanged: the pipeline stores nothing
                snapshot_id = built.snapshot_ids[party][1]
                steps, scores, evidence_rows = _steps_json(
                    party, credits, snapshot_id, f"https://{party}.example/privacy")
                overall = round(sum(scores.values()) / len(scores), 1)
                changes = []
                if before is not None:
                    for step, score in scores.items():
                        if before.steps[step] != score:
                            changes.append({"kind": "step", "subject": step, "old": str(before.steps[step]),
                                            "new": str(score), "summary": f"{step} {before.steps[step]} → {score}"})
                    for key, credit in credits.items():
                        if before.credits[key] != credit:
                            changes.append({"kind": "element", "subject": "/".join(key),
                                            "old": before.credits[key], "new": credit, "summary": None})
                card = store.store_scorecard(
                    session, party_id=party, run_id=run.id,
                    rubric_version_id=built.rubric_version_ids[version], overall=overall,
                    grade=grade_for(overall), steps=steps, snapshot_ids=built.snapshot_ids[party][1:],
                    changes=changes)
                card.created_at = BASE_TIME + timedelta(days=run_index, minutes=5)
                built.change_count += len(changes)
                stored = StoredCard(card.id, party, version, built.rubric_version_ids[version], run_index,
                                    card.created_at, overall, grade_for(overall), scores, credits,
                                    evidence_rows)
                built.cards.append(stored)
                previous[(party, version)] = stored
            store.finish_run(session, run)
        session.flush()
        assert session.query(ScorecardRow).count() == len(built.cards)
    return built
