#!/bin/sh
# The Prometheus integration tests (test/integration/prometheus*.test.ts) run a real server and
# backfill it with promtool; both come from Debian's package. Called by .ci/run.
set -eu
if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
[ "$(id -u)" = "0" ] || SUDO="sudo"
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends prometheus
# The package starts a system service on Debian; the tests run their own server on a loopback port.
$SUDO systemctl stop prometheus >/dev/null 2>&1 || true
