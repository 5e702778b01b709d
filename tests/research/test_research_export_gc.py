"""An export pauses Python's cyclic garbage collector (its rows hold no cycles) and
leaves it as it found it, also when the export fails, so the process that ran it (the
CLI, or anything embedding history.export) keeps collecting afterwards."""

import gc

import pytest

from history.export import export_history


def test_export_restores_the_garbage_collector(history_db, tmp_path):
    assert gc.isenabled()
    with history_db.engine.connect() as conn:
        seen = []
        export_history(conn, tmp_path / "ok", "json", progress=lambda table, rows: seen.append(gc.isenabled()))
        assert seen and not any(seen)  # paused while rows were written
        assert gc.isenabled()

        def fail(table, rows):
            raise OSError("disk full")

        with pytest.raises(OSError, match="disk full"):
            export_history(conn, tmp_path / "failed", "csv", progress=fail)
        assert gc.isenabled()


def test_export_leaves_a_disabled_collector_disabled(history_db, tmp_path):
    gc.disable()
    try:
        with history_db.engine.connect() as conn:
            export_history(conn, tmp_path / "export", "csv")
        assert not gc.isenabled()
    finally:
        gc.enable()
