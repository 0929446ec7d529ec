#!/usr/bin/env bash
# Debian's gdb-multiarch against Debian's kernel booted on the interpreter,
# driven in batch mode as a user would, checking what gdb prints.
#   gdb_test.sh MOSAIC SOURCE_DIR session     breakpoints, registers, memory
#                                             by virtual address, steps,
#                                             hardware breakpoint, watchpoint,
#                                             threads, detach to power-off
#   gdb_test.sh MOSAIC SOURCE_DIR interrupt   Ctrl-C on a running guest, kill
set -euo pipefail
mosaic=$1 source_dir=$2 scenario=$3
cache=$("$source_dir/scripts/fetch-guest")
vmlinux=$cache/vmlinux
work=$(mktemp -d)
guest_pid=""
cleanup() {
  [[ -n $guest_pid ]] && kill "$guest_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*"
  echo "--- gdb"
  cat "$work/gdb.out" 2>/dev/null || true
  echo "--- guest console (tail)"
  tail -n 20 "$work/guest.out" 2>/dev/null || true
  echo "--- mosaic log (tail)"
  tail -n 20 "$work/guest.err" 2>/dev/null || true
  exit 1
}
expect_gdb() { grep -qE -- "$1" "$work/gdb.out" || fail "gdb printed nothing matching /$1/"; }

