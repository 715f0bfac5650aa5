#!/usr/bin/env bash
# Install (or upgrade, or --uninstall) psm-tui on the office server, from this checkout's uv.lock.
#
#   sudo deploy/install.sh              # install; run again after `git pull` to upgrade
#   sudo deploy/install.sh --uninstall  # remove the program; keeps /srv/psm, the account, the config
#
# Every step says what it changed; a second run with the same checkout changes nothing.
# PSM_INSTALL_ROOT=/some/dir puts every path below that folder (tests; the account is still this
# machine's: name an existing one there); PSM_SERVICE_USER names another service account (one
# that exists, when not run as root); PSM_PYTHON another Python (3.11+) the account can run.
set -euo pipefail
umask 022

ROOT="${PSM_INSTALL_ROOT:-}"
ACCOUNT="${PSM_SERVICE_USER:-psm}"
SOURCE="$(cd "$(dirname "$0")/.." && pwd)"
PREFIX="$ROOT/opt/psm-tui"
LINK="$ROOT/usr/local/bin/psm"
DATA="$ROOT/srv/psm"
CONFIG="$ROOT/etc/psm-tui/config.toml"
DROPIN="$ROOT/etc/ssh/sshd_config.d/psm-tui.conf"
SSHD_CONFIG="$ROOT/etc/ssh/sshd_config"
UNITS="$ROOT/etc/systemd/system"
CRON="$ROOT/etc/cron.d/psm-tui"
SSHD="${PSM_SSHD:-/usr/sbin/sshd}"
PROGRAM="$PREFIX/venv/bin/psm"
CHANGED=0

say() { printf '%s\n' "$*"; }
changed() { CHANGED=$((CHANGED + 1)); say "changed: $*"; }
die() { say "install.sh: $*" >&2; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }
systemd_running() { [ -z "$ROOT" ] && [ -d /run/systemd/system ]; }

# Run a command as the service account (root switches to it; anyone else already is it).
as_account() {
  if is_root && [ "$ACCOUNT" != root ]; then
    runuser -u "$ACCOUNT" -- "$@"
  else
    "$@"
  fi
}

# put FILE MODE OWNER < content: replace FILE only when its content, mode or owner differ.
put() {
  local file="$1" mode="$2" owner="$3" new
  WROTE=0
  new="$(mktemp)"
  cat >"$new"
  if [ -f "$file" ] && cmp -s "$new" "$file" && [ "$(stat -c %a "$file")" = "${mode#0}" ] \
     && { ! is_root || [ "$(stat -c %U "$file")" = "$owner" ]; }; then
    rm -f "$new"
    return 0
  fi
  mkdir -p "$(dirname "$file")"
  install -m "$mode" "$new" "$file"
  if is_root; then chown "$owner:$(id -gn "$owner")" "$file"; fi
  rm -f "$new"
  WROTE=1
  changed "wrote $file (mode $mode)"
}

# folder PATH MODE OWNER: create it, or put its mode and owner right.
folder() {
  local path="$1" mode="$2" owner="$3"
  if [ -d "$path" ] && [ "$(stat -c %a "$path")" = "${mode#0}" ] \
     && { ! is_root || [ "$(stat -c %U "$path")" = "$owner" ]; }; then
    return 0
  fi
  mkdir -p "$path"
  chmod "$mode" "$path"
  if is_root; then chown "$owner:$(id -gn "$owner")" "$path"; fi
  changed "folder $path (mode $mode, owner $owner)"
}

# link TARGET NAME: NAME points at TARGET.
link() {
  if [ "$(readlink "$2" 2>/dev/null)" = "$1" ]; then return 0; fi
  mkdir -p "$(dirname "$2")"
  ln -sfn "$1" "$2"
  changed "link $2 -> $1"
}

remove() {
  if [ -e "$1" ] || [ -L "$1" ]; then rm -rf "$1"; changed "removed $1"; fi
}

find_uv() {
  command -v uv 2>/dev/null || { [ -x "$HOME/.local/bin/uv" ] && echo "$HOME/.local/bin/uv"; } \
    || die "uv is needed: python3 -m pip install uv (or https://docs.astral.sh/uv/)"
}

