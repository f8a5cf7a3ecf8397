#!/bin/sh
# The HTML delivery report test (test/report/delivery.test.ts) opens the page in a real headless
# Chromium driven by puppeteer-core; the browser comes from Debian's package. Called by .ci/run.
set -eu
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
[ "$(id -u)" = "0" ] || SUDO="sudo"
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium
