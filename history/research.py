"""Queries for researchers: a party's history, step changes.

Finding the party a user means is in :mod:`history.party_names`.

Everything here reads; nothing writes to the database. The SQL views created by
migration 0002 are the public face of the history for people using SQL directly:

* ``v_latest_scorecard`` -- each party's most recent scorecard;
* ``v_step_history``    -- one row per scorecard and step: step scores over time;
* ``v_step_changes``    -- a step's score moving between two consecutive scorecards of the
  same party under the same rubric version (LAG over ``v_step_history``).

The CSV/JSON exports are in :mod:`history.export`, the tables and columns they promise in
:mod:`history.export_tables`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from history.party_names import UnknownParty

VIEW_NAMES = ("v_latest_scorecard", "v_step_history", "v_step_changes")


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

    `party_id` must exist (see history.party_names.find_party). `rubric_version` is a version string as the
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
