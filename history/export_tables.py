"""What an export holds: its tables and columns, and the descriptions written beside it.

:data:`EXPORT_TABLES` is the contract of `partywatch export`: one file per table with these
column names, documented in ``DATA_DICTIONARY.md``, ``datapackage.json`` (a Frictionless
Data Package) and, for JSON, a JSON Schema per table. Add columns at the end, never rename
or drop one. :mod:`history.export` reads the database and writes the files; a table with
`read_from` is read by one SELECT generated from its columns (`select_sql`), so the file's
columns and the values read into them cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # Frictionless Table Schema type: integer, number, string, datetime, date, array
    description: str
    nullable: bool = False
    # The SQL expression the column is read from in its table's SELECT (see `read_from`);
    # empty: the database column of the same name.
    source: str = ""


@dataclass(frozen=True)
class ExportTable:
    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    # (column, referenced table, referenced column)
    foreign_keys: tuple[tuple[str, str, str], ...] = ()
    # FROM, joins and ORDER BY of the one SELECT the table is exported with, its columns
    # read in the order declared here; None for the tables history.export assembles from
    # several reads (step_scores, element_results, evidence, changes).
    read_from: str | None = None

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def select_sql(self) -> str:
        """The table's export SELECT, generated from its columns so their order cannot drift."""
        if self.read_from is None:
            raise ValueError(f"the {self.name} export is assembled from several reads, not one SELECT")
        return f"SELECT {', '.join(c.source or c.name for c in self.columns)} FROM {self.read_from}"


def _c(name: str, type_: str, description: str, nullable: bool = False, *, source: str = "") -> Column:
    return Column(name, type_, description, nullable, source)


def _party(source: str = "") -> Column:
    return _c("party_id", "string", "The party (parties.party_id).", source=source)


# The columns a row of a scorecard's parts is keyed by, and the key they point to.
_SCORECARD = _c("scorecard_id", "integer", "The scorecard (scorecards.scorecard_id).")
_STEP = _c("step_id", "string", "The step id.")
_ELEMENT_KEY = (_SCORECARD, _party(), _STEP, _c("element_id", "string", "The element (question) id within the step."))
_OF_SCORECARD = (("scorecard_id", "scorecards", "scorecard_id"),)
_OF_PARTY = (("party_id", "parties", "party_id"),)