# A Python the service account can run: the system's (3.11+), else a uv-managed one under PREFIX
# (never one under root's home: the account could not run it).
python_for_service() {
  local candidate="${PSM_PYTHON:-/usr/bin/python3}"
  if [ -x "$candidate" ] && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "$candidate"
    return
  fi
  [ -z "${PSM_PYTHON:-}" ] || die "$PSM_PYTHON is not Python 3.11 or newer"
  UV_PYTHON_INSTALL_DIR="$PREFIX/python" "$UV" python install -q --no-bin 3.12 >&2
  UV_PYTHON_INSTALL_DIR="$PREFIX/python" "$UV" python find --python-preference only-managed 3.12
}

# What was installed from: the lock and every file of the package.
source_stamp() {
  (cd "$SOURCE" && find pyproject.toml uv.lock psm_tui db -type f ! -path '*/__pycache__/*' \
     ! -name '*.pyc' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
}

install_program() {
  local stamp python
  stamp="$(source_stamp)"
  if [ -x "$PROGRAM" ] && [ "$(cat "$PREFIX/installed-from" 2>/dev/null)" = "$stamp" ]; then
    return 0
  fi
  folder "$PREFIX" 0755 root
  python="$(python_for_service)"
  # psm itself is rebuilt from this checkout: uv's cache keys a local package by its
  # pyproject.toml only, and would install the last build of the same version.
  (cd "$SOURCE" && UV_PROJECT_ENVIRONMENT="$PREFIX/venv" UV_PYTHON_DOWNLOADS=never \
     "$UV" sync -q --frozen --no-dev --no-editable --link-mode copy --compile-bytecode \
     --reinstall-package psm-tui --python "$python")
  printf '%s\n' "$stamp" >"$PREFIX/installed-from"
  changed "installed psm from $SOURCE (uv.lock) into $PREFIX/venv with $python"
  UPGRADED=1
}

ensure_account() {
  if id "$ACCOUNT" >/dev/null 2>&1; then return 0; fi
  is_root || die "the service account $ACCOUNT does not exist (run as root to create it)"
  # A real shell: sshd runs the forced command through it. '*' (no password) rather than '!'
  # (locked): sshd without PAM refuses a locked account even with a key.
  useradd --system --create-home --shell /bin/sh "$ACCOUNT"
  usermod -p '*' "$ACCOUNT"
  changed "service account $ACCOUNT (home $(getent passwd "$ACCOUNT" | cut -d: -f6))"
}

write_config() {
  put "$CONFIG" 0644 root <<EOF
# psm-tui, written by deploy/install.sh (read by every psm process; only this file names the
# service account). Edit freely: install.sh rewrites only what differs from its own lines.
database = "/srv/psm/psm.db"
backup_dir = "/srv/psm/backups"
outbox_dir = "/srv/psm/outbox"
service_account = "$ACCOUNT"
EOF
}

reload_sshd() {
  if systemd_running; then
    systemctl try-reload-or-restart ssh.service 2>/dev/null \
      || systemctl try-reload-or-restart sshd.service
    say "sshd reloaded"
  elif [ -s /run/sshd.pid ] && kill -HUP "$(cat /run/sshd.pid)" 2>/dev/null; then
    say "sshd reloaded"
  else
    say "note: sshd is not running here: nothing to reload"
  fi
}

write_sshd_dropin() {
  local before
  before="$(mktemp)"
  [ -f "$DROPIN" ] && cp -p "$DROPIN" "$before" || rm -f "$before"
  put "$DROPIN" 0644 root <<EOF
# psm-tui, written by deploy/install.sh: staff reach the service account only with their key.
Match User $ACCOUNT
    PasswordAuthentication no
    KbdInteractiveAuthentication no
    DisableForwarding yes
    AcceptEnv COLORTERM LANG PSM_LANG
EOF
  [ "$WROTE" = 1 ] || { rm -f "$before"; return 0; }
  if [ ! -x "$SSHD" ] || [ ! -f "$SSHD_CONFIG" ]; then
    say "note: no sshd here ($SSHD, $SSHD_CONFIG): the drop-in is not validated"
    rm -f "$before"
    return 0
  fi
  grep -qsE '^Include[[:space:]].*sshd_config\.d' "$SSHD_CONFIG" \
    || say "warning: $SSHD_CONFIG does not include sshd_config.d/*.conf; add the block to it"
  if ! "$SSHD" -t -f "$SSHD_CONFIG"; then
    if [ -f "$before" ]; then mv "$before" "$DROPIN"; else rm -f "$DROPIN"; fi
    die "sshd -t refused the configuration with $DROPIN; it is put back as it was"
  fi
  rm -f "$before"
  [ -n "$ROOT" ] || reload_sshd
}

write_nightly_job() {
  local backups=/srv/psm/backups
  local backup="/usr/local/bin/psm backup $backups/"
  local prune="/usr/bin/find $backups -name 'psm-*.db' -mtime +30 -delete"
  local check="/usr/local/bin/psm check"
  put "$UNITS/psm-tui-nightly.service" 0644 root <<EOF
# psm-tui, written by deploy/install.sh: the nightly backup (kept 30 days), then the check.
[Unit]
Description=psm-tui nightly backup and check

[Service]
Type=oneshot
User=$ACCOUNT
ExecStart=$backup
ExecStart=$prune
ExecStart=$check
EOF
  put "$UNITS/psm-tui-nightly.timer" 0644 root <<EOF
# psm-tui, written by deploy/install.sh
[Unit]
Description=psm-tui nightly backup and check

[Timer]
OnCalendar=*-*-* 01:15
Persistent=true

[Install]
WantedBy=timers.target
EOF
  if systemd_running; then
    remove "$CRON"
    systemctl daemon-reload
    if ! systemctl is-enabled -q psm-tui-nightly.timer 2>/dev/null; then
      systemctl enable --now -q psm-tui-nightly.timer
      changed "enabled psm-tui-nightly.timer"
    fi
  else
    put "$CRON" 0644 root <<EOF
# psm-tui, written by deploy/install.sh (no systemd here): nightly backup, then the check.
15 1 * * *  $ACCOUNT  $backup && $prune; $check >/dev/null
EOF
    command -v cron >/dev/null 2>&1 || [ -n "$ROOT" ] \
      || say "note: neither systemd nor cron runs here: the nightly job is installed, not scheduled"
  fi
}

first_database() {
  local db="$DATA/psm.db"
  if [ -f "$db" ]; then
    if [ "${UPGRADED:-0}" = 1 ]; then
      as_account "$PROGRAM" --db "$db" migrate
      changed "database migrated (psm migrate)"
    fi
    return 0
  fi
  as_account "$PROGRAM" --db "$db" --lang en init >/dev/null
  as_account "$PROGRAM" --db "$db" --lang en backup "$DATA/backups/" >/dev/null
  changed "created $db ($ACCOUNT is its first admin) and its first backup"
}

install_all() {
  UV="$(find_uv)"
  install_program
  link "$PROGRAM" "$LINK"
  ensure_account
  folder "$DATA" 0700 "$ACCOUNT"
  folder "$DATA/backups" 0700 "$ACCOUNT"
  write_config
  write_sshd_dropin
  write_nightly_job
  first_database
  if [ "$CHANGED" = 0 ]; then say "nothing changed (psm is installed as this checkout has it)"; fi
  say "next: register staff and bind their keys (README, On the office server)"
}

uninstall_all() {
  if systemd_running && systemctl is-enabled -q psm-tui-nightly.timer 2>/dev/null; then
    systemctl disable --now -q psm-tui-nightly.timer
    changed "disabled psm-tui-nightly.timer"
  fi
  remove "$UNITS/psm-tui-nightly.timer"
  remove "$UNITS/psm-tui-nightly.service"
  remove "$CRON"
  if [ -f "$DROPIN" ]; then
    remove "$DROPIN"
    [ -n "$ROOT" ] || [ ! -x "$SSHD" ] || reload_sshd
  fi
  if [ "$(readlink "$LINK" 2>/dev/null)" = "$PROGRAM" ]; then remove "$LINK"; fi
  remove "$PREFIX"
  [ "$CHANGED" != 0 ] || say "nothing changed (psm was not installed)"
  say "kept: $DATA (the database, backups, outboxes), $CONFIG and the account $ACCOUNT"
}

case "${1:-}" in
  "") install_all ;;
  --uninstall) uninstall_all ;;
  *) die "usage: $0 [--uninstall]" ;;
esac
