#!/bin/sh
# The ssh transport tests (test/gitops/remote-transports.test.ts) run a real OpenSSH server on a
# loopback port with their own config and keys; sshd comes from Debian's package. Called by .ci/run.
set -eu
if [ -x /usr/sbin/sshd ] && command -v ssh >/dev/null 2>&1 && command -v ssh-keygen >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
[ "$(id -u)" = "0" ] || SUDO="sudo"
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends openssh-server openssh-client
# The package may start a system sshd on port 22; the tests start their own.
$SUDO systemctl stop ssh >/dev/null 2>&1 || true
if [ ! -x /usr/sbin/sshd ]; then
  echo "openssh-server did not install /usr/sbin/sshd: the ssh transport tests need it" >&2
  exit 1
fi
