"""Timeline facts: activity.text (a sentence in the writer's language) becomes activity.data, a
JSON fact ({"event": ..., parameters}) worded in the reader's language when read.

Depends on 0009. Existing rows are parsed back from the English and Indonesian sentences the
application wrote (the msgids and msgstrs of psm.po, frozen below); typed text (notes, outcomes,
reasons) is kept verbatim as a parameter, and a row no pattern fits becomes {"event": "legacy",
"text": ...}, shown as it was. Assignment reasons are converted the same way (unparsed ones stay
plain text, which the renderer shows verbatim). The audit log is not touched: its rows are
hash-chained. Self-contained on purpose: no psm_tui import.
"""
import json
import re

from peewee import *

BATCH = 5000
NOTE_KINDS = ('catatan', 'kunjungan', 'telepon')

# (code, English, Indonesian) as psm_tui/services/labels.py and psm.po had them.
STATUS = (('baru', 'new', 'baru'), ('ditugaskan', 'assigned', 'ditugaskan'),
          ('ditangani', 'in progress', 'ditangani'), ('selesai', 'resolved', 'selesai'),
          ('ditutup', 'closed', 'ditutup'))
PRIORITY = (('darurat', 'emergency', 'darurat'), ('tinggi', 'high', 'tinggi'),
            ('normal', 'normal', 'normal'), ('rendah', 'low', 'rendah'))
FOLLOWUP = (('dikirim', 'sent', 'dikirim'), ('diterima', 'accepted', 'diterima'),
            ('selesai', 'done', 'selesai'), ('ditolak', 'rejected', 'ditolak'),
            ('dibatalkan', 'cancelled', 'dibatalkan'))
TIER = (('kelurahan', 'PSM of the kelurahan', 'PSM kelurahan setempat'),
        ('kecamatan', 'PSM of the kecamatan', 'PSM kecamatan setempat'),
        ('tksk', 'TKSK', 'TKSK'))
MONTHS = {m: i + 1 for names in (
    'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec',
    'Jan Feb Mar Apr Mei Jun Jul Agu Sep Okt Nov Des') for i, m in enumerate(names.split())}

# event -> (English template, Indonesian template)
TEMPLATES = {
    'reopened': ('reopened: {reason}', 'dibuka kembali: {reason}'),
    'priority': ('priority: {value}', 'prioritas: {value}'),
    'category': ('category: {value}', 'kategori: {value}'),
    'followup': ('to {opd}: {action} (due {due})', 'ke {opd}: {action} (tenggat {due})'),
    'import': ('{status}: imported from {file}, row {row}',
               '{status}: diimpor dari {file}, baris {row}'),
    'import.said': ('the file said {status}: assign a PSM', 'berkas menyebut {status}: tugaskan PSM'),
    'auto.kelurahan': ('fewest open cases among the PSM of Kel. {kel} ({n})',
                       'kasus terbuka paling sedikit di antara PSM Kel. {kel} ({n})'),
    'auto.kecamatan': ('no active PSM in Kel. {kel}; {why}', 'tidak ada PSM aktif di Kel. {kel}; {why}'),
    'auto.tksk': ('no active PSM in Kec. {kec}; its TKSK', 'tidak ada PSM aktif di Kec. {kec}; TKSK-nya'),
    'candidate.kelurahan': ('PSM of {kel} with {n} open cases', 'PSM {kel} dengan {n} kasus terbuka'),
    'candidate.kecamatan': ('PSM of Kel. {other}, same kecamatan, with {n} open cases',
                            'PSM Kel. {other}, kecamatan yang sama, dengan {n} kasus terbuka'),
    'candidate.tksk': ('TKSK of Kec. {kec}', 'TKSK Kec. {kec}'),
    'chosen': ('chosen by {user}', 'dipilih oleh {user}'),
    'bulk': ('bulk assignment: {tier}, {n} open cases before this one',
             'penugasan massal: {tier}, {n} kasus terbuka sebelum kasus ini'),
    'handover': ('hand-over: {why}; {basis}', 'pengalihan: {why}; {basis}'),
    'moved': ('{name} moved to {kel}', '{name} dipindahkan ke {kel}'),
    'left': ('{name} left: {reason}', '{name} keluar: {reason}'),
}


def _regex(template):
    parts = re.split(r'\{(\w+)\}', template)
    out = ''.join(re.escape(p) if i % 2 == 0 else '(?P<%s>.+?)' % p for i, p in enumerate(parts))
    return re.compile(out, re.DOTALL)


PATTERNS = {event: [_regex(t) for t in pair] for event, pair in TEMPLATES.items()}


def match(event, text):
    """The parameters of ``text`` read as ``event`` in either language, or None."""
    for pattern in PATTERNS[event]:
        found = pattern.fullmatch(text)
        if found:
            return found.groupdict()
    return None


def code_of(label, table):
    for code, english, indonesian in table:
        if label in (english, indonesian):
            return code
    return None


def fact(event, **params):
    return {'event': event, **{k: v for k, v in params.items() if v is not None}}


def _number(text):
    return int(text) if text.isdigit() else text


def _due(text):
    """``5 Mar 2026`` / ``5 Mei 2026`` back to ISO; anything else verbatim."""
    parts = text.split()
    if len(parts) == 3 and parts[0].isdigit() and parts[2].isdigit() and parts[1] in MONTHS:
        return '%04d-%02d-%02d' % (int(parts[2]), MONTHS[parts[1]], int(parts[0]))
    return None if text == '-' else text


