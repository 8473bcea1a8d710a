"""The schema the migrations build has every unique constraint and index the models declare.

Tortoise's migration operations can lose some on one backend (its SQLite ``AlterField``
rebuilds a table without its ``unique_together``, and adds no index to an existing foreign
key), so a migration that looks right can silently drop a guarantee the code relies on, such
as "a provider's transaction id pays one payment". This builds the list from the models of the
core and of every installed plugin and reads what the database really has.
"""

from tortoise import Tortoise
from tortoise.fields.relational import ForeignKeyFieldInstance, OneToOneFieldInstance

from qunshang.plugin_manager import discover

PLUGINS = sorted(discover())

PG_INDEXES = """
SELECT i.indisunique AS is_unique, array_agg(a.attname ORDER BY k.n) AS columns
FROM pg_index i
JOIN pg_class t ON t.oid = i.indrelid
JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) ON true
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
WHERE t.relname = $1
GROUP BY i.indexrelid, i.indisunique
"""


def _column(model, name: str) -> str:
    field = model._meta.fields_map[name]
    if isinstance(field, (ForeignKeyFieldInstance, OneToOneFieldInstance)):
        return field.source_field or f"{name}_id"
    return field.source_field or name


def _declared(model) -> tuple[set[tuple[str, ...]], set[str]]:
    """Unique column sets and indexed columns the model declares (the primary key aside)."""
    meta = model._meta
    uniques = {tuple(sorted(_column(model, n) for n in group)) for group in meta.unique_together}
    indexed = set()
    for name, field in meta.fields_map.items():
        if field.pk or name not in meta.db_fields | set(meta.fk_fields) | set(meta.o2o_fields):
            continue
        if field.unique or isinstance(field, OneToOneFieldInstance):
            uniques.add((_column(model, name),))
        elif field.index:
            indexed.add(_column(model, name))
    return uniques, indexed


async def _existing(connection, table: str) -> list[tuple[bool, tuple[str, ...]]]:
    if connection.capabilities.dialect == "postgres":
        rows = await connection.execute_query_dict(PG_INDEXES, [table])
        return [(row["is_unique"], tuple(row["columns"])) for row in rows]
    found = []
    for index in await connection.execute_query_dict(f'PRAGMA index_list("{table}")'):
        columns = await connection.execute_query_dict(f'PRAGMA index_info("{index["name"]}")')
        found.append((bool(index["unique"]), tuple(c["name"] for c in sorted(columns, key=lambda c: c["seqno"]))))
    return found


async def test_migrations_keep_every_declared_unique_constraint_and_index(make_app):
    async with make_app(enabled=PLUGINS):
        missing = []
        checked = 0
        for label, models in Tortoise.apps.items():
            for model in models.values():
                uniques, indexed = _declared(model)
                existing = await _existing(model._meta.db, model._meta.db_table)
                unique_sets = {tuple(sorted(cols)) for is_unique, cols in existing if is_unique}
                leading = {cols[0] for _is_unique, cols in existing if cols}
                missing += [f"{model._meta.db_table}: unique {cols}" for cols in uniques if cols not in unique_sets]
                missing += [f"{model._meta.db_table}: index on {col}" for col in indexed if col not in leading]
                checked += len(uniques) + len(indexed)
        assert checked > 40
        assert missing == []
