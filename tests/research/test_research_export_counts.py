"""The export's progress totals (history.export.count_rows) are the rows it writes.

`partywatch export` sizes each table's progress bar with count_rows before it writes;
counting evidence means counting the quotes inside each element's JSON, which the
database does (SQLite's json_array_length, PostgreSQL's) while the export decodes it in
Python, so the two must agree, hand-edited evidence included.
"""

from history.db import transaction
from history.export import count_rows, export_history
from history.export_tables import EXPORT_TABLES
from history.models import ElementResultRow


def test_count_rows_is_what_the_export_writes(history_db, tmp_path):
    card_id = history_db.cards[0].id
    with transaction(history_db.engine) as session:
        session.get(ElementResultRow, (card_id, "data-sources", "disclosed")).evidence = {"not": "a list"}
        session.get(ElementResultRow, (card_id, "data-sources", "named")).evidence = ["one", "two"]
    with history_db.engine.connect() as conn:
        counts = {spec.name: count_rows(conn, spec.name) for spec in EXPORT_TABLES}
        written = export_history(conn, tmp_path / "export", "csv").row_counts
    assert counts == written
    assert counts["evidence"] > counts["element_results"] / 2 > 0
