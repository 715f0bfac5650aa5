"""Each follow-up carries its case's kelurahan, indexed with (status, due date): a kecamatan's
open or overdue follow-ups are then one index range per kelurahan, instead of the city's open
follow-ups tested against the list of the kecamatan's ~96k case ids (operator's dashboard and
follow-ups view at 1M cases; bench/notes/scoped.md). Triggers keep it equal to the case's, on
insert and when a case moves to another kelurahan, whoever writes.

Self-contained on purpose (no psm_tui import): the statements are frozen below.
"""

from peewee import SqliteDatabase

FILL = (
    "UPDATE follow_up SET kelurahan_code ="
    ' (SELECT c.kelurahan_code FROM "case" AS c WHERE c.id = follow_up.case_id)'
)
INDEX = (
    "CREATE INDEX follow_up_kelurahan_code_status_due_on"
    " ON follow_up (kelurahan_code, status, due_on)"
)

SQLITE_TRIGGERS = (
    """CREATE TRIGGER follow_up_kelurahan AFTER INSERT ON follow_up BEGIN
    UPDATE follow_up SET kelurahan_code =
        (SELECT c.kelurahan_code FROM "case" AS c WHERE c.id = NEW.case_id)
    WHERE id = NEW.id;
    END""",
    """CREATE TRIGGER follow_up_kelurahan_case AFTER UPDATE OF case_id ON follow_up BEGIN
    UPDATE follow_up SET kelurahan_code =
        (SELECT c.kelurahan_code FROM "case" AS c WHERE c.id = NEW.case_id)
    WHERE id = NEW.id;
    END""",
    """CREATE TRIGGER case_kelurahan_follow_ups AFTER UPDATE OF kelurahan_code ON "case"
    WHEN NEW.kelurahan_code IS NOT OLD.kelurahan_code BEGIN
    UPDATE follow_up SET kelurahan_code = NEW.kelurahan_code WHERE case_id = NEW.id;
    END""",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS case_kelurahan_follow_ups",
    "DROP TRIGGER IF EXISTS follow_up_kelurahan_case",
    "DROP TRIGGER IF EXISTS follow_up_kelurahan",
)

POSTGRESQL_TRIGGERS = (
    """CREATE FUNCTION follow_up_kelurahan() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
    NEW.kelurahan_code := (SELECT c.kelurahan_code FROM "case" AS c WHERE c.id = NEW.case_id);
    RETURN NEW;
    END $$""",
    """CREATE TRIGGER follow_up_kelurahan BEFORE INSERT OR UPDATE OF case_id, kelurahan_code
    ON follow_up FOR EACH ROW EXECUTE FUNCTION follow_up_kelurahan()""",
    """CREATE FUNCTION case_kelurahan_follow_ups() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
    UPDATE follow_up SET kelurahan_code = NEW.kelurahan_code WHERE case_id = NEW.id;
    RETURN NULL;
    END $$""",
    """CREATE TRIGGER case_kelurahan_follow_ups AFTER UPDATE OF kelurahan_code ON "case"
    FOR EACH ROW WHEN (OLD.kelurahan_code IS DISTINCT FROM NEW.kelurahan_code)
    EXECUTE FUNCTION case_kelurahan_follow_ups()""",
)
POSTGRESQL_DROP = (
    'DROP TRIGGER IF EXISTS case_kelurahan_follow_ups ON "case"',
    "DROP FUNCTION IF EXISTS case_kelurahan_follow_ups()",
    "DROP TRIGGER IF EXISTS follow_up_kelurahan ON follow_up",
    "DROP FUNCTION IF EXISTS follow_up_kelurahan()",
)


def up(migrator, db):
    sqlite = isinstance(db, SqliteDatabase)
    db.execute_sql("ALTER TABLE follow_up ADD COLUMN kelurahan_code VARCHAR(13)")
    db.execute_sql(FILL)
    db.execute_sql(INDEX)
    for statement in SQLITE_TRIGGERS if sqlite else POSTGRESQL_TRIGGERS:
        db.execute_sql(statement)


def down(migrator, db):
    sqlite = isinstance(db, SqliteDatabase)
    for statement in SQLITE_DROP if sqlite else POSTGRESQL_DROP:
        db.execute_sql(statement)
    db.execute_sql("DROP INDEX IF EXISTS follow_up_kelurahan_code_status_due_on")
    db.execute_sql("ALTER TABLE follow_up DROP COLUMN kelurahan_code")
