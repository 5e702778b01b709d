"""Queries and exports for researchers: a party's history, step changes, CSV/JSON exports.

Everything here reads; nothing writes to the database. The SQL views created by
migration 0002 are the public face of the history for people using SQL directly:

* ``v_latest_scorecard`` -- each party's most recent scorecard;
* ``v_step_history``    -- one row per scorecard and step: step scores over time;
* ``v_step_changes``    -- a step's score moving between two consecutive scorecards of the
  same party under the same rubric version (LAG over ``v_step_history``).

The exports (:func:`export_history`) write one file per table, with the column names
documented in :data:`EXPORT_TABLES`, plus ``DATA_DICTIONARY.md`` and ``datapackage.json``
(a Frictionless Data Package) beside them. Those names are a contract: add columns at the
end, never rename or drop one.
"""

from __future__ import annotations

import csv
import difflib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from sqlalchemy import Connection, text

from history.permalinks import evidence_path

VIEW_NAMES = ("v_latest_scorecard", "v_step_history", "v_step_changes")


# --- finding a party ---------------------------------------------------------------------


class UnknownParty(LookupError):
    """No party matches; `suggestions` holds the closest ids, best first."""

    def __init__(self, query: str, suggestions: Sequence[str], known: int):
        self.query = query
        self.suggestions = list(suggestions)
        self.known = known
        if not known:
            message = f"unknown party {query!r}: the database has no parties yet (run `partywatch check`)"
        elif self.suggestions:
            message = f"unknown party {query!r}. Did you mean: {', '.join(self.suggestions)}?"
        else:
            message = f"unknown party {query!r} (the database knows {known} parties; " \
                      "`partywatch export` lists them in parties.csv)"
        super().__init__(message)


def find_party(conn: Connection, query: str) -> tuple[str, str]:
    """(id, name) of the party whose id or name is `query` (case-insensitive).

    Raises UnknownParty with up to three close matches when there is none.
    """
    parties = conn.execute(text("SELECT id, name FROM parties ORDER BY id")).all()
    wanted = query.strip().lower()
    for party_id, name in parties:
        if wanted in (party_id.lower(), name.lower()):
            return party_id, name
    by_key: dict[str, str] = {}
    for party_id, name in parties:
        by_key[party_id.lower()] = party_id
        by_key[name.lower()] = party_id
    close = difflib.get_close_matches(wanted, list(by_key), n=6, cutoff=0.5)
    # A substring ("labour" in "scottish-labour") is a suggestion too.
    close += [key for key in by_key if wanted and wanted in key]
    suggestions: list[str] = []
    for key in close:
        if by_key[key] not in suggestions:
            suggestions.append(by_key[key])
    raise UnknownParty(query, suggestions[:3], len(parties))


# --- a party's history -------------------------------------------------------------------


@dataclass
class HistoryPoint:
    """One scorecard: when, overall, grade and each step's score (by step id)."""

    scorecard_id: int
    scored_at: datetime
    overall: float
    grade: str
    steps: dict[str, float] = field(default_factory=dict)


@dataclass
class RubricVersionSummary:
    id: int
    version: str
    scorecards: int
    last_scored_at: datetime


@dataclass
class PartyHistory:
    """A party's scorecards under ONE rubric version, oldest first.

    Scores are only comparable within a rubric version, so a history never mixes them;
    `other_versions` lists the versions the party was also scored under.
    """

    party_id: str
    party_name: str
    rubric_version_id: int | None
    rubric_version: str | None
    steps: list[tuple[str, str]]  # (step id, title) in rubric order
    points: list[HistoryPoint]
    other_versions: list[RubricVersionSummary]


def _as_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _fetch_all(conn: Connection, sql: str, params: dict) -> list[tuple]:
    """All rows of `sql` (with :name placeholders) straight from the DB-API cursor.

    Used where thousands of rows must come back in milliseconds: it skips SQLAlchemy's
    per-row work, which is most of the time for a party's years of step scores.
    """
    if conn.dialect.paramstyle == "pyformat":  # psycopg
        sql = re.sub(r":(\w+)", r"%(\1)s", sql)
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.execute(sql, params)
        return cursor.fetchall()
    finally:
        cursor.close()


def not_scored_reason(conn: Connection, party_id: str) -> str | None:
    """Why the party is not scored now (no readable privacy notice at the latest check), or None.

    Its older scorecards stay in the history, but they are not its grade any more.
    """
    return conn.execute(text("SELECT reason FROM not_scored WHERE party_id = :party"),
                        {"party": party_id}).scalar()


