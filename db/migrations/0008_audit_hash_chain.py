"""Audit hash chain: audit_log.row_hash = sha256(previous row's hash + the row's canonical JSON).

Existing rows are hashed in id order, so the chain covers the whole log from row 1. Ids already
missing (a PostgreSQL sequence skips the ids of rolled-back inserts) are recorded in meta as
audit_chain_gaps; from now on every id is the previous one + 1.

Self-contained on purpose (no psm_tui import): the hashing below is a frozen copy of
psm_tui.core.audit_chain as of this migration. The append-only triggers refuse the UPDATE, so
they are dropped for it and recreated from the definitions the database itself holds (SQLite's
sqlite_master, PostgreSQL's pg_get_triggerdef): backend-specific SQL, kept to this one step.
"""
import hashlib
import json

from peewee import *

GENESIS = '0' * 64
BATCH = 20000


def canonical(values):
    return json.dumps(tuple(values), ensure_ascii=False, separators=(',', ':'), default=str)


def _guard_triggers(db):
    """(name, CREATE statement) of the triggers on audit_log."""
    if isinstance(db, SqliteDatabase):
        return list(db.execute_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
            " AND tbl_name = 'audit_log'").fetchall())
    return list(db.execute_sql(
        "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger"
        " WHERE tgrelid = 'audit_log'::regclass AND NOT tgisinternal").fetchall())


def _drop_trigger(db, name):
    if isinstance(db, SqliteDatabase):
        db.execute_sql('DROP TRIGGER "%s"' % name)
    else:
        db.execute_sql('DROP TRIGGER "%s" ON audit_log' % name)


def up(migrator, db):
    class AuditLog(Model):
        at = DateTimeField(index=True)
        username = CharField(index=True, max_length=64)
        action = CharField(max_length=48)
        entity = CharField(max_length=24)
        entity_id = CharField(index=True, null=True, max_length=32)
        case_number = CharField(index=True, null=True, max_length=11)
        changes = TextField(default='{}')
        detail = TextField(default='')
        row_hash = CharField(null=True, max_length=64)
        class Meta:
            database = db
            table_name = 'audit_log'

    class Meta(Model):
        key = CharField(primary_key=True, max_length=64)
        value = TextField()
        class Meta:
            database = db
            table_name = 'meta'

    migrator.migrate(migrator.add_column('audit_log', 'row_hash', AuditLog.row_hash))
    triggers = _guard_triggers(db)
    for name, _sql in triggers:
        _drop_trigger(db, name)
    hashed = (AuditLog.id, AuditLog.at, AuditLog.username, AuditLog.action, AuditLog.entity,
              AuditLog.entity_id, AuditLog.case_number, AuditLog.changes, AuditLog.detail)
    update_sql, _params = (AuditLog.update(row_hash='')
                           .where(AuditLog.id == 0).sql())  # parameters: (hash, id)
    last_id, previous, gaps = 0, GENESIS, []
    while True:
        rows = db.execute(AuditLog.select(*hashed).where(AuditLog.id > last_id)
                          .order_by(AuditLog.id).limit(BATCH)).fetchall()
        if not rows:
            break
        updates = []
        for row in rows:
            if row[0] != last_id + 1:
                gaps.append([last_id + 1, row[0] - 1])
            previous = hashlib.sha256((previous + canonical(row)).encode()).hexdigest()
            updates.append((previous, row[0]))
            last_id = row[0]
        db.cursor().executemany(update_sql, updates)
    if gaps:
        Meta.insert(key='audit_chain_gaps', value=json.dumps(gaps)).execute()
    for _name, sql in triggers:
        db.execute_sql(sql)


def down(migrator, db):
    triggers = _guard_triggers(db)
    for name, _sql in triggers:
        _drop_trigger(db, name)
    migrator.migrate(migrator.drop_column('audit_log', 'row_hash'))
    for _name, sql in triggers:
        db.execute_sql(sql)
    db.execute_sql("DELETE FROM meta WHERE key = 'audit_chain_gaps'")
