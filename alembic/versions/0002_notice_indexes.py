"""consents and reminders (issue 5): indexes for the daily selections, sent_notice.confirmed_at

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sent_notice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.create_index('ix_subscription_paid_until_trial_ends_on', ['paid_until', 'trial_ends_on'], unique=False)
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.create_index('ix_user_info_consent_created_at', ['info_consent', 'created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index('ix_user_info_consent_created_at')
    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.drop_index('ix_subscription_paid_until_trial_ends_on')
    # SQLite drops a column by copying the table: keep its AUTOINCREMENT (IDs never reused).
    with op.batch_alter_table('sent_notice', schema=None,
                              table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.drop_column('confirmed_at')