def rubric_versions_of(conn: Connection, party_id: str) -> list[RubricVersionSummary]:
    """The rubric versions a party has scorecards under, most recently used first."""
    rows = conn.execute(text(
        "SELECT rv.id, rv.version, COUNT(*) AS n, MAX(s.created_at) AS last_at "
        "FROM scorecards s JOIN rubric_versions rv ON rv.id = s.rubric_version_id "
        "WHERE s.party_id = :party GROUP BY rv.id, rv.version "
        "ORDER BY MAX(s.created_at) DESC, rv.id DESC"
    ), {"party": party_id}).all()
    return [RubricVersionSummary(row[0], row[1], row[2], _as_datetime(row[3])) for row in rows]


def party_history(conn: Connection, party_id: str, rubric_version: str | int | None = None) -> PartyHistory:
    """The party's step scores over time under one rubric version (default: its latest).

    `party_id` must exist (see find_party). `rubric_version` is a version string as the
    rubric declares it, or a rubric_versions.id; an unknown one raises LookupError.
    """
    name = conn.execute(text("SELECT name FROM parties WHERE id = :p"), {"p": party_id}).scalar()
    if name is None:
        raise UnknownParty(party_id, [], 1)
    versions = rubric_versions_of(conn, party_id)
    if not versions:
        return PartyHistory(party_id, name, None, None, [], [], [])
    chosen = versions[0]
    if rubric_version is not None:
        wanted = str(rubric_version)
        matches = [v for v in versions if v.version == wanted] or \
                  [v for v in versions if str(v.id) == wanted]
        if not matches:
            listed = ", ".join(v.version for v in versions)
            raise LookupError(f"{party_id} has no scorecards under rubric version {wanted!r} "
                              f"(it has: {listed})")
        chosen = matches[0]
    # Base tables rather than v_step_history: the view's joins to parties and rubric
    # versions cost a lookup per row, and this query must stay fast on years of history.
    params = {"party": party_id, "rv": chosen.id}
    cards = _fetch_all(conn, "SELECT id, created_at, overall, grade FROM scorecards "
                             "WHERE party_id = :party AND rubric_version_id = :rv ORDER BY created_at, id",
                       params)
    if not cards:
        return PartyHistory(party_id, name, chosen.id, chosen.version, [], [], [])
    steps = _fetch_all(conn, "SELECT step_id, title FROM step_scores WHERE scorecard_id = :card "
                             "ORDER BY position", {"card": cards[-1][0]})
    scores = _fetch_all(conn, "SELECT ss.scorecard_id, ss.step_id, ss.score FROM scorecards s "
                              "JOIN step_scores ss ON ss.scorecard_id = s.id "
                              "WHERE s.party_id = :party AND s.rubric_version_id = :rv", params)
    points = [HistoryPoint(card_id, _as_datetime(at), overall, grade, {})
              for card_id, at, overall, grade in cards]
    by_id = {point.scorecard_id: point.steps for point in points}
    for card_id, step_id, score in scores:
        by_id[card_id][step_id] = score
    others = [v for v in versions if v.id != chosen.id]
    return PartyHistory(party_id, name, chosen.id, chosen.version, [tuple(row) for row in steps],
                        points, others)


def step_changes(conn: Connection, party_id: str | None = None, limit: int | None = None) -> list[dict]:
    """Rows of v_step_changes (newest first), for one party or all."""
    sql = "SELECT * FROM v_step_changes"
    params: dict[str, Any] = {}
    if party_id is not None:
        sql += " WHERE party_id = :party"
        params["party"] = party_id
    sql += " ORDER BY scored_at DESC, scorecard_id DESC, step_id"
    if limit is not None:
        sql += " LIMIT :limit"
        params["limit"] = int(limit)
    rows = conn.execute(text(sql), params).mappings().all()
    return [{**row, "scored_at": _as_datetime(row["scored_at"])} for row in rows]


# --- exports -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # Frictionless Table Schema type: integer, number, string, datetime, date, array
    description: str
    nullable: bool = False


