"""film catalogue: films, their captions per language, the weeks that show them

Revision ID: b6e2f1a0c9d4
Revises: 9a4c1e2b7d35
Create Date: 2026-11-30 05:15:00

"""
from alembic import op
import sqlalchemy as sa

from course.timeutil import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'b6e2f1a0c9d4'
down_revision = '9a4c1e2b7d35'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'course_film',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('slug', sa.String(length=120), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('duration_seconds', sa.Integer(), nullable=False),
        sa.Column('guide', sa.Text(), nullable=False),
        sa.Column('practice', sa.Boolean(), nullable=False),
        sa.Column('levels', sa.JSON(), nullable=False),
        sa.Column('storage_key', sa.String(length=200), nullable=True),
        sa.Column('size_bytes', sa.BigInteger(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.Column('public_id', sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['course_user.id'], name=op.f('fk_course_film_uploaded_by_id_course_user'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_course_film')),
        sa.UniqueConstraint('public_id', name=op.f('uq_course_film_public_id')),
        sa.UniqueConstraint('slug', name=op.f('uq_course_film_slug')),
    )
    op.create_table(
        'course_film_caption',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('film_id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['film_id'], ['course_film.id'], name=op.f('fk_course_film_caption_film_id_course_film'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_course_film_caption')),
        sa.UniqueConstraint('film_id', 'language', name=op.f('uq_course_film_caption_film_id')),
    )
    op.create_table(
        'course_film_showing',
        sa.Column('film_id', sa.Integer(), nullable=False),
        sa.Column('unit_slug', sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(['film_id'], ['course_film.id'], name=op.f('fk_course_film_showing_film_id_course_film'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('film_id', 'unit_slug', name=op.f('pk_course_film_showing')),
    )
    with op.batch_alter_table('course_film_showing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_film_showing_unit_slug'), ['unit_slug'], unique=False)


def downgrade():
    with op.batch_alter_table('course_film_showing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_film_showing_unit_slug'))
    op.drop_table('course_film_showing')
    op.drop_table('course_film_caption')
    op.drop_table('course_film')
