"""free plan (issue 6): a per-month counter of issued documents on subscription

Deleting a document must not give a free-plan slot back, so the limit counts issues, not rows.
Existing subscriptions start from the documents created in the current Warsaw month.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 01:20:00
"""

import datetime as dt
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.add_column(sa.Column('issued_month', sa.String(length=7), nullable=True))
        batch_op.add_column(sa.Column('issued_count', sa.Integer(), server_default='0', nullable=False))
    warsaw = ZoneInfo("Europe/Warsaw")
    now = dt.datetime.now(warsaw)
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    start_utc = month_start.astimezone(dt.timezone.utc).replace(tzinfo=None)
    bind = op.get_bind()
    counts = bind.execute(
        sa.text("SELECT user_id, count(*) FROM document WHERE created_at >= :start GROUP BY user_id"),
        {"start": start_utc},
    ).all()
    for user_id, issued in counts:
        bind.execute(
            sa.text("UPDATE subscription SET issued_month = :month, issued_count = :count WHERE user_id = :user_id"),
            {"month": f"{now.year:04d}-{now.month:02d}", "count": issued, "user_id": user_id},
        )


def downgrade() -> None:
    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.drop_column('issued_count')
        batch_op.drop_column('issued_month')