@dataclass(frozen=True)
class ExportTable:
    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    # (column, referenced table, referenced column)
    foreign_keys: tuple[tuple[str, str, str], ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def _c(name: str, type_: str, description: str, nullable: bool = False) -> Column:
    return Column(name, type_, description, nullable)


EXPORT_TABLES: tuple[ExportTable, ...] = (
    ExportTable("parties", "The parties watched (from parties.yaml).", (
        _c("party_id", "string", "Stable party id, lowercase [a-z0-9-] (e.g. `snp`)."),
        _c("name", "string", "The party's name."),
        _c("jurisdiction", "string", "ISO 3166 code of where it stands (e.g. `GB-SCT`)."),
        _c("homepage", "string", "The party's homepage URL."),
        _c("updated_at", "datetime", "When this row last changed (UTC)."),
    ), ("party_id",)),
    ExportTable("documents", "Every URL of a party's that was configured or discovered; never deleted.", (
        _c("document_id", "integer", "Document id."),
        _c("party_id", "string", "The party (parties.party_id)."),
        _c("url", "string", "The document's URL."),
        _c("kind", "string", "privacy_notice, supplier_list, ... or other."),
        _c("status", "string", "new | ok | failed | gone (404/410) | blocked (bot-protection "
           "challenge) | unreadable (needs JavaScript) after the latest fetch."),
        _c("first_seen_at", "datetime", "First time the document was known (UTC)."),
        _c("last_ok_at", "datetime", "Last successful fetch (UTC).", True),
        _c("consecutive_failures", "integer", "Failed fetches since the last good one."),
    ), ("document_id",), (("party_id", "parties", "party_id"),)),
    ExportTable("snapshots", "Each distinct content of a document (metadata only: no raw bytes, no text).", (
        _c("snapshot_id", "integer", "Snapshot id; evidence.snapshot_id points here."),
        _c("document_id", "integer", "The document (documents.document_id)."),
        _c("party_id", "string", "The party (parties.party_id)."),
        _c("content_hash", "string", "sha256 of the raw bytes, hex."),
        _c("content_type", "string", "HTTP Content-Type as fetched."),
        _c("size_bytes", "integer", "Size of the raw content in bytes."),
        _c("text_chars", "integer", "Length of the extracted text in characters; empty if none.", True),
        _c("extraction_error", "string", "Why no text could be extracted, if so.", True),
        _c("fetched_at", "datetime", "When this content was first stored (UTC)."),
        _c("provenance", "string", "Where the content came from: fetched (by the crawl), imported "
                                   "(saved by hand, `partywatch import`) or archived (a web archive's copy)."),
        _c("captured_at", "datetime", "When an imported or archived copy was made (the date given to "
                                      "import, the archive's timestamp; UTC); empty for fetched content.", True),
    ), ("snapshot_id",), (("document_id", "documents", "document_id"),)),
    ExportTable("runs", "Each `partywatch check` or `rescore` invocation.", (
        _c("run_id", "integer", "Run id."),
        _c("kind", "string", "check | rescore."),
        _c("started_at", "datetime", "Start (UTC)."),
        _c("finished_at", "datetime", "End (UTC); empty while running or if it died.", True),
        _c("status", "string", "running | ok | failed."),
        _c("error", "string", "Why it failed, if so.", True),
    ), ("run_id",)),
    ExportTable("rubric_versions", "Each distinct rubric.yaml scorecards were computed with.", (
        _c("rubric_version_id", "integer", "Rubric version id."),
        _c("version", "string", "The version the YAML declares; compare scores only within one."),
        _c("content_hash", "string", "sha256 of the rubric YAML."),
        _c("created_at", "datetime", "First use (UTC)."),
    ), ("rubric_version_id",)),
    ExportTable("scorecards", "A party's score: one per party per run per rubric version, stored when it changed.", (
        _c("scorecard_id", "integer", "Scorecard id."),
        _c("party_id", "string", "The party (parties.party_id)."),
        _c("run_id", "integer", "The run that computed it (runs.run_id)."),
        _c("rubric_version_id", "integer", "The rubric used (rubric_versions.rubric_version_id)."),
        _c("rubric_version", "string", "That rubric's declared version."),
        _c("scored_at", "datetime", "When it was computed (UTC)."),
        _c("overall", "number", "Overall score 0-100: weighted mean of the step scores."),
        _c("grade", "string", "Grade A-E from the rubric's bands."),
        _c("snapshot_ids", "array", "The snapshots it was computed from (CSV: a JSON array, e.g. `[3, 7]`)."),
    ), ("scorecard_id",), (("party_id", "parties", "party_id"), ("run_id", "runs", "run_id"),
                           ("rubric_version_id", "rubric_versions", "rubric_version_id"))),
    ExportTable("step_scores", "Each step's score in each scorecard (the ten steps, in rubric order).", (
        _c("scorecard_id", "integer", "The scorecard (scorecards.scorecard_id)."),
        _c("party_id", "string", "The party (parties.party_id)."),
        _c("scored_at", "datetime", "When the scorecard was computed (UTC)."),
        _c("rubric_version_id", "integer", "The rubric used."),
        _c("step_id", "string", "Stable step id, e.g. `data-sources`, `retention`."),
        _c("step_position", "integer", "0-based position of the step in the rubric."),
        _c("step_title", "string", "The step's title in that rubric."),
        _c("score", "number", "Step score 0-100: weighted mean of its element credits."),
    ), ("scorecard_id", "step_id"), (("scorecard_id", "scorecards", "scorecard_id"),)),
    ExportTable("element_results", "Each element's credit in each scorecard; its quotes are in `evidence`.", (
        _c("scorecard_id", "integer", "The scorecard (scorecards.scorecard_id)."),
        _c("party_id", "string", "The party (parties.party_id)."),
        _c("step_id", "string", "The step id."),
        _c("element_id", "string", "The element (question) id within the step."),
        _c("element_position", "integer", "0-based position of the element in the scorecard."),
        _c("credit", "string", "full (100) | partial (50) | none (0, nothing found) | n/a (not averaged)."),
        _c("evidence_count", "integer", "How many evidence rows this credit has."),
        _c("looked_for", "string", "For `none`: what was looked for.", True),
    ), ("scorecard_id", "step_id", "element_id"), (("scorecard_id", "scorecards", "scorecard_id"),)),
    ExportTable("evidence", "One row per quoted sentence behind an element's credit.", (
        _c("scorecard_id", "integer", "The scorecard (scorecards.scorecard_id)."),
        _c("party_id", "string", "The party (parties.party_id)."),
        _c("step_id", "string", "The step id."),
        _c("element_id", "string", "The element id."),
        _c("evidence_index", "integer", "0-based order of this quote within the element."),
        _c("quote", "string", "The quoted sentence, verbatim from the extracted text."),
        _c("url", "string", "The document URL it was quoted from."),
        _c("start", "integer", "Start character offset in the snapshot's extracted text.", True),
        _c("end", "integer", "End character offset (exclusive).", True),
        _c("snapshot_id", "integer", "The snapshot quoted (snapshots.snapshot_id).", True),
        _c("version_path", "string", "The quote on its stored version in the `partywatch report` site, "
                                     "relative to the site's root (versions/<snapshot_id>.html#q-<start>-<end>).",
           True),
    ), ("scorecard_id", "step_id", "element_id", "evidence_index"),
        (("scorecard_id", "scorecards", "scorecard_id"),)),
    ExportTable("changes", "What moved since the party's previous scorecard of the same rubric version.", (
        _c("change_id", "integer", "Change id."),
        _c("scorecard_id", "integer", "The new scorecard (scorecards.scorecard_id)."),
        _c("party_id", "string", "The party (parties.party_id)."),
        _c("scored_at", "datetime", "When the new scorecard was computed (UTC)."),
        _c("kind", "string", "step | element | document."),
        _c("subject", "string", "Step id, `step/element` id, or document URL."),
        _c("old", "string", "Value before (score, credit or document state).", True),
        _c("new", "string", "Value after.", True),
        _c("summary", "string", "Short human-readable description.", True),
    ), ("change_id",), (("scorecard_id", "scorecards", "scorecard_id"),)),
    ExportTable("spending_items", "Campaign spending items from the Electoral Commission's returns "
                "(`partywatch spending import`). Contains Electoral Commission data, Open Government "
                "Licence v3.0.", (
        _c("ec_ref", "string", "The Commission's reference of the item (ECRef)."),
        _c("party_id", "string", "The party it was matched to (parties.party_id); empty for an entity "
           "partywatch does not watch.", True),
        _c("entity_id", "string", "RegulatedEntityId as the Commission writes it (may be empty)."),
        _c("entity_name", "string", "RegulatedEntityName: who reported the spending."),
        _c("reporting_period", "string", "ReportingPeriodName, e.g. the election.", True),
        _c("category", "string", "ExpenseCategoryName, e.g. `Market research/canvassing`."),
        _c("supplier_name", "string", "SupplierName: who was paid."),
        _c("total", "number", "TotalExpenditure in pounds."),
        _c("date_incurred", "date", "DateIncurred.", True),
        _c("date_paid", "date", "DatePaid.", True),
        _c("updated_at", "datetime", "When this version of the item was imported (UTC); a correction "
           "replaces the item and keeps the older version in the database."),
    ), ("ec_ref",), (("party_id", "parties", "party_id"),)),
)

TABLES_BY_NAME = {table.name: table for table in EXPORT_TABLES}

# --- reading the tables fast --------------------------------------------------------------
#
# Exports read through the DB-API cursor in batches (PostgreSQL: a server-side cursor, so a
# big history streams instead of loading into memory). The big tables (step_scores,
# element_results, changes) are read without joins; their party_id and scored_at come from
# a map of the scorecards, which is far cheaper than a join per row. Evidence is decoded
# from element_results in the same pass that writes element_results.

BATCH = 10_000

_SIMPLE_SELECTS: dict[str, str] = {
    "parties": "SELECT id, name, jurisdiction, homepage, updated_at FROM parties ORDER BY id",
    "documents": "SELECT id, party_id, url, kind, status, first_seen_at, last_ok_at, "
                 "consecutive_failures FROM documents ORDER BY id",
    "snapshots": "SELECT s.id, s.document_id, d.party_id, s.content_hash, s.content_type, s.size, "
                 "LENGTH(s.text), s.extraction_error, s.fetched_at, s.provenance, s.captured_at "
                 "FROM snapshots s JOIN documents d ON d.id = s.document_id ORDER BY s.id",
    "runs": "SELECT id, kind, started_at, finished_at, status, error FROM runs ORDER BY id",
    "rubric_versions": "SELECT id, version, content_hash, created_at FROM rubric_versions ORDER BY id",
    "scorecards": "SELECT s.id, s.party_id, s.run_id, s.rubric_version_id, rv.version, s.created_at, "
                  "s.overall, s.grade, s.snapshot_ids FROM scorecards s "
                  "JOIN rubric_versions rv ON rv.id = s.rubric_version_id ORDER BY s.id",
    "spending_items": "SELECT ec_ref, party_id, entity_id, entity_name, reporting_period, category, "
                      "supplier_name, total, date_incurred, date_paid, updated_at "
                      "FROM spending_items ORDER BY ec_ref",
}
_SCORECARD_MAP_SQL = "SELECT id, party_id, created_at, rubric_version_id FROM scorecards"
_STEP_SCORES_SQL = ("SELECT scorecard_id, step_id, position, title, score FROM step_scores "
                    "ORDER BY scorecard_id, step_id")
# Evidence as text on both back-ends: decoding it ourselves is cheaper than psycopg's loader.
_ELEMENTS_SQL = ("SELECT scorecard_id, step_id, element_id, position, credit, CAST(evidence AS TEXT), "
                 "looked_for "
                 "FROM element_results ORDER BY scorecard_id, step_id, element_id")
_CHANGES_SQL = ("SELECT id, scorecard_id, kind, subject, old, new, summary FROM scorecard_changes "
                "ORDER BY id")

_EVIDENCE_COUNT = {
    "sqlite": "CASE WHEN json_type(evidence) = 'array' THEN json_array_length(evidence) ELSE 0 END",
    "postgresql": "CASE WHEN json_typeof(evidence::json) = 'array' "
                  "THEN json_array_length(evidence::json) ELSE 0 END",
}
_COUNT_SQL = {
    "parties": "SELECT COUNT(*) FROM parties",
    "documents": "SELECT COUNT(*) FROM documents",
    "snapshots": "SELECT COUNT(*) FROM snapshots",
    "runs": "SELECT COUNT(*) FROM runs",
    "rubric_versions": "SELECT COUNT(*) FROM rubric_versions",
    "scorecards": "SELECT COUNT(*) FROM scorecards",
    "step_scores": "SELECT COUNT(*) FROM step_scores",
    "element_results": "SELECT COUNT(*) FROM element_results",
    "evidence": "SELECT COALESCE(SUM({evidence_count}), 0) FROM element_results",
    "changes": "SELECT COUNT(*) FROM scorecard_changes",
    "spending_items": "SELECT COUNT(*) FROM spending_items",
}


def _dialect(conn: Connection) -> str:
    name = conn.dialect.name
    if name not in _EVIDENCE_COUNT:
        raise ValueError(f"exports support SQLite and PostgreSQL, not {name}")
    return name


def count_rows(conn: Connection, table: str) -> int:
    """How many rows the export of `table` has (evidence: the quotes, not the elements)."""
    sql = _COUNT_SQL[table].format(evidence_count=_EVIDENCE_COUNT[_dialect(conn)])
    return int(conn.execute(text(sql)).scalar() or 0)


def _iso(value: Any) -> str | None:
    """Times as ISO 8601 UTC without offset, 'YYYY-MM-DDTHH:MM:SS[.ffffff]'."""
    if value is None:
        return None
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    # SQLite stores 'YYYY-MM-DD HH:MM:SS.ffffff'; match PostgreSQL's isoformat().
    value = str(value).replace(" ", "T", 1)
    return value[:-7] if value.endswith(".000000") else value


def _json_value(value: Any) -> Any:
    """A JSON column's value: psycopg hands over Python objects, sqlite3 the JSON text."""
    if isinstance(value, (str, bytes)):
        return json.loads(value)
    return value


def _batches(conn: Connection, sql: str) -> Iterator[list[tuple]]:
    """Rows of `sql` in batches, straight from the DB-API cursor (no per-row processing)."""
    dbapi = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        cursor = dbapi.cursor(name=f"partywatch_export_{id(sql)}")  # server-side: streams
        cursor.itersize = BATCH
    else:
        cursor = dbapi.cursor()
    try:
        cursor.execute(sql)
        while True:
            rows = cursor.fetchmany(BATCH)
            if not rows:
                return
            yield rows
    finally:
        cursor.close()


def _simple_batches(conn: Connection, table: str) -> Iterator[list[list]]:
    spec = TABLES_BY_NAME[table]
    datetimes = [i for i, c in enumerate(spec.columns) if c.type in ("datetime", "date")]
    arrays = [i for i, c in enumerate(spec.columns) if c.type == "array"]
    numbers = [i for i, c in enumerate(spec.columns) if c.type == "number"]
    for rows in _batches(conn, _SIMPLE_SELECTS[table]):
        out = []
        for raw in rows:
            row = list(raw)
            for i in datetimes:
                row[i] = _iso(row[i])
            for i in arrays:
                row[i] = _json_value(row[i]) or []
            for i in numbers:
                if row[i] is not None:
                    row[i] = float(row[i])
            out.append(row)
        yield out


def _scorecard_map(conn: Connection) -> dict[int, tuple[str, str, int]]:
    """scorecard id -> (party_id, scored_at as ISO text, rubric_version_id)."""
    cards = {}
    for rows in _batches(conn, _SCORECARD_MAP_SQL):
        for card_id, party_id, created_at, rubric_version_id in rows:
            cards[card_id] = (party_id, _iso(created_at), rubric_version_id)
    return cards


def _step_score_batches(conn: Connection, cards: dict) -> Iterator[list[tuple]]:
    for rows in _batches(conn, _STEP_SCORES_SQL):
        out = []
        for card_id, step_id, position, title, score in rows:
            party_id, scored_at, rubric_version_id = cards[card_id]
            out.append((card_id, party_id, scored_at, rubric_version_id, step_id, position, title,
                        None if score is None else float(score)))
        yield out


def _change_batches(conn: Connection, cards: dict) -> Iterator[list[tuple]]:
    for rows in _batches(conn, _CHANGES_SQL):
        yield [(change_id, card_id, cards[card_id][0], cards[card_id][1], kind, subject, old, new, summary)
               for change_id, card_id, kind, subject, old, new, summary in rows]


def _element_and_evidence_batches(conn: Connection, cards: dict) -> Iterator[tuple[list, list]]:
    """(element_results rows, evidence rows) per batch: one read and decode serves both."""
    # raw_decode skips json.loads' wrapper and whitespace regex: a third of the time here.
    raw_decode = json.JSONDecoder().raw_decode
    for rows in _batches(conn, _ELEMENTS_SQL):
        elements, evidence = [], []
        for card_id, step_id, element_id, position, credit, quotes, looked_for in rows:
            party_id = cards[card_id][0]
            if isinstance(quotes, str):
                quotes = [] if quotes == "[]" else raw_decode(quotes.strip())[0]
            elif isinstance(quotes, bytes):
                quotes = json.loads(quotes)
            if not isinstance(quotes, list):
                quotes = []
            for index, quote in enumerate(quotes):
                if not isinstance(quote, dict):
                    quote = {"quote": str(quote)}
                get = quote.get
                start, end, snapshot_id = get("start"), get("end"), get("snapshot_id")
                evidence.append((card_id, party_id, step_id, element_id, index, get("quote"), get("url"),
                                 start, end, snapshot_id, evidence_path(snapshot_id, start, end)))
            elements.append((card_id, party_id, step_id, element_id, position, credit, len(quotes),
                             looked_for))
        yield elements, evidence


# --- writing the files --------------------------------------------------------------------


class _CsvSink:
    def __init__(self, path: Path, spec: ExportTable):
        self.path, self.spec, self.count = path, spec, 0
        self.handle = path.open("w", newline="", encoding="utf-8")
        self.writer = csv.writer(self.handle, lineterminator="\r\n")  # RFC 4180
        self.writer.writerow(spec.column_names)
        self.arrays = [i for i, c in enumerate(spec.columns) if c.type == "array"]

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        if self.arrays:
            rows = [list(row) for row in rows]
            for row in rows:
                for i in self.arrays:
                    row[i] = json.dumps(row[i])
        self.writer.writerows(rows)
        self.count += len(rows)

    def close(self) -> None:
        self.handle.close()


class _JsonSink:
    """A JSON array of row objects, one object per line."""

    def __init__(self, path: Path, spec: ExportTable):
        self.path, self.spec, self.count = path, spec, 0
        self.handle = path.open("w", encoding="utf-8")
        self.handle.write("[")
        self.names = spec.column_names
        self.encode = json.JSONEncoder(ensure_ascii=False).encode

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        names = self.names
        # One encoder call per batch, then a line break between objects. Safe: inside a
        # JSON string a quote is always escaped, so '}, {"' only occurs between rows
        # (row objects hold no nested objects).
        text_ = self.encode([dict(zip(names, row)) for row in rows])[1:-1].replace('}, {"', '},\n{"')
        self.handle.write((",\n" if self.count else "\n") + text_)
        self.count += len(rows)

    def close(self) -> None:
        self.handle.write("\n]\n" if self.count else "]\n")
        self.handle.close()


ProgressCallback = Callable[[str, int], None]


@dataclass
class ExportResult:
    out_dir: Path
    format: str
    files: list[Path]
    row_counts: dict[str, int]


def export_history(conn: Connection, out_dir: Path | str, fmt: str = "csv",
                   tables: Sequence[str] | None = None,
                   progress: ProgressCallback | None = None) -> ExportResult:
    """Write each export table to OUT_DIR/<table>.csv|.json, plus the data dictionary.

    `progress(table, rows_just_written)` is called every few thousand rows. Existing
    files of the same names are replaced. All tables are read in one transaction, so the
    files are a consistent picture even while a check is writing.
    """
    if fmt not in ("csv", "json"):
        raise ValueError(f"unknown export format {fmt!r} (csv or json)")
    _dialect(conn)
    unknown = set(tables or ()) - set(TABLES_BY_NAME)
    if unknown:
        raise ValueError(f"unknown export table(s): {', '.join(sorted(unknown))}")
    wanted = [spec for spec in EXPORT_TABLES if tables is None or spec.name in tables]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sink_class = _CsvSink if fmt == "csv" else _JsonSink
    sinks = {spec.name: sink_class(out / f"{spec.name}.{fmt}", spec) for spec in wanted}

    def emit(name: str, rows: Sequence) -> None:
        sinks[name].write(rows)
        if progress and rows:
            progress(name, len(rows))

    started = None if conn.in_transaction() else conn.begin()
    try:
        for name in _SIMPLE_SELECTS:
            if name in sinks:
                for rows in _simple_batches(conn, name):
                    emit(name, rows)
        needs_cards = {"step_scores", "element_results", "evidence", "changes"} & set(sinks)
        cards = _scorecard_map(conn) if needs_cards else {}
        if "step_scores" in sinks:
            for rows in _step_score_batches(conn, cards):
                emit("step_scores", rows)
        if {"element_results", "evidence"} & set(sinks):
            for elements, evidence in _element_and_evidence_batches(conn, cards):
                if "element_results" in sinks:
                    emit("element_results", elements)
                if "evidence" in sinks:
                    emit("evidence", evidence)
        if "changes" in sinks:
            for rows in _change_batches(conn, cards):
                emit("changes", rows)
    finally:
        for sink in sinks.values():
            sink.close()
        if started is not None:
            started.rollback()  # read-only: nothing to commit

    files: list[Path] = []
    counts = {name: sink.count for name, sink in sinks.items()}
    for spec in wanted:
        files.append(sinks[spec.name].path)
        if fmt == "json":
            schema_path = out / f"{spec.name}.schema.json"
            schema_path.write_text(json.dumps(json_schema(spec), indent=2) + "\n", encoding="utf-8")
            files.append(schema_path)
    dictionary = out / "DATA_DICTIONARY.md"
    dictionary.write_text(data_dictionary_markdown(fmt, counts), encoding="utf-8")
    package = out / "datapackage.json"
    package.write_text(json.dumps(datapackage(fmt, wanted, counts), indent=2) + "\n", encoding="utf-8")
    files += [dictionary, package]
    return ExportResult(out, fmt, files, counts)



# --- the data dictionary -----------------------------------------------------------------

_JSON_TYPES = {"integer": "integer", "number": "number", "string": "string",
               "datetime": "string", "date": "string", "array": "array"}


def json_schema(spec: ExportTable) -> dict:
    """JSON Schema (2020-12) of the JSON export of one table: an array of row objects."""
    properties = {}
    for column in spec.columns:
        prop: dict[str, Any] = {"description": column.description}
        base = _JSON_TYPES[column.type]
        prop["type"] = [base, "null"] if column.nullable else base
        if column.type == "datetime":
            prop["pattern"] = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$"
        if column.type == "date":
            prop["pattern"] = r"^\d{4}-\d{2}-\d{2}$"
        if column.type == "array":
            prop["items"] = {"type": "integer"}
        properties[column.name] = prop
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"partywatch export: {spec.name}",
        "description": spec.description,
        "type": "array",
        "items": {
            "type": "object",
            "properties": properties,
            "required": spec.column_names,
            "additionalProperties": False,
        },
    }


