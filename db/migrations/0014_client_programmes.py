"""The person at the centre: a client record that can be corrected (a version for optimistic
locking, where its DTSEN status came from and when), and the social-protection programmes a
client is enrolled in (PBI-JK, PKH, BPNT, ...). Self-contained on purpose: no psm_tui import.
"""
from peewee import *

CLIENT_COLUMNS = (
    ('version', 'INTEGER NOT NULL DEFAULT 1'),
    ('dtsen_source', 'VARCHAR(32)'),
    ('dtsen_on', 'DATE'),
)


def up(migrator, db):
    class StaffUser(Model):
        class Meta:
            database = db
            table_name = 'staff_user'

    class Client(Model):
        class Meta:
            database = db
            table_name = 'client'

    class FollowUp(Model):
        class Meta:
            database = db
            table_name = 'follow_up'

    class Programme(Model):
        code = CharField(primary_key=True, max_length=16)
        name = CharField(max_length=160)
        active = BooleanField(default=True)
        class Meta:
            database = db
            table_name = 'programme'

    class Enrolment(Model):
        client = ForeignKeyField(Client, column_name='client_id', index=True)
        programme = ForeignKeyField(Programme, column_name='programme_code', index=True)
        status = CharField(max_length=12)
        start_on = DateField(null=True)
        end_on = DateField(null=True)
        source = CharField(max_length=120, default='')
        followup = ForeignKeyField(FollowUp, column_name='followup_id', null=True)
        created_by = ForeignKeyField(StaffUser, column_name='created_by_id', null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'enrolment'
            indexes = ((('programme', 'status', 'client'), False),)

    for name, definition in CLIENT_COLUMNS:
        db.execute_sql(f'ALTER TABLE client ADD COLUMN {name} {definition}')
    db.create_tables([Programme, Enrolment])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('enrolment'), migrator.drop_table('programme'))
    for name, _definition in reversed(CLIENT_COLUMNS):
        db.execute_sql(f'ALTER TABLE client DROP COLUMN {name}')
