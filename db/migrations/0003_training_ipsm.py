"""PSM administration: training sessions with their attendance, and IPSM positions with terms."""
from peewee import *
import datetime

def up(migrator, db):
    # Frozen stand-ins for the tables referenced here (created by 0001; only their keys matter).
    class Worker(Model):
        class Meta:
            database = db
            table_name = 'worker'

    class StaffUser(Model):
        class Meta:
            database = db
            table_name = 'staff_user'

    class TrainingSession(Model):
        held_on = DateField(index=True)
        topic = CharField(max_length=200)
        organiser = CharField(max_length=120)
        hours = FloatField()
        created_by = ForeignKeyField(StaffUser, null=True, column_name='created_by_id')
        created_at = DateTimeField(default=datetime.datetime.now)
        class Meta:
            database = db
            table_name = 'training_session'
    db.create_tables([TrainingSession])

    class TrainingAttendance(Model):
        session = ForeignKeyField(TrainingSession, on_delete='CASCADE')
        worker = ForeignKeyField(Worker, index=True)
        class Meta:
            database = db
            table_name = 'training_attendance'
            indexes = ((('session', 'worker'), True),)
    db.create_tables([TrainingAttendance])

    class IpsmPosition(Model):
        worker = ForeignKeyField(Worker, index=True)
        position = CharField(max_length=12)
        level = CharField(max_length=10)
        unit_code = CharField(max_length=13)
        start_on = DateField()
        end_on = DateField(null=True)
        created_by = ForeignKeyField(StaffUser, null=True, column_name='created_by_id')
        created_at = DateTimeField(default=datetime.datetime.now)
        class Meta:
            database = db
            table_name = 'ipsm_position'
            indexes = ((('level', 'unit_code', 'position'), False),)
    db.create_tables([IpsmPosition])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('ipsm_position'))
    migrator.migrate(migrator.drop_table('training_attendance'))
    migrator.migrate(migrator.drop_table('training_session'))
