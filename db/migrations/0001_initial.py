"""Initial schema: reference tables, workers, clients, cases and their history, users, audit."""
from peewee import *
import datetime

def up(migrator, db):
    class Kecamatan(Model):
        code = CharField(primary_key=True, max_length=8)
        name = CharField(max_length=64)
        class Meta:
            database = db
            table_name = 'kecamatan'
    db.create_tables([Kecamatan])

    class Kelurahan(Model):
        code = CharField(primary_key=True, max_length=13)
        name = CharField(max_length=64)
        kecamatan = ForeignKeyField(Kecamatan, column_name='kecamatan_code')
        aliases = TextField(default='')
        class Meta:
            database = db
            table_name = 'kelurahan'
    db.create_tables([Kelurahan])

    class Client(Model):
        name = CharField(index=True, max_length=120)
        nik = CharField(unique=True, null=True, max_length=16)
        kk = CharField(index=True, null=True, max_length=16)
        sex = CharField(null=True, max_length=1)
        birth_date = DateField(null=True)
        address = TextField(default='')
        rt = CharField(max_length=3, default='')
        rw = CharField(max_length=3, default='')
        kelurahan = ForeignKeyField(Kelurahan, column_name='kelurahan_code')
        phone = CharField(null=True, max_length=20)
        dtsen = CharField(max_length=16, default='tidak_diketahui')
        dtsen_desil = IntegerField(null=True)
        created_at = DateTimeField(default=datetime.datetime.now)
        updated_at = DateTimeField(default=datetime.datetime.now)
        class Meta:
            database = db
            table_name = 'client'
    db.create_tables([Client])

    class Category(Model):
        code = IntegerField(primary_key=True)
        name = CharField(max_length=120)
        abbrev = CharField(max_length=16)
        class Meta:
            database = db
            table_name = 'category'
    db.create_tables([Category])

    class Worker(Model):
        kind = CharField(index=True, max_length=4)
        name = CharField(max_length=120)
        nik = CharField(index=True, null=True, max_length=16)
        phone = CharField(null=True, max_length=20)
        kelurahan = ForeignKeyField(Kelurahan, null=True, column_name='kelurahan_code')
        kecamatan = ForeignKeyField(Kecamatan, column_name='kecamatan_code')
        active = BooleanField(default=True)
        joined_on = DateField(null=True)
        inactive_reason = TextField(null=True)
        inactive_on = DateField(null=True)
        created_at = DateTimeField(default=datetime.datetime.now)
        class Meta:
            database = db
            table_name = 'worker'
    db.create_tables([Worker])

    class StaffUser(Model):
        username = CharField(unique=True, max_length=64)
        full_name = CharField(max_length=120)
        role = CharField(max_length=16)
        kecamatan = ForeignKeyField(Kecamatan, null=True, column_name='kecamatan_code')
        active = BooleanField(default=True)
        created_at = DateTimeField(default=datetime.datetime.now)
        class Meta:
            database = db
            table_name = 'staff_user'
    db.create_tables([StaffUser])

    class Case(Model):
        number = CharField(unique=True, max_length=11)
        client = ForeignKeyField(Client)
        category = ForeignKeyField(Category, column_name='category_code')
        priority = CharField(index=True, max_length=8)
        status = CharField(index=True, max_length=12)
        kelurahan = ForeignKeyField(Kelurahan, column_name='kelurahan_code')
        worker = ForeignKeyField(Worker, null=True)
        description = TextField(default='')
        source = CharField(max_length=20)
        outcome = TextField(null=True)
        reported_at = DateTimeField(index=True)
        updated_at = DateTimeField()
        closed_at = DateTimeField(null=True)
        created_by = ForeignKeyField(StaffUser, null=True)
        updated_by = ForeignKeyField(StaffUser, null=True)
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'case'
            indexes = ((('status', 'reported_at'), False), (('kelurahan', 'status'), False), (('worker', 'status'), False))
    db.create_tables([Case])

    class Activity(Model):
        case = ForeignKeyField(Case)
        kind = CharField(max_length=12)
        text = TextField()
        author = ForeignKeyField(StaffUser, null=True)
        at = DateTimeField(index=True)
        worker = ForeignKeyField(Worker, null=True)
        class Meta:
            database = db
            table_name = 'activity'
    db.create_tables([Activity])

    class Assignment(Model):
        case = ForeignKeyField(Case)
        worker = ForeignKeyField(Worker)
        assigned_by = ForeignKeyField(StaffUser, null=True)
        assigned_at = DateTimeField()
        reason = TextField(default='')
        ended_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'assignment'
    db.create_tables([Assignment])

    class AuditLog(Model):
        at = DateTimeField(index=True)
        username = CharField(index=True, max_length=64)
        action = CharField(max_length=48)
        entity = CharField(max_length=24)
        entity_id = CharField(index=True, null=True, max_length=32)
        case_number = CharField(index=True, null=True, max_length=11)
        changes = TextField(default='{}')
        detail = TextField(default='')
        class Meta:
            database = db
            table_name = 'audit_log'
    db.create_tables([AuditLog])

    class CaseCounter(Model):
        year = IntegerField(primary_key=True)
        last = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'case_counter'
    db.create_tables([CaseCounter])

    class Opd(Model):
        code = CharField(primary_key=True, max_length=16)
        abbrev = CharField(max_length=32)
        name = CharField(max_length=160)
        scope = TextField(default='')
        class Meta:
            database = db
            table_name = 'opd'
    db.create_tables([Opd])

    class FollowUp(Model):
        case = ForeignKeyField(Case)
        opd = ForeignKeyField(Opd, column_name='opd_code')
        action = TextField()
        due_on = DateField(index=True, null=True)
        status = CharField(index=True, max_length=12)
        response = TextField(null=True)
        responded_at = DateTimeField(null=True)
        reason = TextField(null=True)
        created_by = ForeignKeyField(StaffUser, null=True)
        created_at = DateTimeField()
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'follow_up'
            indexes = ((('status', 'due_on'), False),)
    db.create_tables([FollowUp])

    class Meta(Model):
        key = CharField(primary_key=True, max_length=64)
        value = TextField()
        class Meta:
            database = db
            table_name = 'meta'
    db.create_tables([Meta])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('meta'))
    migrator.migrate(migrator.drop_table('follow_up'))
    migrator.migrate(migrator.drop_table('opd'))
    migrator.migrate(migrator.drop_table('case_counter'))
    migrator.migrate(migrator.drop_table('audit_log'))
    migrator.migrate(migrator.drop_table('assignment'))
    migrator.migrate(migrator.drop_table('activity'))
    migrator.migrate(migrator.drop_table('case'))
    migrator.migrate(migrator.drop_table('staff_user'))
    migrator.migrate(migrator.drop_table('worker'))
    migrator.migrate(migrator.drop_table('category'))
    migrator.migrate(migrator.drop_table('client'))
    migrator.migrate(migrator.drop_table('kelurahan'))
    migrator.migrate(migrator.drop_table('kecamatan'))

