"""element_results.detail: what an element's credit rests on besides quotes

An element scored from the spending returns (the suppliers step's paid-suppliers-named)
keeps the suppliers the party paid for data-related work, with totals and whether its
notices name them, so the bot and the report can say "paid X £N but never named" for
the scorecard as it was stored.

Revision ID: 0006_element_detail
Revises: 0005
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = '0006_element_detail'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('element_results') as batch_op:
        batch_op.add_column(sa.Column('detail', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('element_results') as batch_op:
        batch_op.drop_column('detail')
