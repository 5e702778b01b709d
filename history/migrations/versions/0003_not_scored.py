"""not_scored: parties the latest check could not score, with the reason

A party without a readable privacy notice gets no scorecard (no "E 0.0"); this table is
where the bot, the report and `check` learn that it is "not scored" and why. A table of
its own rather than columns on `parties`, so SQLite never has to rebuild `parties` (which
the research views read) to add or drop them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('not_scored',
    sa.Column('party_id', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('since', sa.DateTime(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_not_scored_party_id_parties')),
    sa.ForeignKeyConstraint(['run_id'], ['runs.id'], name=op.f('fk_not_scored_run_id_runs')),
    sa.PrimaryKeyConstraint('party_id', name=op.f('pk_not_scored'))
    )


def downgrade() -> None:
    op.drop_table('not_scored')
