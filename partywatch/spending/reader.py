"""Reading the Electoral Commission's spending export, one row at a time.

The Commission's spending search exports a CSV with one row per item. Columns are read
by name, so extra or reordered ones do no harm; a file lacking a column partywatch needs
is refused with the names it lacks. Amounts carry "£" and thousands separators, dates are
dd/mm/yyyy, files may start with a byte-order mark, and older exports have Windows line
endings and a trailing comma on every line. A row whose amount or date cannot be read is
returned as a BadRow with its line, never half-read.

Rows are read lazily from the file, so a file of any size takes the same memory.
"""

from __future__ import annotations

import codecs
import csv
import functools
import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Iterator

# The columns partywatch needs, and the item field each one fills.
REQUIRED = {
    "ECRef": "ec_ref",
    "RegulatedEntityName": "entity_name",
    "RegulatedEntityId": "entity_id",
    "ExpenseCategoryName": "category",
    "SupplierName": "supplier_name",
    "TotalExpenditure": "total",
}
# Read when the export has them.
OPTIONAL = {
    "RegulatedEntityType": "entity_type",
    "ReportingPeriodName": "reporting_period",
    "SupplierId": "supplier_id",
    "FullAddress": "supplier_address",
    "AmountInEngland": "amount_england",
    "AmountInScotland": "amount_scotland",
    "AmountInWales": "amount_wales",
    "AmountInNorthernIreland": "amount_northern_ireland",
    "DateIncurred": "date_incurred",
    "DatePaid": "date_paid",
    "CampaigningName": "campaigning_name",
}
# Required columns whose cells may be empty (an entity the Commission gives no number).
MAY_BE_EMPTY = {"entity_id"}
AMOUNTS = {"total", "amount_england", "amount_scotland", "amount_wales", "amount_northern_ireland"}
DATES = {"date_incurred", "date_paid"}
FIELDS = [*REQUIRED.values(), *OPTIONAL.values()]
OTHER_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}
# Real exports put some long names and addresses in one field; csv's default cap is 128 KB.
csv.field_size_limit(10 * 1024 * 1024)


class ExportError(Exception):
    """The file cannot be read as a spending export; the message says why."""


@dataclass(frozen=True)
class BadRow:
    line: int
    ec_ref: str
    reason: str


# Exports repeat amounts ("£0.00" in three of four nations) and dates thousands of times;
# a small cache keeps those and lets one-off amounts go, so memory stays flat.
@functools.lru_cache(maxsize=4_096)
def parse_amount(text: str) -> Decimal:
    """'£1,250.00' -> Decimal('1250.00'); '-£5.00' and '(£5.00)' are negative (refunds)."""
    value = text.strip().replace(" ", "")
    negative = value.startswith(("(", "-", "£-"))
    if value.startswith("(") != value.endswith(")"):
        raise ValueError(f"amount {text!r} is not a sum of money")
    digits = value.strip("()").replace("£", "").replace("-", "", 1).replace(",", "")
    if not digits.replace(".", "", 1).isdigit() or not digits.isascii():
        raise ValueError(f"amount {text!r} is not a sum of money")
    number = Decimal(digits)
    return -number if negative else number


@functools.lru_cache(maxsize=4_096)
def parse_date(text: str) -> date:
    """'04/07/2024' -> 2024-07-04 (the Commission writes day/month/year)."""
    parts = text.strip().split("/")
    try:
        if len(parts) != 3 or len(parts[2]) != 4 or not all(p.isdigit() for p in parts):
            raise ValueError
        return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        raise ValueError(f"date {text!r} is not dd/mm/yyyy") from None


def item_hash(item: dict) -> str:
    """A digest of an item's values: the same item in an older export layout hashes alike."""
    text = "\x1f".join(["" if item[name] is None else str(item[name]) for name in FIELDS])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _cp1252_fallback(error: UnicodeDecodeError) -> tuple[str, int]:
    """Bytes that are not UTF-8 read as Windows-1252 (what older exports and Excel write)."""
    return error.object[error.start:error.end].decode("cp1252", errors="replace"), error.end


