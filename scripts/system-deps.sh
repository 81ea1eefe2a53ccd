#!/bin/sh
# Debian packages the test suite drives for real: Chromium (UI tests) and PostgreSQL (storage
# tests). Installed only when missing and only where we may (root + apt-get); otherwise the
# tests that need them skip with a reason that names the missing program.
set -u
need=""
command -v chromium >/dev/null 2>&1 || need="$need chromium chromium-driver"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need="$need postgresql"
[ -z "$need" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian packages:$need"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need) >/dev/null 2>&1 \
        || echo "warning: could not install$need; tests that need them will skip" >&2
else
    echo "note: missing$need and not root with apt-get; tests that need them will skip" >&2
fi
exit 0
