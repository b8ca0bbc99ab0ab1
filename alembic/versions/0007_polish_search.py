"""Polish search and sort (issue 13): folded search text and a Polish sort key on clients and
products, folded search text on documents; existing rows filled in.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 13:10:00
"""

from alembic import op
import sqlalchemy as sa

from fakturowo_ui.services.polish import fold, sort_key


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

_SEARCHED = {
    'client': ('name', 'nip', 'address', 'email'),
    'product': ('name', 'unit'),
    'document': ('number', 'buyer_name', 'buyer_nip'),
}


def upgrade() -> None:
    for table in ('client', 'product'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('search_text', sa.String(length=1200), server_default='', nullable=False))
            batch_op.add_column(sa.Column('sort_key', sa.String(length=600), server_default='', nullable=False))
            batch_op.create_index(f'ix_{table}_user_sort_key', ['user_id', 'sort_key'], unique=False)
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.String(length=1200), server_default='', nullable=False))
    connection = op.get_bind()
    for table, columns in _SEARCHED.items():
        rows = connection.execute(sa.text(f'SELECT id, {", ".join(columns)} FROM "{table}"')).all()
        for row in rows:
            values = {'id': row[0], 'search_text': fold(' '.join(str(v or '') for v in row[1:]))}
            assignments = 'search_text = :search_text'
            if table != 'document':
                values['sort_key'] = sort_key(str(row[1] or ''))
                assignments += ', sort_key = :sort_key'
            connection.execute(sa.text(f'UPDATE "{table}" SET {assignments} WHERE id = :id'), values)


def downgrade() -> None:
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_column('search_text')
    for table in ('product', 'client'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f'ix_{table}_user_sort_key')
            batch_op.drop_column('sort_key')
            batch_op.drop_column('search_text')
