#!/usr/bin/env bash
# Idempotently start what the tests need: PostgreSQL and Redis on 127.0.0.1, and Debian's Chromium.
# Installs missing packages with apt (as root, non-interactive). AUTOMATEOS_SKIP_BROWSER=1 skips Chromium.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; fi
APT_UPDATED=0
apt_install() {
    if [ "$APT_UPDATED" -eq 0 ]; then
        echo "ensure_services: apt-get update"
        $SUDO apt-get update -qq
        APT_UPDATED=1
    fi
    echo "ensure_services: apt-get install $*"
    $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# --- PostgreSQL -------------------------------------------------------------------------------------
pg_ready() { command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; }

if ! pg_ready; then
    if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
        apt_install postgresql postgresql-client
    fi
    version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n1)"
    if [ -z "$version" ]; then
        version="$(ls /usr/lib/postgresql | sort -V | tail -n1)"
        $SUDO pg_createcluster "$version" main
    fi
    echo "ensure_services: starting PostgreSQL $version"
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 60); do pg_ready && break; sleep 0.5; done
    pg_ready || { echo "ensure_services: PostgreSQL did not become ready" >&2; exit 1; }
fi

# Tests connect as postgres@127.0.0.1 with no password (settings_test.py). Debian's default asks loopback
# clients for one: trust loopback instead, acceptable on a throwaway dev/CI machine only.
if ! psql -h 127.0.0.1 -U postgres -w -d postgres -Atc 'select 1' >/dev/null 2>&1; then
    version="$(ls /etc/postgresql | sort -V | tail -n1)"
    hba="/etc/postgresql/$version/main/pg_hba.conf"
    echo "ensure_services: trusting loopback connections in $hba"
    $SUDO sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main reload
    sleep 1
    psql -h 127.0.0.1 -U postgres -w -d postgres -Atc 'select 1' >/dev/null \
        || { echo "ensure_services: cannot connect as postgres@127.0.0.1" >&2; exit 1; }
fi
if [ "$(psql -h 127.0.0.1 -U postgres -w -d postgres -Atc "select 1 from pg_database where datname='automateos'")" != "1" ]; then
    psql -h 127.0.0.1 -U postgres -w -d postgres -qc 'create database automateos' >/dev/null
fi
echo "ensure_services: PostgreSQL ok (postgres://postgres@127.0.0.1:5432/automateos)"

# --- Redis ------------------------------------------------------------------------------------------
redis_ready() { command -v redis-cli >/dev/null 2>&1 && [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }

if ! redis_ready; then
    command -v redis-server >/dev/null 2>&1 || apt_install redis-server
    echo "ensure_services: starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
    for _ in $(seq 1 40); do redis_ready && break; sleep 0.25; done
    redis_ready || { echo "ensure_services: Redis did not become ready" >&2; exit 1; }
fi
echo "ensure_services: Redis ok (redis://127.0.0.1:6379)"

# --- Chromium (browser tests) -----------------------------------------------------------------------
if [ "${AUTOMATEOS_SKIP_BROWSER:-0}" = "1" ]; then
    echo "ensure_services: AUTOMATEOS_SKIP_BROWSER=1, not checking Chromium"
elif [ ! -x /usr/bin/chromium ]; then
    apt_install chromium
    echo "ensure_services: Chromium ok ($(/usr/bin/chromium --version 2>/dev/null || echo installed))"
else
    echo "ensure_services: Chromium ok"
fi
