"""The PSM incentive is paid by bank transfer: a worker's bank, account number and account
holder; and a record per month that the incentive was prepared and paid out (disalurkan), so a
month cannot be paid twice. Self-contained on purpose: no psm_tui import.
"""
from peewee import *

BANK_COLUMNS = ('bank_name', 'bank_account', 'bank_holder')


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('worker', 'bank_name', CharField(max_length=60, null=True)),
        migrator.add_column('worker', 'bank_account', CharField(max_length=30, null=True)),
        migrator.add_column('worker', 'bank_holder', CharField(max_length=120, null=True)),
    )

    class StaffUser(Model):
        class Meta:
            database = db
            table_name = 'staff_user'

    class IncentivePayout(Model):
        month = DateField(unique=True)
        rule = CharField(max_length=16)
        rate = IntegerField()
        psm = IntegerField()
        amount = BigIntegerField()
        status = CharField(max_length=12)
        prepared_at = DateTimeField()
        prepared_by = ForeignKeyField(StaffUser, column_name='prepared_by_id')
        paid_on = DateField(null=True)
        paid_by = ForeignKeyField(StaffUser, column_name='paid_by_id', null=True)
        class Meta:
            database = db
            table_name = 'incentive_payout'
    db.create_tables([IncentivePayout])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('incentive_payout'))
    migrator.migrate(*(migrator.drop_column('worker', name) for name in BANK_COLUMNS))
