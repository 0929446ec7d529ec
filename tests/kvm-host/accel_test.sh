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

# The cross-built unit tests on a POWER CPU; kvm_hv_tests (built for ppc64
# hosts only) talks to /dev/kvm. QEMU 7.2 emulates 16-byte atomics wrongly
# (lqarx/stqcx., which libatomic uses here: a lone 16-byte compare-and-swap
# never completes), so the interpreter's tests of stqcx. are left out.
for test_binary in "$tests_dir"/*_unit_tests "$tests_dir"/kvm_hv_tests; do
  [ -x "$test_binary" ] || continue
  check "$(basename "$test_binary")"
  filter=*
  [ "$(basename "$test_binary")" = interp_unit_tests ] && filter=-*StoreQuadwordConditional*
  "$test_binary" --gtest_brief=1 "--gtest_filter=$filter" || failures=$((failures + 1))
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

# linux_config FILE ACCEL CMDLINE_EXTRA YAML_LINE: a config for Debian's
# kernel and the test initramfs on ACCEL, with one more top-level line.
linux_config() {
  cat >"$1" <<YAML
machine:
  type: pseries
  memory: 1G
  kernel: /mosaic/guest-cache/vmlinux
  initrd: /mosaic/guest-cache/initramfs.cpio.gz
  cmdline: "console=hvc0 quiet $3"
accel: $2
$4
YAML
}

# boot_linux_with_disk ACCEL: the disk test of tests/system/devices/
# disk_test.sh (write), with the staged e2fsprogs: an ext4 image made with
# mke2fs -d holds a known file, which the guest checks; it writes a 64 MiB
# file and a small one, syncs and unmounts; debugfs reads both back and
# e2fsck -fn finds the file system clean. BAR accesses reach virtio-blk as
# the accelerator's MMIO exits, RTAS reaches the PHB, and the requests come
# back through MSI-X (tests/system/initramfs/disk.sh is the guest half).
boot_linux_with_disk() {
  check "Linux with an ext4 virtio-blk disk on $1"
  rm -rf "$work/disk.img" "$work/root" && mkdir -p "$work/root"
  seq 1 5000 >"$work/root/known"
  /usr/sbin/mke2fs -q -F -t ext4 -d "$work/root" "$work/disk.img" 256M ||
    { fail "mke2fs could not make the image"; return; }
  linux_config "$work/disk.yaml" "$1" "mosaic.test=disk mosaic.disk=write" \
    "devices: [{type: virtio-blk, image: $work/disk.img}]"
  timed_mosaic "$work/disk.yaml"
  expect_status 0
  expect_line "MOSAIC-DISK known $(sha256sum <"$work/root/known" | cut -d' ' -f1)"
  seq 1 200000 | head -c 1048576 >"$work/block"
  expect_line "MOSAIC-DISK large $(for i in $(seq 64); do cat "$work/block"; done | sha256sum | cut -d' ' -f1)"
  expect_line "MOSAIC-DISK unmounted"
  for file in large small; do
    /usr/sbin/debugfs -R "dump /$file $work/$file" "$work/disk.img" >/dev/null 2>&1 || fail "debugfs could not dump /$file"
  done
  [ "$(sha256sum <"$work/large" | cut -d' ' -f1)" = "$(for i in $(seq 64); do cat "$work/block"; done |
    sha256sum | cut -d' ' -f1)" ] || fail "the large file on the image differs"
  [ "$(cat "$work/small" 2>/dev/null)" = "small file written by the guest" ] || fail "the small file on the image differs"
  /usr/sbin/e2fsck -fn "$work/disk.img" >"$work/fsck" 2>&1 || { cat "$work/fsck"; fail "e2fsck -fn found errors"; }
  show_run_if_failed
  record_time "$1" disk "status $status"
}

# rsp_packet PAYLOAD: a gdb remote-protocol packet, $PAYLOAD#checksum.
rsp_packet() {
  printf '$%s#%s' "$1" "$(printf '%s' "$1" | od -An -tu1 -v |
                          awk '{ for (i = 1; i <= NF; i++) sum += $i } END { printf "%02x", sum % 256 }')"
}

# banner_address BANNER: the virtual address of the kernel's banner, found
# in vmlinux (the host has no nm): its file offset in the first loadable
# segment, which is linked at 0xc000000000000000.
banner_address() {
  local vmlinux=/mosaic/guest-cache/vmlinux phoff segment_offset vaddr offset
  phoff=$(od -An -tu8 -j 32 -N 8 "$vmlinux" | tr -d ' ')
  segment_offset=$(od -An -tu8 -j $((phoff + 8)) -N 8 "$vmlinux" | tr -d ' ')
  vaddr=$(od -An -tx8 -j $((phoff + 16)) -N 8 "$vmlinux" | tr -d ' ')
  [ "$vaddr" = c000000000000000 ] || return 1
  offset=$(strings -t x -n 20 "$vmlinux" | grep -F -- "$1" | awk '{ print $1; exit }')
  [ -n "$offset" ] && printf 'c%015x' $((0x$offset - segment_offset))
}

# gdb_by_virtual_address ACCEL: the gdb stub, asked by a remote-protocol
# client (busybox nc: the host has no gdb), stops the running kernel and
# reads its banner by virtual address, which the machine translates through
# the vCPU's SLB and the accelerator's HPT (in the kernel for kvm).
# Breakpoints are left to tests/system/gdb_test.sh (interp, real gdb): under
# kvm here they cannot work, as KVM-HV reads the trapping instruction from
# HEIR, which QEMU 7.2's POWER9 never sets, so KVM cannot tell its debug
# instruction and gives the guest an illegal-instruction interrupt.
gdb_by_virtual_address() {
  check "gdb reads kernel memory by virtual address on $1"
  ip link set lo up
  linux_config "$work/gdb.yaml" "$1" "" "debug: {gdb: {port: 1234}}"
  rm -f "$work/console-in" "$work/rsp"
  mkfifo "$work/console-in"
  exec 3<>"$work/console-in"
  mosaic run "$work/gdb.yaml" <&3 >"$work/stdout" 2>"$work/stderr" &
  guest=$!
  # Once the shell is up it says which kernel runs (/proc/version is its
  # banner); asked once, as the interpreter inside QEMU is slow to answer.
  banner=""
  asked=no
  for _ in $(seq 600); do
    if [ $asked = no ] && grep -q "MOSAIC-INIT: up" "$work/stdout"; then
      echo "sed 's/^/MOSAIC-VERSION /' /proc/version" >&3
      asked=yes
    fi
    banner=$(tr -d '\r' <"$work/stdout" | sed -n 's/^MOSAIC-VERSION //p' | head -n 1)
    [ -n "$banner" ] && break
    sleep 1
  done
  address=$(banner_address "$banner")
  if [ -z "$banner" ] || [ -z "$address" ]; then
    fail "no banner address (the guest printed '$banner')"
  else
    # The stub stops the guest when gdb connects (an interrupt, 0x03, does no
    # harm); "?" asks why it stopped; then the banner's first 40 bytes; kill.
    { sleep 1; printf '\003'; rsp_packet '?'; sleep 3; rsp_packet "m$address,28"; sleep 3; rsp_packet k; sleep 1; } |
      timeout 60 nc 127.0.0.1 1234 >"$work/rsp" 2>&1
    expected=$(printf '%s' "$banner" | cut -c 1-40 | tr -d '\n' | od -An -tx1 -v | tr -d ' \n')
    grep -q '[$]T' "$work/rsp" || fail "the stub did not report the guest stopped"
    grep -q "$expected" "$work/rsp" || fail "gdb read no banner at $address"
  fi
  # Bounded: a stub that missed the kill must not hang the whole run.
  for _ in $(seq 60); do
    kill -0 "$guest" 2>/dev/null || break
    sleep 1
  done
  if kill -0 "$guest" 2>/dev/null; then
    fail "the run did not end after gdb's kill"
    kill -9 "$guest"
  fi
  status=0
  wait "$guest" || status=$?
  exec 3>&-
  expect_status 1  # gdb's kill ends the run with status 1
  [ "$current_failed" -eq 0 ] || { echo "--- gdb remote protocol"; cat "$work/rsp" 2>/dev/null; echo; }
  show_run_if_failed
}

for accelerator in $accelerators; do
  boot_hello "$accelerator"
  boot_linux "$accelerator"
  boot_linux_with_disk "$accelerator"
  gdb_by_virtual_address "$accelerator"
done

echo "=== boot to power-off, wall time inside the emulated host"
printf "$timings"
if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"
