#!/usr/bin/env bash
# virtio-net on libslirp user-mode networking, driven through the guest's
# console (tests/system/initramfs/net.sh): DHCP, a file fetched from an HTTP
# server on the host's loopback through the slirp gateway, and the host
# reaching the guest's busybox httpd through a port forward.
#   network_test.sh MOSAIC SOURCE_DIR
set -euo pipefail
source "$(dirname "$0")/common.sh" "$1" "$2"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
mkdir "$work/www"
seq 1 200000 >"$work/www/payload"
http_port=$(free_port)
python3 -m http.server --bind 127.0.0.1 --directory "$work/www" "$http_port" >"$work/http.log" 2>&1 &
http_pid=$!
forward_port=$(free_port)
mac=52:54:00:4d:6f:73
write_config "mosaic.test=net mosaic.http=$http_port" \
  "  - {type: virtio-net, mac: \"$mac\", forward: [\"tcp:127.0.0.1:$forward_port-:8080\"]}"

mkfifo "$work/console-in"
timeout 900 "$mosaic" run "$work/linux.yaml" <"$work/console-in" >"$work/stdout" 2>"$work/stderr" &
pid=$!
exec 3>"$work/console-in"
trap 'exec 3>&-; kill $http_pid $pid 2>/dev/null || true; rm -rf "$work"' EXIT
for ((waited = 0; waited < 600; waited++)); do
  [[ -n $(console_line "MOSAIC-NET serving") ]] && break
  kill -0 $pid 2>/dev/null || fail "mosaic ended before the guest's server was up"
  sleep 1
done
served_sha=$(console_line "MOSAIC-NET serving")
[[ -n $served_sha ]] || fail "the guest never served"
fetched=$(python3 -c 'import sys, urllib.request; sys.stdout.buffer.write(urllib.request.urlopen(sys.argv[1], timeout=60).read())' \
          "http://127.0.0.1:$forward_port/served" | sha256) || fail "the port forward did not reach the guest"
echo done >&3
status=0
wait $pid || status=$?
[[ $status -eq 0 ]] || fail "mosaic exited $status"
[[ $(console_line "MOSAIC-NET mac") == "$mac" ]] || fail "the guest's MAC is not the configured one"
[[ $(console_line "MOSAIC-NET address") == 10.0.2.15/24 ]] || fail "no DHCP lease from slirp's 10.0.2.0/24"
[[ $(console_line "MOSAIC-NET gateway") == 10.0.2.2 ]] || fail "no default route through slirp's gateway"
[[ $(console_line "MOSAIC-NET fetched") == $(sha256 <"$work/www/payload") ]] || fail "the guest's HTTP fetch differs"
[[ $served_sha == $(seq 1 20000 | sha256) && $fetched == "$served_sha" ]] || fail "the forwarded fetch differs"
[[ $(console_line "MOSAIC-NET host said") == done ]] || fail "the console did not carry the host's line"
echo "network_test: DHCP, HTTP from the guest to the host and a port forward into the guest all work"
