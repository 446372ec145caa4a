#!/usr/bin/env bash
# Lighthouse scores (`make lighthouse`): serves the portal with production settings under gunicorn
# on 127.0.0.1 (a throwaway SQLite database with the shipped content), runs Lighthouse on Debian's
# Chromium with its default phone emulation for each page, and prints the four category scores.
# Exits non-zero when any score is below LIGHTHOUSE_MIN (default 0.95).
#   make lighthouse                                 the default pages below
#   make lighthouse PAGES="/en/ /ar/car-t/costs/"   other pages
# Needs node, npm and chromium; Lighthouse is installed once into .cache/lighthouse/. Reports go
# to test-artifacts/lighthouse/.
set -euo pipefail

LIGHTHOUSE_VERSION=12.8.2
HOST=127.0.0.1
PORT=${LIGHTHOUSE_PORT:-8765}
MIN=${LIGHTHOUSE_MIN:-0.95}
cd "$(dirname "$0")/.."
PROJECT=$PWD
BIN=$PROJECT/.venv/bin
PREFIX=$PROJECT/.cache/lighthouse
LIGHTHOUSE=$PREFIX/node_modules/lighthouse/cli/index.js
ARTIFACTS=$PROJECT/test-artifacts/lighthouse
# The content pages and the form, in English, and the Arabic (right to left) home page.
DEFAULT_PAGES="/en/ /ar/ /en/car-t/ /en/car-t/car-t-cell-therapy/ /en/car-t/treatment-journey/
  /en/car-t/who-may-be-eligible/ /en/car-t/preparing-medical-records/
  /en/car-t/risks-and-side-effects/ /en/car-t/approved-in-china/ /en/car-t/costs/ /en/start/"
PAGES=${PAGES:-$DEFAULT_PAGES}

fail() { echo "lighthouse: $*" >&2; exit 1; }

for tool in node npm chromium; do
  command -v "$tool" >/dev/null || fail "$tool is needed (apt-get install -y nodejs npm chromium)"
done
[ -x "$BIN/gunicorn" ] || fail "$BIN/gunicorn is missing: run make install"
if (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; then
  fail "port $PORT on $HOST is in use; set LIGHTHOUSE_PORT to a free one"
fi

installed=$(node -p "require('$PREFIX/node_modules/lighthouse/package.json').version" 2>/dev/null || true)
if [ "$installed" != "$LIGHTHOUSE_VERSION" ]; then
  echo "Installing lighthouse@$LIGHTHOUSE_VERSION into ${PREFIX#"$PROJECT"/}"
  mkdir -p "$PREFIX"
  npm install --prefix "$PREFIX" --no-audit --no-fund --save-exact --loglevel error \
    "lighthouse@$LIGHTHOUSE_VERSION" >/dev/null
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/portal-lighthouse.XXXXXX")
server=""
cleanup() {
  [ -n "$server" ] && kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Production defaults on plain http (as `make serve`: no redirect to https on loopback, which a
# browser treats as a secure origin).
portal_env=(
  PATH="$PATH"
  ENV_FILE=
  DEBUG=false
  SECRET_KEY="$(openssl rand -base64 48)"
  SECURE_SSL_REDIRECT=false
  ALLOWED_HOSTS="$HOST,localhost"
  DATABASE_URL="sqlite:///$WORK/db.sqlite3"
  STATIC_ROOT="$WORK/staticfiles"
  PRIVATE_MEDIA_ROOT="$WORK/private_media"
  SITE_URL="http://$HOST:$PORT"
)
run() { env -i "${portal_env[@]}" "$@"; }

echo "Preparing a throwaway database and static files in $WORK"
run "$BIN/python" manage.py migrate --no-input --verbosity 0
run "$BIN/python" manage.py load_content --verbosity 0
run "$BIN/python" manage.py collectstatic --no-input --verbosity 0

env -i "${portal_env[@]}" "$BIN/gunicorn" portal.wsgi:application --workers 2 \
  --bind "$HOST:$PORT" --access-logfile - --error-logfile - >"$WORK/gunicorn.log" 2>&1 &
server=$!
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat "$WORK/gunicorn.log" >&2; fail "gunicorn exited early"; }
  sleep 0.1
done

mkdir -p "$ARTIFACTS"
status=0
printf '%-44s %12s %13s %14s %4s\n' page performance accessibility best-practices seo
for path in $PAGES; do
  name=$(echo "$path" | tr '/' '_' | sed 's/^_//; s/_$//')
  report="$ARTIFACTS/${name:-root}.json"
  CHROME_PATH=$(command -v chromium) node "$LIGHTHOUSE" "http://$HOST:$PORT$path" --quiet \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu" \
    --only-categories=performance,accessibility,best-practices,seo \
    --output=json --output-path="$report" >/dev/null 2>"$WORK/lighthouse.log" || {
    cat "$WORK/lighthouse.log" >&2
    fail "Lighthouse failed on $path"
  }
  node - "$report" "$path" "$MIN" <<'JS' || status=1
const [report, path, min] = process.argv.slice(2);
const result = require(report);
const ids = ["performance", "accessibility", "best-practices", "seo"];
const scores = ids.map((id) => result.categories[id].score);
const line = scores.map((s, i) => String(s.toFixed(2)).padStart([12, 13, 14, 4][i])).join(" ");
console.log(`${path.padEnd(44)} ${line}`);
const low = ids.filter((id, i) => scores[i] < Number(min));
for (const id of low) {
  const failing = Object.values(result.audits)
    .filter((a) => a.score !== null && a.score < 1 && result.categories[id].auditRefs.some((r) => r.id === a.id && r.weight > 0))
    .map((a) => `    ${a.id}: ${a.title}`);
  console.log(`  ${id} below ${min}:\n${failing.join("\n")}`);
}
process.exit(low.length ? 1 : 0);
JS
done
echo "Reports: ${ARTIFACTS#"$PROJECT"/}/ (phone emulation, Lighthouse $LIGHTHOUSE_VERSION)"
exit $status
