#!/usr/bin/env bash
# Installs the Debian packages the test suite needs (real PostgreSQL, the Secret Service keychain,
# Chromium for the e2e layer, Debian's age CLI and Python's cryptography for interop tests).
# Safe to run again: it installs only what is missing.
set -euo pipefail

need=()
have_cmd() { command -v "$1" >/dev/null 2>&1; }
[ -x /usr/lib/postgresql/15/bin/initdb ] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
have_cmd pg_dump || need+=(postgresql-client)
have_cmd gnome-keyring-daemon || need+=(gnome-keyring)
have_cmd dbus-run-session || need+=(dbus)
have_cmd dbus-launch || need+=(dbus-x11)
have_cmd chromium || need+=(chromium)
have_cmd age || need+=(age)
have_cmd pdftoppm || need+=(poppler-utils)  # renders escrow PDFs so tests can decode their QR codes
have_cmd runuser || need+=(util-linux)
have_cmd systemd-analyze || need+=(systemd)
have_cmd crontab || need+=(cron)
/usr/bin/python3 -c 'import cryptography' >/dev/null 2>&1 || need+=(python3-cryptography)
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)

if [ ${#need[@]} -eq 0 ]; then
  echo "Test prerequisites: all present."
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if have_cmd sudo; then SUDO="sudo"; else
    echo "Missing Debian packages: ${need[*]}. Install them as root (apt-get install ${need[*]})." >&2
    exit 1
  fi
fi
echo "Installing Debian packages: ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# Debian's postgresql package starts a cluster of its own; the tests start their own clusters.
if have_cmd pg_lsclusters && [ -n "$($SUDO pg_lsclusters -h 2>/dev/null)" ]; then $SUDO pg_ctlcluster --force 15 main stop 2>/dev/null || true; fi
echo "Test prerequisites installed."
