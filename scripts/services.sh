#!/usr/bin/env bash
# Starts the throwaway servers the backend tests need, runs a command with
# them, and stops them on exit (also when the command fails or is
# interrupted):
#
#   ./scripts/services.sh cargo nextest run --workspace
#
# - PostgreSQL: a fresh cluster (initdb --no-sync, trust auth, loopback
#   only) on a free port: as root, run as the `postgres` user (initdb
#   refuses root); as any other user, run as that user. The database
#   superuser is `postgres` either way.
#   A second, identical cluster is prepared but not started: the fault
#   tests start and stop it through $CREDCYCLE_TEST_PG_CTL, so stopping it
#   never disturbs the tests that share the first one.
# - SoftHSM2: a fresh token directory and token.
#
# Exports to the command:
#   CREDCYCLE_TEST_PG_URL        postgres://postgres@127.0.0.1:PORT/postgres
#   CREDCYCLE_TEST_PG_TLS_URL    the same server over TLS (sslmode=require,
#                                sslrootcert= a throwaway CA), if openssl exists
#   CREDCYCLE_TEST_PG_FAULT_URL  URL of the fault-test cluster
#   CREDCYCLE_TEST_PG_CTL        `$CREDCYCLE_TEST_PG_CTL start|stop` for it
#   SOFTHSM2_CONF                the token directory's configuration
#   CREDCYCLE_TEST_PKCS11        module=…;token=…;pin-env=CREDCYCLE_TEST_PKCS11_PIN
#   CREDCYCLE_TEST_PKCS11_PIN    the token's user PIN
#
# Installs postgresql and softhsm2 with apt-get when they are missing and
# this runs as root; otherwise says what to install and exits 1.
set -euo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi

log() { printf 'services: %s\n' "$*" >&2; }

# Debian's versioned directory, else whatever initdb is on the PATH.
pg_bin() {
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    if [ -z "$d" ] && command -v initdb >/dev/null; then
        d=$(dirname "$(command -v initdb)")
    fi
    echo "$d"
}
softhsm_module() {
    for m in /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so \
        /usr/lib64/softhsm/libsofthsm2.so /usr/local/lib/softhsm/libsofthsm2.so; do
        [ -f "$m" ] && { echo "$m"; return; }
    done
}

# --- install what is missing (apt-get update once, only when needed) -------
missing=()
[ -n "$(pg_bin)" ] && [ -x "$(pg_bin)/initdb" ] || missing+=(postgresql)
command -v softhsm2-util >/dev/null && [ -n "$(softhsm_module)" ] || missing+=(softhsm2)
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        log "missing: ${missing[*]} (PostgreSQL's initdb/pg_ctl, SoftHSM2's softhsm2-util and libsofthsm2.so)"
        log "not root, so not installing them; install them once, e.g."
        log "    sudo apt-get install -y ${missing[*]}"
        log "or run this script as root, which installs them itself"
        exit 1
    fi
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
fi
PGBIN=$(pg_bin)
MODULE=$(softhsm_module)

# The PostgreSQL server runs as `postgres` when this is root (initdb
# refuses root), as the current user otherwise.
if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || { log "no postgres user after install"; exit 1; }
    AS_PG="runuser -u postgres --"
else
    AS_PG=""
fi

WORK=$(mktemp -d /tmp/credcycle-services.XXXXXX)
chmod 755 "$WORK"
MAIN_DATA="$WORK/pg-main"
FAULT_DATA="$WORK/pg-fault"
as_pg() { $AS_PG "$@"; }
# Hands a file or directory to the server's user (nothing to do unless root).
give_pg() { [ -z "$AS_PG" ] || chown postgres:postgres "$@"; }

