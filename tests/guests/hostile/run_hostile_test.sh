#!/usr/bin/env bash
# The hostile guest on the interpreter: mosaic must exit 0 after the guest
# has thrown everything at it and powered off.
#   run_hostile_test.sh MOSAIC HOSTILE.elf CPUS
set -euo pipefail
mosaic=$1 elf=$2 cpus=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/hostile.yaml" <<YAML
machine:
  type: pseries
  memory: 256M
  cpus: $cpus
  kernel: $elf
accel: interp
YAML
status=0
timeout 500 "$mosaic" run "$work/hostile.yaml" --log-level warn </dev/null >"$work/out" 2>"$work/err" || status=$?
tr -d '\r' <"$work/out" | grep -a '^hostile: ' || true
if [[ $status -ne 0 ]] || ! tr -d '\r' <"$work/out" | grep -aqx "hostile: survived" ||
   ! tr -d '\r' <"$work/out" | grep -aqx "hostile: cpus: $cpus"; then
  echo "FAIL: mosaic exited $status; its log ends:"
  tail -n 30 "$work/err"
  exit 1
fi
echo "run_hostile_test: mosaic survived the hostile guest on $cpus vCPU(s)"
