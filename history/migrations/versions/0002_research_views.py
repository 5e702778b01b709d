"""research views: latest scorecard, step history, step changes; step score index

Three read-only SQL views for researchers (Datasette, psql, sqlite3, pandas), defined in
history.views (a new database gets them from there too, history.schema). Views are not
part of the SQLAlchemy metadata, so autogenerate (`alembic check`) never sees them. The
covering index on step_scores is in the metadata (history/tables/) and here alike.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from alembic import op

from history.views import LATEST_SCORECARD, STEP_CHANGES, STEP_HISTORY

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Covers (scorecard_id, step_id, score) so one party's step history -- 18,000 rows for
    # five years of daily scorecards -- is read from the index without a lookup per row.
    op.create_index("ix_step_scores_scorecard_score", "step_scores",
                    ["scorecard_id", "step_id", "score"])
    op.execute(LATEST_SCORECARD)
    op.execute(STEP_HISTORY)
    op.execute(STEP_CHANGES)


def downgrade() -> None:
    # Dependants first: v_step_changes reads v_step_history.
    op.execute("DROP VIEW IF EXISTS v_step_changes")
    op.execute("DROP VIEW IF EXISTS v_step_history")
    op.execute("DROP VIEW IF EXISTS v_latest_scorecard")
    op.drop_index("ix_step_scores_scorecard_score", table_name="step_scores")
