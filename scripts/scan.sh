#!/usr/bin/env bash
# Security-header scan (`make scan`): serves the portal with production settings under gunicorn on
# 127.0.0.1 — HTTPS on :443 with a throwaway self-signed certificate, plain HTTP on :80 (which must
# redirect to HTTPS) — on a throwaway SQLite database, runs Mozilla's HTTP Observatory scanner
# against it and prints the grade, score and failing tests. Exits non-zero below A+.
# Needs root (ports 443 and 80), node and npm. The full result goes to test-artifacts/observatory.json.
set -euo pipefail

OBSERVATORY_VERSION=1.4.8
HOST=127.0.0.1
cd "$(dirname "$0")/.."
PROJECT=$PWD
BIN=$PROJECT/.venv/bin
OBSERVATORY_PREFIX=$PROJECT/.cache/observatory
OBSERVATORY=$OBSERVATORY_PREFIX/node_modules/@mdn/mdn-http-observatory
ARTIFACTS=$PROJECT/test-artifacts
RESULT=$ARTIFACTS/observatory.json

fail() { echo "scan: $*" >&2; exit 1; }

for tool in node npm openssl; do
  command -v "$tool" >/dev/null || fail "$tool is needed (apt-get install -y nodejs npm openssl)"
done
[ -x "$BIN/gunicorn" ] || fail "$BIN/gunicorn is missing: run make install"

# A listener already on the port would answer in our place (or make gunicorn fail to bind).
for port in 443 80; do
  if (exec 3<>"/dev/tcp/$HOST/$port") 2>/dev/null; then
    fail "port $port on $HOST is in use (see: ss -ltnp 'sport = :$port'); stop that server first"
  fi
done

# The scanner, pinned, installed once into a git-ignored folder. --ignore-scripts: its install
# scripts download a CA bundle and the HSTS preload and TLD lists, and only the npm registry is
# reachable. The scan itself reads just the preload list (127.0.0.1 is never on it): an empty one.
installed=$(node -p "require('$OBSERVATORY/package.json').version" 2>/dev/null || true)
if [ "$installed" != "$OBSERVATORY_VERSION" ]; then
  echo "Installing @mdn/mdn-http-observatory@$OBSERVATORY_VERSION into ${OBSERVATORY_PREFIX#"$PROJECT"/}"
  mkdir -p "$OBSERVATORY_PREFIX"
  npm install --prefix "$OBSERVATORY_PREFIX" --ignore-scripts --no-audit --no-fund --save-exact \
    --loglevel error "@mdn/mdn-http-observatory@$OBSERVATORY_VERSION" >/dev/null
fi
[ -s "$OBSERVATORY/conf/hsts-preload.json" ] || echo '{}' >"$OBSERVATORY/conf/hsts-preload.json"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/portal-scan.XXXXXX")
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}" $(cat "$WORK"/*.pid 2>/dev/null); do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

openssl req -x509 -newkey rsa:2048 -nodes -subj "/CN=$HOST" \
  -addext "subjectAltName=IP:$HOST,DNS:localhost" -days 2 \
  -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null

# Production defaults, nothing else: a clean environment without the developer's .env, so what is
# scanned is what an unconfigured production deployment sends. gunicorn terminates TLS itself, so
# request.is_secure() comes from its https scheme, not from a proxy header.
portal_env=(
  PATH="$PATH"
  ENV_FILE=
  DEBUG=false
  SECRET_KEY="$(openssl rand -base64 48)"
  BEHIND_TLS_PROXY=false
  ALLOWED_HOSTS="$HOST,localhost"
  DATABASE_URL="sqlite:///$WORK/db.sqlite3"
  STATIC_ROOT="$WORK/staticfiles"
  PRIVATE_MEDIA_ROOT="$WORK/private_media"
  SITE_URL="https://$HOST"
)
run() { env -i "${portal_env[@]}" "$@"; }

echo "Preparing a throwaway database and static files in $WORK"
run "$BIN/python" manage.py migrate --no-input --verbosity 0
run "$BIN/python" manage.py load_content --verbosity 0
run "$BIN/python" manage.py collectstatic --no-input --verbosity 0

# Started as plain commands, not through run(): `function &` would fork a subshell, and $! would
# be that subshell instead of gunicorn's master, which then outlives the trap.
gunicorn=(env -i "${portal_env[@]}" "$BIN/gunicorn" portal.wsgi:application --workers 2
  --access-logfile - --error-logfile -)
"${gunicorn[@]}" --bind "$HOST:443" --certfile "$WORK/cert.pem" --keyfile "$WORK/key.pem" \
  --pid "$WORK/https.pid" >"$WORK/https.log" 2>&1 &
pids+=($!)
"${gunicorn[@]}" --bind "$HOST:80" --pid "$WORK/http.pid" >"$WORK/http.log" 2>&1 &
pids+=($!)

for port in 443 80; do
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/$HOST/$port") 2>/dev/null && continue 2
    for pid in "${pids[@]}"; do
      kill -0 "$pid" 2>/dev/null || { cat "$WORK"/*.log >&2; fail "gunicorn exited early"; }
    done
    sleep 0.1
  done
  cat "$WORK"/*.log >&2
  fail "gunicorn did not listen on $HOST:$port within 10 s"
done

# src/scan.js, not the CLI wrapper: the wrapper points NODE_EXTRA_CA_CERTS at the Mozilla bundle
# (not downloaded), and only a certificate the scanner trusts earns the HSTS and redirection points.
echo "Scanning https://$HOST/ and http://$HOST/ with the HTTP Observatory $OBSERVATORY_VERSION"
mkdir -p "$ARTIFACTS"
NODE_EXTRA_CA_CERTS="$WORK/cert.pem" node "$OBSERVATORY/src/scan.js" "$HOST" >"$RESULT" || {
  cat "$RESULT" >&2
  echo "--- gunicorn logs ---" >&2
  cat "$WORK"/*.log >&2
  fail "the scanner failed"
}

# Summary; the exit status says whether the grade is A+.
node - "$RESULT" "${RESULT#"$PROJECT"/}" <<'JS'
const [file, shown] = process.argv.slice(2);
const { scan, tests } = JSON.parse(require("fs").readFileSync(file, "utf8"));
console.log(`\nHTTP Observatory grade: ${scan.grade}  score: ${scan.score}` +
  `  (tests passed ${scan.testsPassed}/${scan.testsQuantity}, failed ${scan.testsFailed})`);
for (const [name, t] of Object.entries(tests)) {
  const mod = t.scoreModifier > 0 ? `+${t.scoreModifier}` : `${t.scoreModifier}`;
  console.log(`  ${t.pass ? "pass" : "FAIL"} ${name.padEnd(32)} ${mod.padStart(4)}  ${t.result}`);
}
console.log(`Full result: ${shown}`);
if (scan.grade !== "A+") {
  console.log("Below A+: see the failing tests above and the recommendations in the full result.");
  process.exit(1);
}
JS