# Boots the guest with the gdb stub on a port the OS picks, and sets $port
# from the stub's log line.
boot() {
  local cpus=$1 wait_for_attach=$2 cmdline=$3
  cat >"$work/linux.yaml" <<YAML
machine:
  type: pseries
  memory: 512M
  cpus: $cpus
  kernel: $vmlinux
  initrd: $cache/initramfs.cpio.gz
  cmdline: "console=hvc0 quiet $cmdline"
accel: interp
debug: {gdb: {port: 0, wait-for-attach: $wait_for_attach}}
YAML
  "$mosaic" run "$work/linux.yaml" <"$work/console-in" >"$work/guest.out" 2>"$work/guest.err" &
  guest_pid=$!
  port=""
  for _ in $(seq 100); do
    # Until the background shell has opened it, the log does not exist.
    port=$(sed -n 's/.*gdb: listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/guest.err" 2>/dev/null || true)
    [[ -n $port ]] && return 0
    sleep 0.1
  done
  fail "the gdb stub did not start listening"
}

# Waits at most 300 s for the guest to end and sets $status to its exit
# status (not in a subshell: only this shell can wait for it).
wait_for_guest() {
  status=0
  timeout 300 tail --pid="$guest_pid" -f /dev/null || fail "the guest did not end"
  wait "$guest_pid" || status=$?
  guest_pid=""
}

mkfifo "$work/console-in"
exec {console}<>"$work/console-in"

case $scenario in
  session)
    boot 2 true "mosaic.test=checks"
    timeout 300 gdb-multiarch -nx -batch "$vmlinux" \
      -ex "set pagination off" \
      -ex "target remote 127.0.0.1:$port" \
      -ex "info threads" \
      -ex "break start_kernel" \
      -ex "continue" \
      -ex "bt" \
      -ex "info registers pc msr r1" \
      -ex "x/s &linux_banner" \
      -ex "find /b1 &init_task, +8192, 's', 'w', 'a', 'p', 'p', 'e', 'r'" \
      -ex "x/2x 0xc00dead000000000" \
      -ex "set \$vr3.v4_int32[1] = 0x11223344" \
      -ex "p/x \$vs35.uint128" \
      -ex "p \$f1" \
      -ex "stepi" \
      -ex "x/i \$pc" \
      -ex "nexti" \
      -ex "x/i \$pc" \
      -ex "hbreak rest_init" \
      -ex "continue" \
      -ex "watch *(int *)&system_state" \
      -ex "continue" \
      -ex "delete" \
      -ex "detach" >"$work/gdb.out" 2>&1 || fail "gdb failed"
    expect_gdb '^\* 1 +Thread 1 \(vCPU 0\)'
    expect_gdb '^  2 +Thread 2 \(vCPU 1\)'
    # With several threads gdb names the one that stopped.
    expect_gdb '^(Thread 1 hit )?Breakpoint 1, (0x[0-9a-f]+) in start_kernel \(\)'
    stop_address=$(sed -n 's/^.*Breakpoint 1, \(0x[0-9a-f]*\) in start_kernel ().*/\1/p' "$work/gdb.out")
    expect_gdb "^#0  $stop_address in start_kernel \\(\\)"
    expect_gdb '^#1  0x[0-9a-f]+ in start_here_common \(\)'
    expect_gdb "^pc +$stop_address +$stop_address <start_kernel\\+[0-9]+>"
    # The kernel runs 64-bit (SF), translated (IR, DR), little-endian (LE).
    msr=$(sed -n 's/^msr  *\(0x[0-9a-f]*\) .*/\1/p' "$work/gdb.out")
    (((msr >> 63) & 1 && (msr >> 5) & 1 && (msr >> 4) & 1 && msr & 1)) || fail "MSR $msr is not SF|IR|DR|LE"
    expect_gdb '^r1 +0xc000[0-9a-f]+'
    kernel_release=$(strings "$vmlinux" | sed -n 's/^Linux version \([^ ]*\) .*/\1/p' | head -n 1)
    expect_gdb "<linux_banner>:[[:space:]]+\"Linux version $kernel_release "
    expect_gdb '^0xc[0-9a-f]+ <init_task\+[0-9]+>$'
    expect_gdb '^1 pattern found\.'
    expect_gdb 'Cannot access memory at address 0xc00dead000000000'
    # The vector registers (altivec and vsx features): vr3 is VSR 35.
    expect_gdb '^\$[0-9]+ = 0x1122334400000000$'
    expect_gdb '^\$[0-9]+ = 0$'
    expect_gdb '^=> 0x[0-9a-f]+ <start_kernel\+[0-9]+>:'
    [[ $(grep -c '^=> 0x[0-9a-f]* <start_kernel+[0-9]*>:' "$work/gdb.out") -eq 2 ]] || fail "stepi/nexti left start_kernel"
    first_step=$(grep -m1 '^=> ' "$work/gdb.out" | sed 's/^=> \(0x[0-9a-f]*\).*/\1/')
    ((first_step > stop_address && first_step - stop_address <= 8)) ||
      fail "stepi went from $stop_address to $first_step"
    expect_gdb '^Hardware assisted breakpoint 2 at 0x[0-9a-f]+'
    expect_gdb '^(Thread 1 hit )?Breakpoint 2, 0x[0-9a-f]+ in rest_init \(\)'
    expect_gdb '^(Thread 1 hit )?Hardware watchpoint 3: \*\(int \*\)&system_state'
    expect_gdb '^Old value = 0$'
    expect_gdb '^New value = [1-9]'
    expect_gdb '^\[Inferior 1 \(Remote target\) detached\]'
    wait_for_guest
    [[ $status -eq 0 ]] || fail "after detach the guest must run to power-off (status $status)"
    grep -q "MOSAIC-INIT: powering off" "$work/guest.out" || fail "the guest did not finish its checks"
    echo "gdb session: breakpoints, registers, memory, steps, watchpoint, threads, detach"
    ;;
  interrupt)
    boot 1 false ""
    for _ in $(seq 600); do
      grep -q "MOSAIC-INIT: up" "$work/guest.out" && break
      sleep 0.5
    done
    grep -q "MOSAIC-INIT: up" "$work/guest.out" || fail "the guest did not reach its shell"
    # gdb reads its commands from a pipe so that the test can interrupt the
    # `continue` the way a user's Ctrl-C does: SIGINT to gdb.
    mkfifo "$work/gdb-in"
    # --foreground: otherwise timeout passes the SIGINT below on twice (to
    # gdb and to its process group), and a second Ctrl-C before the stub has
    # answered the first makes gdb give up waiting and disconnect.
    timeout --foreground 300 gdb-multiarch -nx -q "$vmlinux" <"$work/gdb-in" >"$work/gdb.out" 2>&1 &
    gdb_pid=$!
    exec {gdb_in}>"$work/gdb-in"
    printf '%s\n' "set pagination off" "set confirm off" "target remote 127.0.0.1:$port" "continue" >&"$gdb_in"
    for _ in $(seq 100); do
      grep -q "^Continuing\." "$work/gdb.out" && break
      sleep 0.1
    done
    sleep 2
    kill -INT "$gdb_pid"
    printf '%s\n' "info registers pc" "x/s &linux_banner" "kill" "quit" >&"$gdb_in"
    exec {gdb_in}>&-
    wait "$gdb_pid" || true
    expect_gdb 'received signal SIGINT'
    # Interactive gdb: its lines follow the "(gdb) " prompt.
    expect_gdb 'pc +0x[0-9a-f]+ +0x[0-9a-f]+ <[a-z_0-9.]+\+[0-9]+>'
    expect_gdb '<linux_banner>:[[:space:]]+"Linux version '
    wait_for_guest
    [[ $status -eq 1 ]] || fail "kill must end the run with status 1, got $status"
    grep -q "killed by the debugger" "$work/guest.err" || fail "the log does not say the debugger ended the run"
    echo "gdb interrupt: Ctrl-C stopped the running guest, memory read, kill ended the run"
    ;;
  *)
    echo "unknown scenario '$scenario'" >&2
    exit 2
    ;;
esac
