#!/usr/bin/env bash
# Deterministic mode (accel-options: interp: {deterministic: true}) must
# repeat a run exactly: the same config and input give the same console
# output, printk timestamps included, and the same instruction count.
# Boots Debian's kernel with the initramfs checks twice and compares.
#   determinism_test.sh MOSAIC SOURCE_DIR CPUS
set -euo pipefail
mosaic=$1 source_dir=$2 cpus=$3
cache=$("$source_dir/scripts/fetch-guest")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/linux.yaml" <<YAML
machine:
  type: pseries
  memory: 512M
  cpus: $cpus
  kernel: $cache/vmlinux
  initrd: $cache/initramfs.cpio.gz
  cmdline: "console=hvc0 mosaic.test=checks"
accel: interp
accel-options:
  interp: {deterministic: true}
YAML

fail() {
  echo "FAIL: $*"
  for run in 1 2; do
    [[ -f $work/stderr.$run ]] && { echo "--- mosaic log of run $run"; tail -n 20 "$work/stderr.$run"; }
  done
  exit 1
}

# What the interpreter reports when it is destroyed at the end of a run:
# the total, and with several vCPUs each one's count first.
instructions() { sed -n 's/.*\[interp\] \[info\] \([0-9]*\) instructions in .*/\1/p' "$1"; }
per_vcpu() { sed -n 's/.*\[interp\] \[info\] vCPU \([0-9]*\): \([0-9]*\) instructions, .*/\1 \2/p' "$1"; }

for run in 1 2; do
  status=0
  timeout 600 "$mosaic" run "$work/linux.yaml" </dev/null >"$work/stdout.$run" 2>"$work/stderr.$run" || status=$?
  [[ $status -eq 0 ]] || fail "run $run: mosaic exited $status"
  grep -q "MOSAIC-INIT: powering off" "$work/stdout.$run" || fail "run $run: the checks did not finish"
  [[ -n $(instructions "$work/stderr.$run") ]] || fail "run $run: no instruction count in the log"
done
# The kernel's timestamps are on every line: boot messages are kept
# (no "quiet") so that any drift of guest time shows.
grep -q '^\[ *[0-9]*\.[0-9]*\]' "$work/stdout.1" || fail "no printk timestamps on the console"
cmp -s "$work/stdout.1" "$work/stdout.2" ||
  fail "the console output differs: $(diff <(tr -d '\r' <"$work/stdout.1") <(tr -d '\r' <"$work/stdout.2") | head -n 6)"
first=$(instructions "$work/stderr.1") second=$(instructions "$work/stderr.2")
[[ $first == "$second" ]] || fail "instruction counts differ: $first and $second"
if ((cpus > 1)); then
  [[ $(per_vcpu "$work/stderr.1" | wc -l) -eq $cpus ]] || fail "the log does not give each vCPU's count: $(per_vcpu "$work/stderr.1")"
  [[ $(per_vcpu "$work/stderr.1") == "$(per_vcpu "$work/stderr.2")" ]] ||
    fail "the vCPUs' counts differ: $(per_vcpu "$work/stderr.1" | tr '\n' ' ') and $(per_vcpu "$work/stderr.2" | tr '\n' ' ')"
  [[ $(per_vcpu "$work/stderr.1" | awk '{ sum += $2 } END { print sum }') == "$first" ]] ||
    fail "the vCPUs' counts do not add up to $first: $(per_vcpu "$work/stderr.1" | tr '\n' ' ')"
fi
echo "deterministic on $cpus vCPU(s): identical console output and $first instructions in both runs"