cleanup() {
    local rc=$?
    for d in "$MAIN_DATA" "$FAULT_DATA"; do
        if [ -f "$d/postmaster.pid" ]; then
            as_pg "$PGBIN/pg_ctl" -D "$d" -m immediate -w stop >/dev/null 2>&1 || true
        fi
    done
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A port nothing listens on now (checked again by the server's own bind).
free_port() {
    local p
    for _ in $(seq 1 200); do
        p=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return
        fi
    done
    log "no free port found"
    return 1
}

# --- PostgreSQL -------------------------------------------------------------
mkdir -p "$MAIN_DATA"
give_pg "$MAIN_DATA"
as_pg "$PGBIN/initdb" -D "$MAIN_DATA" -A trust -U postgres --no-sync -E UTF8 >"$WORK/initdb.log" 2>&1 \
    || { cat "$WORK/initdb.log" >&2; exit 1; }
cp -a "$MAIN_DATA" "$FAULT_DATA"

# TLS for the main cluster: a throwaway CA and a server certificate for
# 127.0.0.1 / localhost.
TLS_OPTS=""
if command -v openssl >/dev/null; then
    tls="$WORK/tls"
    mkdir -p "$tls"
    (
        cd "$tls"
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
            -subj "/CN=credcycle test CA" -keyout ca.key -out ca.crt
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
            -subj "/CN=localhost" -keyout server.key -out server.csr
        printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n' >ext.cnf
        openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
            -days 2 -extfile ext.cnf -out server.crt
    ) >"$WORK/openssl.log" 2>&1 || { cat "$WORK/openssl.log" >&2; exit 1; }
    cp "$tls/server.crt" "$tls/server.key" "$MAIN_DATA/"
    give_pg "$MAIN_DATA/server.crt" "$MAIN_DATA/server.key"
    chmod 600 "$MAIN_DATA/server.key"
    chmod 644 "$tls/ca.crt"
    TLS_OPTS="-c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key"
fi

start_pg() { # DATA PORT EXTRA_OPTS
    as_pg "$PGBIN/pg_ctl" -D "$1" -w -t 60 -l "$1/server.log" \
        -o "-p $2 -k $1 -c listen_addresses=127.0.0.1 -c max_connections=300 $3" start >/dev/null
}

for attempt in 1 2 3 4 5; do
    PG_PORT=$(free_port)
    if start_pg "$MAIN_DATA" "$PG_PORT" "$TLS_OPTS"; then break; fi
    [ "$attempt" = 5 ] && { cat "$MAIN_DATA/server.log" >&2; exit 1; }
done
FAULT_PORT=$(free_port)
while [ "$FAULT_PORT" = "$PG_PORT" ]; do FAULT_PORT=$(free_port); done

# The fault cluster's control script (start is idempotent; stop is fast).
cat >"$WORK/pg-fault-ctl" <<CTL
#!/usr/bin/env bash
set -euo pipefail
case "\${1:-}" in
    start) [ -f "$FAULT_DATA/postmaster.pid" ] && exit 0
           $AS_PG "$PGBIN/pg_ctl" -D "$FAULT_DATA" -w -t 60 -l "$FAULT_DATA/server.log" \\
               -o "-p $FAULT_PORT -k $FAULT_DATA -c listen_addresses=127.0.0.1" start >/dev/null ;;
    stop)  [ -f "$FAULT_DATA/postmaster.pid" ] || exit 0
           $AS_PG "$PGBIN/pg_ctl" -D "$FAULT_DATA" -m fast -w -t 60 stop >/dev/null ;;
    *) echo "usage: \$0 start|stop" >&2; exit 2 ;;
esac
CTL
chmod 755 "$WORK/pg-fault-ctl"

export CREDCYCLE_TEST_PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
if [ -n "$TLS_OPTS" ]; then
    export CREDCYCLE_TEST_PG_TLS_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres?sslmode=require&sslrootcert=$WORK/tls/ca.crt"
fi
export CREDCYCLE_TEST_PG_FAULT_URL="postgres://postgres@127.0.0.1:$FAULT_PORT/postgres"
export CREDCYCLE_TEST_PG_CTL="$WORK/pg-fault-ctl"
log "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT (fault cluster: port $FAULT_PORT, stopped)"

# --- SoftHSM2 ---------------------------------------------------------------
mkdir -p "$WORK/tokens"
cat >"$WORK/softhsm2.conf" <<CONF
directories.tokendir = $WORK/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
CONF
export SOFTHSM2_CONF="$WORK/softhsm2.conf"
PIN="$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
SO_PIN="$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
softhsm2-util --init-token --free --label credcycle-test --so-pin "$SO_PIN" --pin "$PIN" >/dev/null
export CREDCYCLE_TEST_PKCS11_PIN="$PIN"
export CREDCYCLE_TEST_PKCS11="module=$MODULE;token=credcycle-test;pin-env=CREDCYCLE_TEST_PKCS11_PIN"
log "SoftHSM2 token credcycle-test ($MODULE)"

# Not `exec`: the trap must run after the command.
set +e
"$@"
rc=$?
set -e
exit "$rc"