EXPORT_TABLES: tuple[ExportTable, ...] = (
    ExportTable("parties", "The parties watched (from parties.yaml).", (
        _c("party_id", "string", "Stable party id, lowercase [a-z0-9-] (e.g. `snp`).", source="id"),
        _c("name", "string", "The party's name."),
        _c("jurisdiction", "string", "ISO 3166 code of where it stands (e.g. `GB-SCT`)."),
        _c("homepage", "string", "The party's homepage URL."),
        _c("updated_at", "datetime", "When this row last changed (UTC)."),
    ), ("party_id",), read_from="parties ORDER BY id"),
    ExportTable("documents", "Every URL of a party's that was configured or discovered; never deleted.", (
        _c("document_id", "integer", "Document id.", source="id"),
        _party(),
        _c("url", "string", "The document's URL."),
        _c("kind", "string", "privacy_notice, supplier_list, ... or other."),
        _c("status", "string", "new | ok | failed | gone (404/410) | blocked (bot-protection "
           "challenge) | unreadable (needs JavaScript) after the latest fetch."),
        _c("first_seen_at", "datetime", "First time the document was known (UTC)."),
        _c("last_ok_at", "datetime", "Last successful fetch (UTC).", True),
        _c("consecutive_failures", "integer", "Failed fetches since the last good one."),
    ), ("document_id",), _OF_PARTY, read_from="documents ORDER BY id"),
    ExportTable("snapshots", "Each distinct content of a document (metadata only: no raw bytes, no text).", (
        _c("snapshot_id", "integer", "Snapshot id; evidence.snapshot_id points here.", source="s.id"),
        _c("document_id", "integer", "The document (documents.document_id).", source="s.document_id"),
        _party(source="d.party_id"),
        _c("content_hash", "string", "sha256 of the raw bytes, hex.", source="s.content_hash"),
        _c("content_type", "string", "HTTP Content-Type as fetched.", source="s.content_type"),
        _c("size_bytes", "integer", "Size of the raw content in bytes.", source="s.size"),
        _c("text_chars", "integer", "Length of the extracted text in characters; empty if none.", True,
           source="LENGTH(s.text)"),
        _c("extraction_error", "string", "Why no text could be extracted, if so.", True,
           source="s.extraction_error"),
        _c("fetched_at", "datetime", "When this content was first stored (UTC).", source="s.fetched_at"),
        _c("provenance", "string", "Where the content came from: fetched (by the crawl), imported "
                                   "(saved by hand, `partywatch import`) or archived (a web archive's copy).",
           source="s.provenance"),
        _c("captured_at", "datetime", "When an imported or archived copy was made (the date given to "
                                      "import, the archive's timestamp; UTC); empty for fetched content.", True,
           source="s.captured_at"),
    ), ("snapshot_id",), (("document_id", "documents", "document_id"),),
        read_from="snapshots s JOIN documents d ON d.id = s.document_id ORDER BY s.id"),
    ExportTable("runs", "Each `partywatch check` or `rescore` invocation.", (
        _c("run_id", "integer", "Run id.", source="id"),
        _c("kind", "string", "check | rescore."),
        _c("started_at", "datetime", "Start (UTC)."),
        _c("finished_at", "datetime", "End (UTC); empty while running or if it died.", True),
        _c("status", "string", "running | ok | failed."),
        _c("error", "string", "Why it failed, if so.", True),
    ), ("run_id",), read_from="runs ORDER BY id"),
    ExportTable("rubric_versions", "Each distinct rubric.yaml scorecards were computed with.", (
        _c("rubric_version_id", "integer", "Rubric version id.", source="id"),
        _c("version", "string", "The version the YAML declares; compare scores only within one."),
        _c("content_hash", "string", "sha256 of the rubric YAML."),
        _c("created_at", "datetime", "First use (UTC)."),
    ), ("rubric_version_id",), read_from="rubric_versions ORDER BY id"),
    ExportTable("scorecards", "A party's score: one per party per run per rubric version, stored when it changed.", (
        _c("scorecard_id", "integer", "Scorecard id.", source="s.id"),
        _party(source="s.party_id"),
        _c("run_id", "integer", "The run that computed it (runs.run_id).", source="s.run_id"),
        _c("rubric_version_id", "integer", "The rubric used (rubric_versions.rubric_version_id).",
           source="s.rubric_version_id"),
        _c("rubric_version", "string", "That rubric's declared version.", source="rv.version"),
        _c("scored_at", "datetime", "When it was computed (UTC).", source="s.created_at"),
        _c("overall", "number", "Overall score 0-100: weighted mean of the step scores.", source="s.overall"),
        _c("grade", "string", "Grade A-E from the rubric's bands.", source="s.grade"),
        _c("snapshot_ids", "array", "The snapshots it was computed from (CSV: a JSON array, e.g. `[3, 7]`).",
           source="s.snapshot_ids"),
    ), ("scorecard_id",), (*_OF_PARTY, ("run_id", "runs", "run_id"),
                           ("rubric_version_id", "rubric_versions", "rubric_version_id")),
        read_from="scorecards s JOIN rubric_versions rv ON rv.id = s.rubric_version_id ORDER BY s.id"),
    ExportTable("step_scores", "Each step's score in each scorecard (the ten steps, in rubric order).", (
        _SCORECARD,
        _party(),
        _c("scored_at", "datetime", "When the scorecard was computed (UTC)."),
        _c("rubric_version_id", "integer", "The rubric used."),
        _c("step_id", "string", "Stable step id, e.g. `data-sources`, `retention`."),
        _c("step_position", "integer", "0-based position of the step in the rubric."),
        _c("step_title", "string", "The step's title in that rubric."),
        _c("score", "number", "Step score 0-100: weighted mean of its element credits."),
    ), ("scorecard_id", "step_id"), _OF_SCORECARD),
    ExportTable("element_results", "Each element's credit in each scorecard; its quotes are in `evidence`.", (
        *_ELEMENT_KEY,
        _c("element_position", "integer", "0-based position of the element in the scorecard."),
        _c("credit", "string", "full (100) | partial (50) | none (0, nothing found) | n/a (not averaged)."),
        _c("evidence_count", "integer", "How many evidence rows this credit has."),
        _c("looked_for", "string", "For `none`: what was looked for.", True),
    ), ("scorecard_id", "step_id", "element_id"), _OF_SCORECARD),
    ExportTable("evidence", "One row per quoted sentence behind an element's credit.", (
        *_ELEMENT_KEY,
        _c("evidence_index", "integer", "0-based order of this quote within the element."),
        _c("quote", "string", "The quoted sentence, verbatim from the extracted text."),
        _c("url", "string", "The document URL it was quoted from."),
        _c("start", "integer", "Start character offset in the snapshot's extracted text.", True),
        _c("end", "integer", "End character offset (exclusive).", True),
        _c("snapshot_id", "integer", "The snapshot quoted (snapshots.snapshot_id).", True),
        _c("version_path", "string", "The quote on its stored version in the `partywatch report` site, "
                                     "relative to the site's root (versions/<snapshot_id>.html#q-<start>-<end>).",
           True),
    ), ("scorecard_id", "step_id", "element_id", "evidence_index"), _OF_SCORECARD),
    ExportTable("changes", "What moved since the party's previous scorecard of the same rubric version.", (
        _c("change_id", "integer", "Change id."),
        _c("scorecard_id", "integer", "The new scorecard (scorecards.scorecard_id)."),
        _party(),
        _c("scored_at", "datetime", "When the new scorecard was computed (UTC)."),
        _c("kind", "string", "step | element | document."),
        _c("subject", "string", "Step id, `step/element` id, or document URL."),
        _c("old", "string", "Value before (score, credit or document state).", True),
        _c("new", "string", "Value after.", True),
        _c("summary", "string", "Short human-readable description.", True),
    ), ("change_id",), _OF_SCORECARD),
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
    ), ("ec_ref",), _OF_PARTY, read_from="spending_items ORDER BY ec_ref"),
)

TABLES_BY_NAME = {table.name: table for table in EXPORT_TABLES}


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
