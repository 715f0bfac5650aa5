"""Sensitive cases (kasus terbatas): a flag on the case, and the users named on it who may read
it in full besides the supervisors. The PPKS categories of violence, trafficking and children in
conflict with the law (3 ABH, 6 AKTK, 18 KTR, 19 KTK) are marked on the way up, and the user
who registered each is named on it.
Self-contained on purpose: no psm_tui import.
"""
from peewee import *

SENSITIVE_CATEGORIES = (3, 6, 18, 19)


def up(migrator, db):
    class StaffUser(Model):
        class Meta:
            database = db
            table_name = 'staff_user'

    class Case(Model):
        class Meta:
            database = db
            table_name = 'case'

    class CaseAccess(Model):
        case = ForeignKeyField(Case, column_name='case_id')
        user = ForeignKeyField(StaffUser, column_name='user_id', index=True)
        added_by = ForeignKeyField(StaffUser, column_name='added_by_id', null=True)
        added_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'case_access'
            indexes = ((('case', 'user'), True),)

    db.execute_sql('ALTER TABLE "case" ADD COLUMN sensitive BOOLEAN NOT NULL DEFAULT FALSE')
    codes = ', '.join(str(code) for code in SENSITIVE_CATEGORIES)
    db.execute_sql(f'UPDATE "case" SET sensitive = TRUE WHERE category_code IN ({codes})')
    db.create_tables([CaseAccess])
    # Whoever registered such a case keeps reading it, as at intake from now on.
    db.execute_sql(
        'INSERT INTO case_access (case_id, user_id, added_by_id, added_at)'
        ' SELECT id, created_by_id, created_by_id, CURRENT_TIMESTAMP FROM "case"'
        ' WHERE sensitive AND created_by_id IS NOT NULL'
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_table('case_access'))
    db.execute_sql('ALTER TABLE "case" DROP COLUMN sensitive')