codecs.register_error("partywatch-cp1252", _cp1252_fallback)


def _check_header(header: list[str], path: Path) -> dict[str, int]:
    """Column name -> position; ExportError for a wrong delimiter or missing columns."""
    names = [name.strip() for name in header]
    if len(names) == 1:
        for delimiter, word in OTHER_DELIMITERS.items():
            if delimiter in names[0]:
                raise ExportError(f"{path}: the columns are separated by {word}, not commas; "
                                  "save the export as CSV (comma-separated) and import that")
    positions = {name: i for i, name in reversed(list(enumerate(names))) if name}
    missing = [name for name in REQUIRED if name not in positions]
    if missing:
        raise ExportError(f"{path}: not an Electoral Commission spending export: missing column(s) "
                          f"{', '.join(missing)} (it has: {', '.join(n for n in names if n)[:300]})")
    return positions


def _fields(positions: dict[str, int]) -> list[tuple[int | None, str, str, str]]:
    """(column position or None, column, item field, kind) in the order items are read."""
    out = []
    for column, name in (*REQUIRED.items(), *OPTIONAL.items()):
        kind = ("amount" if name in AMOUNTS else "date" if name in DATES
                else "required" if name in REQUIRED.values() and name not in MAY_BE_EMPTY else "text")
        out.append((positions.get(column), column, name, kind))
    return out


def _item(row: list[str], fields: list[tuple[int | None, str, str, str]]) -> dict:
    """The item's fields from one CSV row; ValueError naming the first value that is wrong."""
    item: dict = {}
    width = len(row)
    for index, column, name, kind in fields:
        value = row[index].strip() if index is not None and index < width else ""
        if not value:
            if kind == "required" or name == "total":
                raise ValueError(f"no {column}")
            item[name] = "" if name == "entity_id" else None
        elif kind == "amount":
            item[name] = parse_amount(value)
        elif kind == "date":
            item[name] = parse_date(value)
        else:
            item[name] = value
    return item


def read_export(path: str | Path) -> Iterator[tuple[int, dict | BadRow]]:
    """(line, item) for each row of the export at `path`; a row that cannot be read is a BadRow.

    `line` is the row's first line in the file (the header is line 1). Raises ExportError
    at once, before any row is read, when the file is empty, not comma-separated or lacks
    columns.
    """
    path = Path(path)
    try:
        # utf-8-sig drops a byte-order mark; newline="" lets csv see line breaks inside quotes
        handle = path.open(encoding="utf-8-sig", errors="partywatch-cp1252", newline="")
    except OSError as exc:
        raise ExportError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise ExportError(f"{path}: not a CSV file: {exc}") from exc
        if header is None or not any(cell.strip() for cell in header):
            raise ExportError(f"{path}: the file is empty (no header row)")
        positions = _check_header(header, path)
    except BaseException:
        handle.close()
        raise
    return _rows(handle, reader, positions)


def _rows(handle: IO[str], reader, positions: dict[str, int]) -> Iterator[tuple[int, dict | BadRow]]:
    ref_index = positions["ECRef"]
    fields = _fields(positions)
    with handle:
        line = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield line, BadRow(line, "", f"not valid CSV: {exc}")
                line = reader.line_num + 1
                continue
            if not any(cell.strip() for cell in row):
                line = reader.line_num + 1
                continue  # blank lines at the end of a file
            try:
                item = _item(row, fields)
            except (ValueError, InvalidOperation) as exc:
                ec_ref = row[ref_index].strip() if ref_index < len(row) else ""
                yield line, BadRow(line, ec_ref, str(exc))
            else:
                item["content_hash"] = item_hash(item)
                yield line, item
            line = reader.line_num + 1
