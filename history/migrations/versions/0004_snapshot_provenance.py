"""snapshot provenance and capture time; each document's HTTP validators

A snapshot now says where its content came from: `fetched` by the crawl, `imported` by
hand (`partywatch import`), or `archived` (a web archive's copy, `check
--archive-fallback`), and, for the last two, when that copy was captured (the archive's
timestamp, or the date given to import). A document keeps the ETag and Last-Modified of
its latest fetched content, so the next crawl can ask "has it changed?" and an unchanged
page costs a 304 instead of its whole body.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('snapshots') as batch:
        batch.add_column(sa.Column('provenance', sa.String(length=16), nullable=False,
                                   server_default='fetched'))
        batch.add_column(sa.Column('captured_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('documents') as batch:
        batch.add_column(sa.Column('etag', sa.String(length=512), nullable=True))
        batch.add_column(sa.Column('last_modified', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('documents') as batch:
        batch.drop_column('last_modified')
        batch.drop_column('etag')
    with op.batch_alter_table('snapshots') as batch:
        batch.drop_column('captured_at')
        batch.drop_column('provenance')