def parse_status(text):
    found = match('import', text.split('; ', 1)[0])
    if found and code_of(found['status'], STATUS):
        said = match('import.said', text.split('; ', 1)[1]) if '; ' in text else None
        rest_ok = '; ' not in text or (said and code_of(said['status'], STATUS))
        if rest_ok:
            return fact('import', status=code_of(found['status'], STATUS), file=found['file'],
                        row=_number(found['row']),
                        file_status=code_of(said['status'], STATUS) if said else None)
    found = match('reopened', text)
    if found:
        return fact('status', to='ditangani', reopen=True, reason=found['reason'])
    label, _sep, detail = text.partition(': ')
    code = code_of(label, STATUS)
    if code is None:
        return None
    if code == 'selesai':
        return fact('status', to=code, outcome=detail or None)
    return fact('status', to=code, reason=detail or None)


def parse_triage(text):
    found = match('priority', text)
    if found and code_of(found['value'], PRIORITY):
        return fact('priority', to=code_of(found['value'], PRIORITY))
    found = match('category', text)
    return fact('category', name=found['value']) if found else None


def parse_followup(text):
    found = match('followup', text)
    if found:
        return fact('followup', opd_name=found['opd'], action=found['action'],
                    due=_due(found['due']))
    head, _sep, detail = text.partition(' - ')
    opd, sep, label = head.rpartition(': ')
    if sep and code_of(label, FOLLOWUP):
        return fact('followup_status', opd=opd, status=code_of(label, FOLLOWUP),
                    text=detail or None)
    return None


def parse_reason(text):
    """An assignment's reason as a fact; typed (or unknown) text as {"event": "text"}.

    The patterns that hold another reason come first: "{name} left: {reason}" would match
    inside a hand-over."""
    found = match('handover', text)
    if found:
        return fact('handover', why=parse_reason(found['why']), basis=parse_reason(found['basis']))
    found = match('auto.kecamatan', text)
    if found:
        return fact('auto.kecamatan', kel=found['kel'], why=parse_reason(found['why']))
    found = match('bulk', text)
    if found and code_of(found['tier'], TIER):
        return fact('bulk', tier=code_of(found['tier'], TIER), n=_number(found['n']))
    for event in ('auto.kelurahan', 'auto.tksk', 'candidate.kelurahan', 'candidate.kecamatan',
                  'candidate.tksk', 'chosen', 'moved', 'left'):
        found = match(event, text)
        if found:
            if 'n' in found:
                found['n'] = _number(found['n'])
            return fact(event, **found)
    return fact('text', text=text)


def parse_assignment(text):
    name, sep, why = text.partition(': ')
    return fact('assign', worker_name=name, why=parse_reason(why)) if sep else None


PARSERS = {'status': parse_status, 'triase': parse_triage, 'rujukan': parse_followup,
           'penugasan': parse_assignment}


def convert(kind, text):
    """The fact for one stored timeline sentence."""
    if kind in NOTE_KINDS:
        return fact('note', text=text)
    parser = PARSERS.get(kind)
    return (parser(text) if parser else None) or fact('legacy', text=text)


def encode(value):
    return json.dumps(value, ensure_ascii=False, separators=(',', ':'))


def _rewrite(db, model, column, change):
    """``change(row) -> new value or None`` applied in id-ordered batches (executemany)."""
    update_sql, _params = model.update({column: ''}).where(model.id == 0).sql()
    last_id = 0
    while True:
        rows = list(model.select().where(model.id > last_id).order_by(model.id).limit(BATCH))
        if not rows:
            break
        last_id = rows[-1].id
        updates = [(value, row.id) for row in rows for value in [change(row)] if value is not None]
        if updates:
            db.cursor().executemany(update_sql, updates)


def up(migrator, db):
    migrator.migrate(migrator.rename_column('activity', 'text', 'data'))

    class Activity(Model):
        kind = CharField(max_length=12)
        data = TextField()
        class Meta:
            database = db
            table_name = 'activity'

    class Assignment(Model):
        reason = TextField()
        class Meta:
            database = db
            table_name = 'assignment'

    _rewrite(db, Activity, Activity.data,
             lambda row: None if _is_fact(row.data) else encode(convert(row.kind, row.data)))

    def reason(row):
        if not row.reason or _is_fact(row.reason):
            return None
        value = parse_reason(row.reason)
        return None if value['event'] == 'text' else encode(value)

    _rewrite(db, Assignment, Assignment.reason, reason)


def _is_fact(text):
    try:
        value = json.loads(text) if text and text.startswith('{') else None
    except ValueError:
        return False
    return isinstance(value, dict) and 'event' in value


def down(migrator, db):
    """Back to plain text: typed text where the fact has it, the fact's JSON otherwise."""
    class Activity(Model):
        data = TextField()
        class Meta:
            database = db
            table_name = 'activity'

    def plain(row):
        if not _is_fact(row.data):
            return None
        value = json.loads(row.data)
        return value['text'] if isinstance(value.get('text'), str) else None

    _rewrite(db, Activity, Activity.data, plain)
    migrator.migrate(migrator.rename_column('activity', 'data', 'text'))
