"""Read scope: emergency access (akses darurat) grants to a case outside the user's kecamatan.

Independent of 0008: it only adds its own table.
"""
from peewee import *


def up(migrator, db):
    # Frozen stand-ins for the tables referenced here (created by 0001; only their keys matter).
    class StaffUser(Model):
        class Meta:
            database = db
            table_name = 'staff_user'

    class Case(Model):
        class Meta:
            database = db
            table_name = 'case'

    class EmergencyAccess(Model):
        user = ForeignKeyField(StaffUser, column_name='user_id')
        case = ForeignKeyField(Case, column_name='case_id')
        reason = TextField()
        granted_at = DateTimeField(index=True)
        expires_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'emergency_access'
            indexes = ((('user', 'case', 'expires_at'), False),)
    db.create_tables([EmergencyAccess])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('emergency_access'))
