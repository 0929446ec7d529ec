#!/usr/bin/env bash
# Boots Debian's ppc64el kernel with our busybox initramfs through the
# mosaic binary and checks what the guest reports.
#   linux_boot_test.sh MOSAIC SOURCE_DIR checks CPUS
#   linux_boot_test.sh MOSAIC SOURCE_DIR shell
#   linux_boot_test.sh MOSAIC SOURCE_DIR panic
#   linux_boot_test.sh MOSAIC SOURCE_DIR reboot
set -euo pipefail
mosaic=$1 source_dir=$2 scenario=$3 cpus=${4:-1}
cache=$("$source_dir/scripts/fetch-guest")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
memory_mib=512

# write_config CMDLINE_EXTRA [MACHINE_OPTION_LINE]
write_config() {
  cat >"$work/linux.yaml" <<YAML
machine:
  type: pseries
  memory: ${memory_mib}M
  cpus: $cpus
  kernel: $cache/vmlinux
  initrd: $cache/initramfs.cpio.gz
  cmdline: "console=hvc0 quiet $1"
  ${2:-}
accel: interp
YAML
}

fail() {
  echo "FAIL: $*"
  echo "--- guest console"
  cat "$work/stdout"
  echo "--- mosaic log"
  tail -n 30 "$work/stderr"
  exit 1
}

expect_line() {
  grep -qx -- "$1" "$work/stdout" || fail "missing line '$1'"
}

# For a guest run as the coprocess `guest`, with its shell on the console:
# copy its output to $work/stdout until a line holds $1.
wait_for() {
  local line
  while IFS= read -r -t 600 line <&"${guest[0]}"; do
    printf '%s\n' "$line" >>"$work/stdout"
    [[ $line == *"$1"* ]] && return 0
  done
  fail "no '$1' from the guest"
}

# Waits for the coprocess to end and checks its exit status.
expect_guest_status() {
  exec {to_guest}>&-
  local status=0
  wait "$guest_PID" || status=$?
  [[ $status -eq $1 ]] || fail "mosaic exited $status"
}

case $scenario in
  checks)
    write_config "mosaic.test=checks"
    status=0
    timeout 600 "$mosaic" run "$work/linux.yaml" </dev/null >"$work/stdout" 2>"$work/stderr" || status=$?
    tr -d '\r' <"$work/stdout" >"$work/clean" && mv "$work/clean" "$work/stdout"
    [[ $status -eq 0 ]] || fail "mosaic exited $status"
    expect_line "MOSAIC-INIT: up"
    kernel_release=$(strings "$cache/vmlinux" | sed -n 's/^Linux version \([^ ]*\) .*/\1/p' | head -n 1)
    expect_line "MOSAIC-CHECK uname $kernel_release"
    expect_line "MOSAIC-CHECK cpus $cpus"
    grep -q "^MOSAIC-CHECK cpu-model POWER8" "$work/stdout" || fail "/proc/cpuinfo does not show a POWER8"
    memtotal=$(sed -n 's/^MOSAIC-CHECK memtotal-kb //p' "$work/stdout")
    [[ -n $memtotal && $memtotal -le $((memory_mib * 1024)) && $memtotal -ge $((memory_mib * 1024 * 3 / 4)) ]] ||
      fail "MemTotal $memtotal kB is not within the configured $memory_mib MiB"
    known=$(sha256sum "$source_dir/tests/system/initramfs/mosaic-known-file" | cut -d ' ' -f 1)
    expect_line "MOSAIC-CHECK sha256 $known"
    expect_line "MOSAIC-CHECK arithmetic 332833500"
    expect_line "MOSAIC-INIT: powering off"
    echo "Linux on $cpus vCPU(s): booted, checked, powered off"
    ;;
  shell)
    # A user at the console: commands in, answers out, then exit powers off.
    write_config ""
    coproc guest { timeout 600 "$mosaic" run "$work/linux.yaml" 2>"$work/stderr"; }
    exec {to_guest}>&"${guest[1]}"
    : >"$work/stdout"
    wait_for "MOSAIC-INIT: up"
    echo 'echo "answer-$((6 * 7))"' >&"$to_guest"
    wait_for "answer-42"
    echo 'uname -m' >&"$to_guest"
    wait_for "ppc64le"
    echo 'exit' >&"$to_guest"
    wait_for "MOSAIC-INIT: powering off"
    expect_guest_status 0
    echo "interactive shell: commands answered, exit powered off"
    ;;
  reboot)
    # By default a reboot boots the same guest again, which then answers.
    write_config ""
    coproc guest { timeout 600 "$mosaic" run "$work/linux.yaml" 2>"$work/stderr"; }
    exec {to_guest}>&"${guest[1]}"
    : >"$work/stdout"
    wait_for "MOSAIC-INIT: up"
    echo 'reboot -f' >&"$to_guest"
    wait_for "MOSAIC-INIT: up"
    echo 'echo "answer-$((6 * 7))"' >&"$to_guest"
    wait_for "answer-42"
    echo 'exit' >&"$to_guest"
    wait_for "MOSAIC-INIT: powering off"
    expect_guest_status 0
    grep -q "guest reboot: restarting" "$work/stderr" || fail "the restart is not logged"
    # With on-reboot: exit, the reboot ends the run as a power-off does.
    write_config "" "on-reboot: exit"
    coproc guest { timeout 600 "$mosaic" run "$work/linux.yaml" 2>"$work/stderr"; }
    exec {to_guest}>&"${guest[1]}"
    : >"$work/stdout"
    wait_for "MOSAIC-INIT: up"
    echo 'reboot -f' >&"$to_guest"
    expect_guest_status 0
    grep -q "guest powered off: the guest asked for a reboot" "$work/stderr" || fail "the reboot is not reported"
    echo "reboot: restarted and answered; with on-reboot: exit, ended with status 0"
    ;;
  panic)
    write_config "mosaic.test=panic"
    status=0
    timeout 600 "$mosaic" run "$work/linux.yaml" </dev/null >"$work/stdout" 2>"$work/stderr" || status=$?
    [[ $status -eq 1 ]] || fail "a kernel panic must end with status 1, got $status"
    grep -q "guest panicked: .*sysrq triggered crash" "$work/stderr" || fail "the panic message is not reported"
    echo "kernel panic: status 1 with the guest's message"
    ;;
  *)
    echo "unknown scenario '$scenario'" >&2
    exit 2
    ;;
esac
