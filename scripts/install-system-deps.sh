#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Vanguard needs that are not installed yet.
# Usage: scripts/install-system-deps.sh [--postgresql] [--check]
#   --postgresql  also PostgreSQL's main cluster (CI and production-like runs); the server
#                 binaries alone are always installed (make test's throwaway cluster)
#   --check       install nothing; list what is missing and exit 1 if anything is
# Without root (and without password-less sudo) it prints the exact command to run by hand.
set -euo pipefail

with_postgresql=0
check_only=0
for arg in "$@"; do
  case "$arg" in
    --postgresql) with_postgresql=1 ;;
    --check) check_only=1 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done

# package -> why we need it
packages=(
  gettext            # compilemessages/makemessages (msgfmt, xgettext)
  fonts-noto-cjk     # Chinese glyphs in PDFs (WeasyPrint) and in the browser tests
  libpango-1.0-0     # WeasyPrint's text layout
  libpangoft2-1.0-0  # WeasyPrint's font loading
  chromium           # the browser the Playwright tests drive (never a downloaded one)
  zbar-tools         # zbarimg: tests decode the QR codes we print
)
# The virtualenv needs python3.11 with venv/ensurepip (Debian 12's system Python).
if ! command -v python3.11 >/dev/null 2>&1; then
  packages+=(python3.11 python3.11-venv)
elif ! python3.11 -c "import ensurepip, venv" >/dev/null 2>&1; then
  packages+=(python3.11-venv)
fi
# `make test` runs the suite on PostgreSQL too, on a throwaway cluster made with the server's
# binaries (initdb, pg_ctl); --postgresql (CI, production-like runs) also wants the main cluster.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
   || { [ "$with_postgresql" = 1 ] && ! ls /etc/postgresql/*/main >/dev/null 2>&1; }; then
  packages+=(postgresql)
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "install-system-deps: not a Debian/Ubuntu system; install the equivalents of:" >&2
  echo "  ${packages[*]}" >&2
  for tool in msgfmt xgettext chromium zbarimg; do
    command -v "$tool" >/dev/null 2>&1 || { echo "  missing: $tool" >&2; missing_tool=1; }
  done
  exit "${missing_tool:-0}"
fi

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-system-deps: all system packages present."
  exit 0
fi

command_line="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$check_only" = 1 ]; then
  echo "install-system-deps: missing: ${missing[*]}" >&2
  echo "  install with: sudo sh -c '$command_line'" >&2
  exit 1
fi

if [ "$(id -u)" = 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "install-system-deps: these system packages are missing and I am not root:" >&2
  echo "  ${missing[*]}" >&2
  echo "Install them by hand, then run this again:" >&2
  echo "  sudo sh -c '$command_line'" >&2
  exit 1
fi

echo "install-system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
