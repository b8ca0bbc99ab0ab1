"""account security (issue 12): two-step login, recovery codes, session details, security history

- user: the two-step method, its encrypted TOTP key (and the one being set up), the last TOTP
  step accepted (replay protection);
- auth_session: the browser's User-Agent and shortened address, for "Aktywne sesje";
- one_time_token: the digest of an e-mailed short code, and the new address of an address change;
- recovery_code: single-use recovery codes, hashed;
- security_event: the security history of /konto/historia (90 days, deleted with the account).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 11:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('two_step_method', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('two_step_secret', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('two_step_pending_secret', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('two_step_last_step', sa.BigInteger(), nullable=True))
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_agent', sa.String(length=300), server_default='', nullable=False))
        batch_op.add_column(sa.Column('ip_prefix', sa.String(length=64), server_default='', nullable=False))
    with op.batch_alter_table('one_time_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('new_email', sa.String(length=254), nullable=True))
    op.create_table(
        'recovery_code',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_code_user_id'), ['user_id'], unique=False)
    op.create_table(
        'security_event',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('user_agent', sa.String(length=300), nullable=False),
        sa.Column('ip_prefix', sa.String(length=64), nullable=False),
        sa.Column('detail', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table('security_event', schema=None) as batch_op:
        batch_op.create_index('ix_security_event_user_at', ['user_id', 'at'], unique=False)
        batch_op.create_index('ix_security_event_at', ['at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('security_event', schema=None) as batch_op:
        batch_op.drop_index('ix_security_event_at')
        batch_op.drop_index('ix_security_event_user_at')
    op.drop_table('security_event')
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_code_user_id'))
    op.drop_table('recovery_code')
    with op.batch_alter_table('one_time_token', schema=None) as batch_op:
        batch_op.drop_column('new_email')
        batch_op.drop_column('code_hash')
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.drop_column('ip_prefix')
        batch_op.drop_column('user_agent')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('two_step_last_step')
        batch_op.drop_column('two_step_pending_secret')
        batch_op.drop_column('two_step_secret')
        batch_op.drop_column('two_step_method')
