"""the account's language (issue 11)

English is the second language: the language a user chose (or registered in) is kept on the
account, so that the pages after login and every e-mail, the daily job's included, use it.
Existing accounts are Polish.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 05:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), server_default='pl', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('language')
