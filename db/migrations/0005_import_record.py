"""Imports: one row per imported source row, keyed so that re-importing a file adds nothing twice."""
from peewee import *
import datetime

def up(migrator, db):
    class ImportRecord(Model):
        kind = CharField(max_length=8)
        key = CharField(unique=True, max_length=64)
        entity_id = IntegerField()
        source = CharField(max_length=255)
        row = IntegerField()
        username = CharField(max_length=64)
        at = DateTimeField(default=datetime.datetime.now)
        class Meta:
            database = db
            table_name = 'import_record'
            indexes = ((('kind', 'entity_id'), False),)
    db.create_tables([ImportRecord])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('import_record'))
