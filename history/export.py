"""`partywatch export`: the history as CSV or JSON files, one per table, streamed.

Tables are read in batches straight from the DB-API cursor and written as they come, so
memory stays flat however long the history is. The tables and columns written are those
of :data:`history.export_tables.EXPORT_TABLES`; ``DATA_DICTIONARY.md``,
``datapackage.json`` and (JSON) a schema per table are written beside them.
"""

from __future__ import annotations

import csv
import functools
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import orjson
from sqlalchemy import JSON, Connection, Select, Text, case, cast, func, select

from history.export_tables import (
    EXPORT_TABLES,
    TABLES_BY_NAME,
    ExportTable,
    data_dictionary_markdown,
    datapackage,
    json_schema,
)
from history.permalinks import evidence_path
from history.tables import (
    DOCUMENTS,
    ELEMENT_RESULTS,
    PARTIES,
    RUBRIC_VERSIONS,
    RUNS,
    SCORECARD_CHANGES,
    SCORECARDS,
    SNAPSHOTS,
    SPENDING_ITEMS,
    STEP_SCORES,
)
from scoring.startup import collection_paused

# --- reading the tables fast --------------------------------------------------------------
#
# Exports read through the DB-API cursor in batches (PostgreSQL: a server-side cursor, so a
# big history streams instead of loading into memory). The big tables (step_scores,
# element_results, changes) are read without joins; their party_id and scored_at come from
# a map of the scorecards, which is far cheaper than a join per row. Evidence is decoded
# from element_results in the same pass that writes element_results, each distinct
# evidence text once.

BATCH = 10_000

# The SELECTs are built from the tables' SQLAlchemy definitions, so a renamed or dropped
# column fails at import instead of exporting the wrong values; each reader below unpacks
# the columns in the order its SELECT names them.
_SCORECARD_MAP = select(SCORECARDS.c.id, SCORECARDS.c.party_id, SCORECARDS.c.created_at,
                        SCORECARDS.c.rubric_version_id)
_STEP_SCORES = select(STEP_SCORES.c.scorecard_id, STEP_SCORES.c.step_id, STEP_SCORES.c.position,
                      STEP_SCORES.c.title, STEP_SCORES.c.score).order_by(*STEP_SCORES.primary_key)
# Evidence as text on both back-ends: decoding it ourselves is cheaper than psycopg's loader.
_ELEMENTS = select(ELEMENT_RESULTS.c.scorecard_id, ELEMENT_RESULTS.c.step_id, ELEMENT_RESULTS.c.element_id,
                   ELEMENT_RESULTS.c.position, ELEMENT_RESULTS.c.credit, cast(ELEMENT_RESULTS.c.evidence, Text),
                   ELEMENT_RESULTS.c.looked_for).order_by(*ELEMENT_RESULTS.primary_key)
_CHANGES = select(SCORECARD_CHANGES.c.id, SCORECARD_CHANGES.c.scorecard_id, SCORECARD_CHANGES.c.kind,
                  SCORECARD_CHANGES.c.subject, SCORECARD_CHANGES.c.old, SCORECARD_CHANGES.c.new,
                  SCORECARD_CHANGES.c.summary).order_by(*SCORECARD_CHANGES.primary_key)

# Which database table each exported table counts its rows in.
_COUNTED = {
    "parties": PARTIES, "documents": DOCUMENTS, "snapshots": SNAPSHOTS, "runs": RUNS,
    "rubric_versions": RUBRIC_VERSIONS, "scorecards": SCORECARDS, "step_scores": STEP_SCORES,
    "element_results": ELEMENT_RESULTS, "changes": SCORECARD_CHANGES, "spending_items": SPENDING_ITEMS,
}
_JSON_TYPE_OF = {"sqlite": func.json_type, "postgresql": lambda value: func.json_typeof(cast(value, JSON))}
_JSON_LENGTH_OF = {"sqlite": func.json_array_length,
                   "postgresql": lambda value: func.json_array_length(cast(value, JSON))}


def _dialect(conn: Connection) -> str:
    name = conn.dialect.name
    if name not in _JSON_TYPE_OF:
        raise ValueError(f"exports support SQLite and PostgreSQL, not {name}")
    return name


def count_rows(conn: Connection, table: str) -> int:
    """How many rows the export of `table` has (evidence: the quotes, not the elements)."""
    if table == "evidence":
        dialect, evidence = _dialect(conn), ELEMENT_RESULTS.c.evidence
        quotes = case((_JSON_TYPE_OF[dialect](evidence) == "array", _JSON_LENGTH_OF[dialect](evidence)),
                      else_=0)
        query = select(func.coalesce(func.sum(quotes), 0))
    else:
        query = select(func.count()).select_from(_COUNTED[table])
    return int(conn.execute(query).scalar() or 0)


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
        return orjson.loads(value)
    return value


def _batches(conn: Connection, query: Select | str) -> Iterator[list[tuple]]:
    """Rows of `query` in batches, straight from the DB-API cursor (no per-row processing)."""
    sql = query if isinstance(query, str) else str(query.compile(dialect=conn.dialect))
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
    for rows in _batches(conn, spec.select_sql):
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
    for rows in _batches(conn, _SCORECARD_MAP):
        for card_id, party_id, created_at, rubric_version_id in rows:
            cards[card_id] = (party_id, _iso(created_at), rubric_version_id)
    return cards


