# Inside the emulated POWER9 host (scripts/kvm-host run, with the staged
# Mosaic tree): the kvm accelerator against a real KVM-HV, and the interp
# accelerator on the same guests as the reference. Every check runs; the
# failures are counted at the end, after a table of the boot times.
#   accel_test.sh [ACCEL...]     the accelerators to boot the guests with
#                                (default: interp kvm)
# The shipped configs are used unchanged but for --accel, which replaces
# their accelerator list, so the same files boot on either.
set -u
accelerators=${*:-interp kvm}
tests_dir=/usr/libexec/mosaic-tests
work=/tmp/accel-test
mkdir -p "$work"
failures=0
timings=""

fail() {
  echo "FAIL [$current]: $*"
  failures=$((failures + 1))
  current_failed=1
}
check() { current=$1 current_failed=0; echo "=== $current"; }
# After a failed boot: what the guest and mosaic said.
show_run_if_failed() {
  [ "$current_failed" -eq 0 ] && return
  echo "--- guest console"; tail -n 20 "$work/stdout"
  echo "--- mosaic log"; tail -n 20 "$work/stderr"
  echo "---"
}
uptime_seconds() { cut -d ' ' -f 1 /proc/uptime; }

# timed_mosaic ARGS...: mosaic run ARGS with stdin closed and a time limit;
# sets status and elapsed (seconds).
timed_mosaic() {
  local start
  start=$(uptime_seconds)
  status=0
  timeout 1200 mosaic run "$@" </dev/null >"$work/stdout" 2>"$work/stderr" || status=$?
  elapsed=$(awk -v start="$start" -v end="$(uptime_seconds)" 'BEGIN { printf "%.1f", end - start }')
  tr -d '\r' <"$work/stdout" >"$work/clean" && mv "$work/clean" "$work/stdout"
}
expect_status() { [ "$status" -eq "$1" ] || fail "mosaic exited $status, expected $1"; }
expect_line() { grep -qx -- "$1" "$work/stdout" || fail "missing console line '$1'"; }
record_time() { timings="$timings$(printf '%-8s %-6s %8s s  %s' "$1" "$2" "$elapsed" "$3")\n"; }

check "host"
if ! sh /mosaic/tests/kvm-host/host_check.sh; then
  failures=$((failures + 1))
fi
command -v mosaic >/dev/null || { echo "FAIL: no mosaic: run scripts/kvm-host with the staged tree"; exit 1; }

# The kvm plugin's own tests; kvm_hv_tests (built for ppc64 hosts only)
# talks to /dev/kvm.
for test_binary in "$tests_dir"/kvm_*; do
  [ -x "$test_binary" ] || continue
  check "$(basename "$test_binary")"
  "$test_binary" --gtest_brief=1 || failures=$((failures + 1))
done

# boot_hello ACCEL: the bare-metal guest prints one line and powers off.
boot_hello() {
  check "hello on $1"
  if [ ! -f /mosaic/build/tests/guests/hello/hello.elf ]; then
    echo "SKIP: no hello guest (scripts/kvm-host --hello ELF)"
    return
  fi
  timed_mosaic configs/hello.yaml --accel "$1"
  expect_status 0
  expect_line "Hello from a pseries guest"
  grep -q "accelerator: $1" "$work/stderr" || fail "the log does not name accelerator $1"
  show_run_if_failed
  record_time "$1" hello "status $status"
}

# boot_linux ACCEL: Debian's kernel and the busybox initramfs run their
# checks (tests/system/initramfs/checks.sh) and power off.
boot_linux() {
  check "Linux on $1"
  timed_mosaic configs/pseries-interp.yaml --accel "$1" \
    --set "machine.cmdline=console=hvc0 quiet mosaic.test=checks"
  expect_status 0
  expect_line "MOSAIC-INIT: up"
  expect_line "MOSAIC-CHECK arithmetic 332833500"
  expect_line "MOSAIC-INIT: powering off"
  grep -q "accelerator: $1" "$work/stderr" || fail "the log does not name accelerator $1"
  grep "^MOSAIC-CHECK cpu-model" "$work/stdout"
  show_run_if_failed
  record_time "$1" linux "status $status"
}

for accelerator in $accelerators; do
  boot_hello "$accelerator"
  boot_linux "$accelerator"
done

echo "=== boot to power-off, wall time inside the emulated host"
printf "$timings"
if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"
