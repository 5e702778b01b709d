"""spending_items, spending_item_changes: the Electoral Commission's spending returns

Campaign spending items keyed by the Commission's ECRef, matched to the parties watched,
so the suppliers a party paid can be set beside the suppliers its notices name. A
correction replaces an item and keeps its older version in spending_item_changes (with
its hash, so importing an older export again does not undo the correction).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('spending_items',
    sa.Column('ec_ref', sa.String(length=64), nullable=False),
    sa.Column('party_id', sa.String(length=64), nullable=True),
    sa.Column('entity_id', sa.String(length=64), nullable=False),
    sa.Column('entity_name', sa.String(length=300), nullable=False),
    sa.Column('entity_type', sa.String(length=100), nullable=True),
    sa.Column('reporting_period', sa.String(length=200), nullable=True),
    sa.Column('category', sa.String(length=200), nullable=False),
    sa.Column('supplier_name', sa.String(length=500), nullable=False),
    sa.Column('supplier_id', sa.String(length=64), nullable=True),
    sa.Column('supplier_address', sa.Text(), nullable=True),
    sa.Column('total', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('amount_england', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('amount_scotland', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('amount_wales', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('amount_northern_ireland', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('date_incurred', sa.Date(), nullable=True),
    sa.Column('date_paid', sa.Date(), nullable=True),
    sa.Column('campaigning_name', sa.String(length=300), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_spending_items_party_id_parties')),
    sa.PrimaryKeyConstraint('ec_ref', name=op.f('pk_spending_items'))
    )
    op.create_index('ix_spending_items_party_category', 'spending_items', ['party_id', 'category'], unique=False)
    op.create_table('spending_item_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ec_ref', sa.String(length=64), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('source', sa.String(length=1000), nullable=False),
    sa.Column('old_hash', sa.String(length=64), nullable=False),
    sa.Column('old', sa.JSON(), nullable=False),
    sa.Column('new', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['ec_ref'], ['spending_items.ec_ref'], name=op.f('fk_spending_item_changes_ec_ref_spending_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spending_item_changes'))
    )
    op.create_index(op.f('ix_spending_item_changes_ec_ref'), 'spending_item_changes', ['ec_ref'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_spending_item_changes_ec_ref'), table_name='spending_item_changes')
    op.drop_table('spending_item_changes')
    op.drop_index('ix_spending_items_party_category', table_name='spending_items')
    op.drop_table('spending_items')
