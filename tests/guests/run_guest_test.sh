#!/usr/bin/env bash
# One correctness guest on Mosaic's interpreter: its lines between the
# begin and end markers must equal the expectation recorded from QEMU
# (scripts/guest-expectations). Fails with the diff.
#   run_guest_test.sh MOSAIC GUEST.elf EXPECTED.txt
set -euo pipefail
mosaic=$1 elf=$2 expected=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/guest.yaml" <<YAML
machine:
  type: pseries
  memory: 256M
  cpus: 1
  kernel: $elf
accel: interp
YAML
status=0
timeout 60 "$mosaic" run "$work/guest.yaml" --log-level warn </dev/null >"$work/out" 2>"$work/err" || status=$?
tr -d '\r' <"$work/out" | sed -n '/^=== guest begin: /,/^=== guest end ===$/p' >"$work/lines"
if ! diff -u --label "expected (QEMU): $expected" --label "mosaic: $elf" "$expected" "$work/lines"; then
  echo "run_guest_test: mosaic exited with status $status; its log ends:" >&2
  tail -n 20 "$work/err" >&2
  exit 1
fi
