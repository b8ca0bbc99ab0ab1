"""invoices an accountant accepts (issue 13): place of issue, payment method and due date

Existing invoices keep what they said: no place, a bank transfer, no due date.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 18:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('place_of_issue', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(
            sa.Column('payment_method', sa.String(length=16), server_default='transfer', nullable=False)
        )
        batch_op.add_column(sa.Column('due_date', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_column('due_date')
        batch_op.drop_column('payment_method')
        batch_op.drop_column('place_of_issue')
