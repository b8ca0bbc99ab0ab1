"""consent change times on the user row (issue 9)

/konto shows when each consent last changed. Reading it as max(at) over consent_record grew with
the user's history on every page load and save; the two times now live on the user row, which the
page reads anyway. consent_record stays the append-only history. Backfilled from that history.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 01:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_consent_changed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('info_consent_changed_at', sa.DateTime(), nullable=True))
    for consent, column in (("reminders", "reminder_consent_changed_at"), ("info", "info_consent_changed_at")):
        op.execute(
            sa.text(
                f'UPDATE "user" SET {column} = (SELECT max(at) FROM consent_record '
                f'WHERE consent_record.user_id = "user".id AND consent_record.consent = :consent)'
            ).bindparams(consent=consent)
        )


def downgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('info_consent_changed_at')
        batch_op.drop_column('reminder_consent_changed_at')
