"""Worker deactivation by a roster import: worker.inactive_reason held the sentence "inactive in
the imported roster" in the importing user's language; it becomes the fact
{"event": "roster.inactive"}, worded in the reader's language when read (as 0010 did for the
timeline). A reason a user typed stays verbatim. Self-contained on purpose: no psm_tui import.
"""
from peewee import *

FACT = '{"event":"roster.inactive"}'
# The sentence as psm wrote it before this migration: English msgid, Indonesian msgstr.
SENTENCES = ('inactive in the imported roster', 'nonaktif dalam daftar petugas yang diimpor')


class Worker(Model):
    inactive_reason = TextField(null=True)

    class Meta:
        table_name = 'worker'


def up(migrator, db):
    with db.bind_ctx([Worker]):
        Worker.update(inactive_reason=FACT).where(Worker.inactive_reason.in_(SENTENCES)).execute()


def down(migrator, db):
    with db.bind_ctx([Worker]):
        Worker.update(inactive_reason=SENTENCES[1]).where(Worker.inactive_reason == FACT).execute()