def _step_score_batches(conn: Connection, cards: dict) -> Iterator[list[tuple]]:
    for rows in _batches(conn, _STEP_SCORES):
        out = []
        for card_id, step_id, position, title, score in rows:
            party_id, scored_at, rubric_version_id = cards[card_id]
            out.append((card_id, party_id, scored_at, rubric_version_id, step_id, position, title,
                        None if score is None else float(score)))
        yield out


def _change_batches(conn: Connection, cards: dict) -> Iterator[list[tuple]]:
    for rows in _batches(conn, _CHANGES):
        yield [(change_id, card_id, cards[card_id][0], cards[card_id][1], kind, subject, old, new, summary)
               for change_id, card_id, kind, subject, old, new, summary in rows]


def _evidence_rows(quotes_json: str | None) -> tuple[tuple, ...]:
    """One element's evidence JSON as (evidence_index, quote, url, start, end, snapshot_id,
    version_path) rows; anything but a list of quotes counts as no evidence."""
    quotes = orjson.loads(quotes_json) if quotes_json is not None else []
    if not isinstance(quotes, list):
        return ()
    rows = []
    for index, quote in enumerate(quotes):
        if not isinstance(quote, dict):
            quote = {"quote": str(quote)}
        get = quote.get
        start, end, snapshot_id = get("start"), get("end"), get("snapshot_id")
        rows.append((index, get("quote"), get("url"), start, end, snapshot_id,
                     evidence_path(snapshot_id, start, end)))
    return tuple(rows)


def _element_and_evidence_batches(conn: Connection, cards: dict) -> Iterator[tuple[list, list]]:
    """(element_results rows, evidence rows) per batch: one read and decode serves both."""
    # A party's scorecard mostly repeats its previous one's evidence word for word (same
    # snapshot, same sentences), so each distinct evidence text is decoded once.
    evidence_rows = functools.lru_cache(maxsize=4096)(_evidence_rows)
    party_of = {card_id: card[0] for card_id, card in cards.items()}
    for rows in _batches(conn, _ELEMENTS):
        elements: list[tuple] = []
        evidence: list[tuple] = []
        add_element, add_evidence = elements.append, evidence.append
        for card_id, step_id, element_id, position, credit, quotes_json, looked_for in rows:
            party_id = party_of[card_id]
            quotes = evidence_rows(quotes_json)
            for quote in quotes:  # most elements have one quote or none: no list built per element
                add_evidence((card_id, party_id, step_id, element_id, *quote))
            add_element((card_id, party_id, step_id, element_id, position, credit, len(quotes), looked_for))
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


def _row_to_object(names: Sequence[str]) -> Callable[[Sequence[Any]], dict[str, Any]]:
    """A function turning a row into its JSON object, keys in column order.

    It is compiled from a dict display (`lambda row: {"party_id": row[0], ...}`), which
    builds a million objects in two thirds the time of dict(zip(names, row)).
    """
    items = ", ".join(f"{name!r}: row[{index}]" for index, name in enumerate(names))
    return eval(f"lambda row: {{{items}}}")  # names are our own column names, repr-quoted


class _JsonSink:
    """A JSON array of row objects, one object per line, encoded row by row as rows arrive.

    The database could build the objects (SQLite's json_object, PostgreSQL's
    json_build_object), but on SQLite that measured no faster than orjson, and PostgreSQL
    writes floats and spacing differently from the export's contract (50.0 as 50).
    """

    def __init__(self, path: Path, spec: ExportTable):
        self.path, self.spec, self.count = path, spec, 0
        self.handle = path.open("wb")
        self.handle.write(b"[")
        self.row_to_object = _row_to_object(spec.column_names)

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        dumps = orjson.dumps
        objects = map(self.row_to_object, rows)
        # Each row's encoding is copied into one buffer at once: keeping many orjson
        # results alive together (say, to join them) costs more than encoding them.
        lines = bytearray(b",\n" if self.count else b"\n")
        lines += dumps(next(objects))
        for obj in objects:
            lines += b",\n"
            lines += dumps(obj)
        self.handle.write(lines)
        self.count += len(rows)

    def close(self) -> None:
        self.handle.write(b"\n]\n" if self.count else b"]\n")
        self.handle.close()


def _write_tables(conn: Connection, wanted: Sequence[ExportTable], emit: Callable[[str, Sequence], None]) -> None:
    """Read each wanted table and pass its rows to `emit(table, rows)`, batch by batch."""
    names = {spec.name for spec in wanted}
    for spec in wanted:
        if spec.read_from is not None:
            for rows in _simple_batches(conn, spec.name):
                emit(spec.name, rows)
    needs_cards = {"step_scores", "element_results", "evidence", "changes"} & names
    cards = _scorecard_map(conn) if needs_cards else {}
    if "step_scores" in names:
        for rows in _step_score_batches(conn, cards):
            emit("step_scores", rows)
    if {"element_results", "evidence"} & names:
        for elements, evidence in _element_and_evidence_batches(conn, cards):
            if "element_results" in names:
                emit("element_results", elements)
            if "evidence" in names:
                emit("evidence", evidence)
    if "changes" in names:
        for rows in _change_batches(conn, cards):
            emit("changes", rows)


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
        # An export allocates millions of short-lived rows, none in a reference cycle:
        # reference counting frees each batch once written, and the collector would only
        # scan every batch again (measured: a tenth of a big JSON export's CPU time).
        with collection_paused():
            _write_tables(conn, wanted, emit)
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