def datapackage(fmt: str, tables: Sequence[ExportTable] = EXPORT_TABLES,
                counts: dict[str, int] | None = None) -> dict:
    """A Frictionless Data Package descriptor for an export."""
    resources = []
    for spec in tables:
        fields = []
        for column in spec.columns:
            field_ = {"name": column.name, "type": column.type, "description": column.description}
            if column.type == "array":
                field_["format"] = "default"
            if not column.nullable:
                field_["constraints"] = {"required": True}
            fields.append(field_)
        schema: dict[str, Any] = {"fields": fields, "primaryKey": list(spec.primary_key),
                                  "missingValues": [""]}
        if spec.foreign_keys:
            schema["foreignKeys"] = [
                {"fields": column, "reference": {"resource": table, "fields": ref}}
                for column, table, ref in spec.foreign_keys
            ]
        resource: dict[str, Any] = {
            "name": spec.name.replace("_", "-"),
            "path": f"{spec.name}.{fmt}",
            "description": spec.description,
            "format": fmt,
            "mediatype": "text/csv" if fmt == "csv" else "application/json",
            "encoding": "utf-8",
            "schema": schema,
        }
        if fmt == "csv":
            resource["profile"] = "tabular-data-resource"
            resource["dialect"] = {"delimiter": ",", "header": True, "lineTerminator": "\r\n"}
        if counts is not None and spec.name in counts:
            resource["rows"] = counts[spec.name]
        resources.append(resource)
    # Foreign keys name resources by their package name (hyphens, not underscores).
    for resource in resources:
        for fk in resource["schema"].get("foreignKeys", []):
            fk["reference"]["resource"] = fk["reference"]["resource"].replace("_", "-")
    return {
        "profile": "tabular-data-package" if fmt == "csv" else "data-package",
        "name": "partywatch-history",
        "title": "partywatch: party data-transparency scorecards and their history",
        "description": "See DATA_DICTIONARY.md for the tables, columns and conventions.",
        "created": datetime.now().astimezone().isoformat(timespec="seconds"),
        "resources": resources,
    }


