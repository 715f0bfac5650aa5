"""The letter register (buku agenda surat keluar): every referral letter and case summary psm
makes gets a number that is never given twice. ``letter_counter`` holds the last sequence number
of each year (incremented inside the transaction that writes the letter, so a rolled-back letter
gives its number back and two users never draw the same one); ``letter`` is the register itself,
its (year, seq) and its number unique. Self-contained on purpose: no psm_tui import.
"""
from peewee import *


def up(migrator, db):
    class Case(Model):
        class Meta:
            database = db
            table_name = 'case'

    class LetterCounter(Model):
        year = IntegerField(primary_key=True)
        last = IntegerField(default=0)

        class Meta:
            database = db
            table_name = 'letter_counter'

    class Letter(Model):
        id = AutoField()
        kind = CharField(max_length=12)
        year = IntegerField()
        seq = IntegerField()
        number = CharField(max_length=64, unique=True)
        case = ForeignKeyField(Case, column_name='case_id', index=True)
        followup_id = IntegerField(null=True)
        username = CharField(max_length=64)
        made_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'letter'
            indexes = ((('year', 'seq'), True),)

    db.create_tables([LetterCounter, Letter])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('letter'), migrator.drop_table('letter_counter'))
