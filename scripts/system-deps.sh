#!/usr/bin/env bash
# The Debian packages the tests need, in one place: `npm test` runs this first and `.ci/run` calls
# it too, so the two never drift apart. Installs what is missing when run as root; otherwise
# prints the exact command and stops. Nothing is downloaded when everything is already there.
set -euo pipefail

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v kamailio >/dev/null 2>&1 || need+=(kamailio)
ls /usr/lib/*/kamailio/modules/websocket.so >/dev/null 2>&1 || need+=(kamailio-websocket-modules)
ls /usr/lib/*/kamailio/modules/tls.so >/dev/null 2>&1 || need+=(kamailio-tls-modules)
# The company-like SIP lab: a media relay (user space only, never the dkms kernel module), a desk
# phone, tones made and checked with sox, a TURN server; PostgreSQL for the server's shared store.
command -v rtpengine >/dev/null 2>&1 || need+=(rtpengine-daemon)
command -v baresip >/dev/null 2>&1 || need+=(baresip-core)
command -v sox >/dev/null 2>&1 || need+=(sox)
command -v turnserver >/dev/null 2>&1 || need+=(coturn)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v unshare >/dev/null 2>&1 || need+=(util-linux)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
# tests/sip/network.e2e.test.ts drops UDP inside the lab's namespace to break a call's media path.
command -v iptables >/dev/null 2>&1 || need+=(iptables)

[ ${#need[@]} -eq 0 ] && exit 0

command="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${need[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "The tests need these Debian packages: ${need[*]}" >&2
  echo "Install them as root, then run the tests again:" >&2
  echo "  sudo sh -c '$command'" >&2
  exit 1
fi
echo "Installing the Debian packages the tests need: ${need[*]}" >&2
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}"
