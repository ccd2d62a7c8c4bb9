"""catalog item: 公开层级 as a set of tiers and 公开渠道和载体 as a list of channels

Published catalogs name many tiers (县级, 区级, 乡镇级, 街道, 乡、村级, 村级 …), not two: the
booleans level_county / level_township become ``levels`` (a list of tier codes), and the text
``channels`` becomes a list of the channels selected (■/□ in the tables).

Revision ID: 0012
Revises: 0005
Create Date: 2026-11-23 18:20:00
"""
import json

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0010'
branch_labels = None
depends_on = None

_SPLIT = "、，,/;；\n"


def _words(text):
    if not text:
        return []
    for sep in _SPLIT[1:]:
        text = text.replace(sep, _SPLIT[0])
    return [w.strip() for w in text.split(_SPLIT[0]) if w.strip()]


def upgrade() -> None:
    with op.batch_alter_table('catalog_item', table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.add_column(sa.Column('levels', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('channel_list', sa.JSON(), nullable=True))
    conn = op.get_bind()
    items = sa.table('catalog_item', sa.column('id', sa.Integer), sa.column('level_county', sa.Boolean),
                     sa.column('level_township', sa.Boolean), sa.column('channels', sa.Text),
                     sa.column('levels', sa.JSON), sa.column('channel_list', sa.JSON))
    rows = conn.execute(sa.select(items.c.id, items.c.level_county, items.c.level_township, items.c.channels)).all()
    for id_, county, township, channels in rows:
        levels = (["county"] if county else []) + (["township"] if township else [])
        conn.execute(items.update().where(items.c.id == id_).values(levels=levels, channel_list=_words(channels)))
    conn.execute(items.update().where(items.c.levels.is_(None)).values(levels=[], channel_list=[]))
    with op.batch_alter_table('catalog_item', table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column('level_county')
        batch.drop_column('level_township')
        batch.drop_column('channels')
        batch.alter_column('channel_list', new_column_name='channels', existing_type=sa.JSON(), nullable=False)
        batch.alter_column('levels', existing_type=sa.JSON(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('catalog_item', table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.add_column(sa.Column('level_county', sa.Boolean(), nullable=True))
        batch.add_column(sa.Column('level_township', sa.Boolean(), nullable=True))
        batch.add_column(sa.Column('channel_text', sa.Text(), nullable=True))
    conn = op.get_bind()
    items = sa.table('catalog_item', sa.column('id', sa.Integer), sa.column('level_county', sa.Boolean),
                     sa.column('level_township', sa.Boolean), sa.column('channel_text', sa.Text),
                     sa.column('levels', sa.JSON), sa.column('channels', sa.JSON))
    for id_, levels, channels in conn.execute(sa.select(items.c.id, items.c.levels, items.c.channels)).all():
        levels = json.loads(levels) if isinstance(levels, str) else (levels or [])
        channels = json.loads(channels) if isinstance(channels, str) else (channels or [])
        conn.execute(items.update().where(items.c.id == id_).values(
            level_county="county" in levels, level_township="township" in levels,
            channel_text="、".join(channels) or None))
    with op.batch_alter_table('catalog_item', table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column('levels')
        batch.drop_column('channels')
        batch.alter_column('channel_text', new_column_name='channels', existing_type=sa.Text())
        batch.alter_column('level_county', existing_type=sa.Boolean(), nullable=False)
        batch.alter_column('level_township', existing_type=sa.Boolean(), nullable=False)