def data_dictionary_markdown(fmt: str = "csv", counts: dict[str, int] | None = None) -> str:
    """DATA_DICTIONARY.md: every exported table and column, and the file conventions."""
    lines = [
        "# partywatch export: data dictionary",
        "",
        "Scores of how openly political parties explain their use of voters' personal data,",
        "with the quoted evidence for every credit and the full history of each party's",
        "scorecards. One file per table below; `datapackage.json` describes the same in",
        "Frictionless Data Package form.",
        "",
        "## Conventions",
        "",
    ]
    if fmt == "csv":
        lines += [
            "- CSV files: UTF-8, comma-separated, RFC 4180 quoting, CRLF line ends, one header row.",
            "- An empty field is a null (no value); `snapshot_ids` holds a JSON array such as `[3, 7]`.",
        ]
    else:
        lines += [
            "- JSON files: UTF-8, each an array of objects with exactly the columns below;",
            "  a missing value is `null`. `<table>.schema.json` is the JSON Schema of `<table>.json`.",
        ]
    lines += [
        "- Times are UTC, ISO 8601 without an offset: `2025-03-01T06:00:00` (sometimes with microseconds).",
        "- Scores are 0-100. Credits: `full` = 100, `partial` = 50, `none` = 0 (no disclosure",
        "  found), `n/a` = left out of the step's average.",
        "- Compare scores over time only within one `rubric_version_id`: a new rubric changes",
        "  what is measured.",
        "- Evidence: one row per quoted sentence in `evidence`; `element_results.evidence_count`",
        "  says how many rows each credit has. A `none` credit has no evidence rows and says in",
        "  `looked_for` what was searched for.",
        "- Raw snapshot bytes and extracted text are not exported (see the database's `snapshots`",
        "  table); `evidence.start`/`end` are character offsets into that extracted text.",
        "- Rows come in primary-key order, so two exports of one database are identical.",
        "- `spending_items` contains Electoral Commission data (Open Government Licence v3.0);",
        "  dates there are ISO 8601 days (`2024-06-01`), amounts pounds.",
        "- Column names are stable: new columns are only ever added at the end.",
        "",
    ]
    for spec in EXPORT_TABLES:
        rows = f" ({counts[spec.name]} rows)" if counts and spec.name in counts else ""
        lines += [f"## `{spec.name}`{rows}", "", spec.description, "",
                  f"Primary key: {', '.join(f'`{k}`' for k in spec.primary_key)}.", "",
                  "| column | type | description |", "|---|---|---|"]
        for column in spec.columns:
            type_ = column.type + (" or empty" if column.nullable else "")
            lines.append(f"| `{column.name}` | {type_} | {column.description} |")
        lines.append("")
    lines += [
        "## SQL views (in the database itself)",
        "",
        "- `v_latest_scorecard`: party_id, party_name, scorecard_id, run_id, rubric_version_id,",
        "  rubric_version, scored_at, overall, grade -- each party's most recent scorecard.",
        "- `v_step_history`: party_id, party_name, scorecard_id, scored_at, rubric_version_id,",
        "  rubric_version, step_id, step_position, step_title, score, overall, grade.",
        "- `v_step_changes`: party_id, party_name, scorecard_id, previous_scorecard_id, scored_at,",
        "  rubric_version_id, rubric_version, step_id, step_title, old_score, new_score, delta --",
        "  a step's score moving between consecutive scorecards of the same rubric version.",
        "",
    ]
    return "\n".join(lines)
