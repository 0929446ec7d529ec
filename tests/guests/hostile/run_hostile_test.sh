#!/usr/bin/env bash
# The hostile guest on the interpreter: mosaic must exit 0 after the guest
# has thrown everything at it and powered off. It has an entropy source and
# a read-only disk on the PCI host bridge to attack; the disk image must
# come out byte-identical.
#   run_hostile_test.sh MOSAIC HOSTILE.elf CPUS
set -euo pipefail
mosaic=$1 elf=$2 cpus=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
head -c 4194304 /dev/urandom >"$work/disk.img"
before=$(sha256sum <"$work/disk.img")
cat >"$work/hostile.yaml" <<YAML
machine:
  type: pseries
  memory: 256M
  cpus: $cpus
  kernel: $elf
accel: interp
devices:
  - {type: virtio-rng}
  - {type: virtio-blk, image: disk.img, read-only: true}
YAML
status=0
timeout 500 "$mosaic" run "$work/hostile.yaml" --log-level error </dev/null >"$work/out" 2>"$work/err" || status=$?
summary=$(tr -d '\r' <"$work/out" | grep -a '^hostile: ' || true)
echo "$summary"
fail() {
  echo "FAIL: $1; mosaic exited $status; its log ends:"
  tail -n 30 "$work/err"
  exit 1
}
[[ $status -eq 0 ]] || fail "mosaic failed"
grep -qx "hostile: survived" <<<"$summary" || fail "the guest did not finish"
grep -qx "hostile: cpus: $cpus" <<<"$summary" || fail "not every vCPU ran"
grep -qx "hostile: virtio functions: 2" <<<"$summary" || fail "the guest did not find both virtio functions"
# Probes past RAM and outside the PCI windows reach nothing: machine checks.
grep -qx "hostile: machine checks from MMIO probes: [1-9][0-9]*" <<<"$summary" ||
  fail "no MMIO probe took a machine check"
[[ $(sha256sum <"$work/disk.img") == "$before" ]] || fail "the read-only disk image changed"
echo "run_hostile_test: mosaic survived the hostile guest on $cpus vCPU(s)"
