"""Imports written in short batches: ``import_run`` says which import is unfinished, and the
``import_pending_*`` tables hold the ids of the rows it has written so far. Readers leave those
rows out until the run's last, tiny transaction empties the tables (one import runs at a time).
Self-contained on purpose: no psm_tui import.
"""
from peewee import *


def up(migrator, db):
    class ImportRun(Model):
        id = AutoField()
        kind = CharField(max_length=8)
        username = CharField(max_length=64)
        source = CharField(max_length=255)
        state = CharField(max_length=10, index=True)  # pending / done / abandoned
        planned = IntegerField()
        written = IntegerField()
        host = CharField(max_length=255)
        pid = IntegerField()
        started_at = DateTimeField()
        heartbeat_at = DateTimeField()
        finished_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'import_run'

    def pending(name):
        class Pending(Model):
            id = IntegerField(primary_key=True)

            class Meta:
                database = db
                table_name = name

        return Pending

    db.create_tables([ImportRun] + [pending(f'import_pending_{t}') for t in ('case', 'client', 'worker')])


def down(migrator, db):
    for table in ('import_pending_case', 'import_pending_client', 'import_pending_worker', 'import_run'):
        migrator.migrate(migrator.drop_table(table))
