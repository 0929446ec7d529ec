# Inside the emulated POWER9 host (scripts/kvm-host run, with the staged
# Mosaic tree): a running Linux guest moves between KVM-HV and the
# interpreter through the control socket, and snapshots taken on one
# accelerator go on on the other. The guest sits at its busybox shell with a
# marker file in tmpfs and a background loop printing count-N each second,
# and has a virtio-blk disk: it writes a random pattern there with direct
# I/O and keeps rewriting another part of the disk through every switch and
# snapshot; the pattern reads back after each move, from the guest and at
# the end from the host.
#  1. boot on kvm; switch-accelerator interp: the counter goes on; save S1
#     (on interp); switch back to kvm: it goes on; save S2 (on kvm);
#     poweroff -f exits 0;
#  2. S1 restored on kvm, S2 on interp: the counter goes on from where it
#     was, the marker is there, poweroff -f exits 0;
#  3. on interp, S2 is restored by a machine that offers all of POWER8's
#     page sizes: a switch to kvm is refused (KVM-HV here maps 4 KiB and
#     64 KiB pages only), the machine goes back to a new interpreter, and the
#     counter goes on;
#  4. a guest booted on interp moves to kvm.
# The machine tells the guest only of what KVM-HV can map where host RAM
# comes in 64 KiB pages (hpt-max-page-size: 64K, hpt-mixed-page-sizes:
# false), which is what a guest must keep to when it may move.
# Prints each switch's and snapshot's time, which the log reports.
set -u
work=/tmp/switch-test
rm -rf "$work" && mkdir -p "$work"
failures=0
TIMEOUT=600

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
command -v mosaic >/dev/null || { echo "FAIL: no mosaic: run scripts/kvm-host with the staged tree"; exit 1; }

cat >"$work/guest.yaml" <<YAML
machine:
  type: pseries
  memory: 512M
  kernel: /mosaic/guest-cache/vmlinux
  initrd: /mosaic/guest-cache/initramfs.cpio.gz
  cmdline: "console=hvc0 quiet"
  hpt-max-page-size: 64K
  hpt-mixed-page-sizes: false
accel: kvm
control: {socket: guest.sock}
devices: [{type: virtio-blk, image: disk.img}]
YAML
dd if=/dev/zero of="$work/disk.img" bs=1M count=32 2>/dev/null
grep -v "hpt-m" "$work/guest.yaml" >"$work/any-page.yaml"
socket=$work/guest.sock

# start NAME CONFIG ARGS...: mosaic run CONFIG ARGS in the background, its console input
# a FIFO on fd 3 and its output in NAME.out; sets guest (the pid).
start() {
  name=$1 config=$2
  shift 2
  rm -f "$work/in" "$socket"
  mkfifo "$work/in"
  exec 3<>"$work/in"
  mosaic run "$config" "$@" <&3 >"$work/$name.out" 2>"$work/$name.log" &
  guest=$!
}
type_line() { echo "$1" >&3; }
console() { tr -d '\r' <"$work/$name.out"; }
# wait_for TEXT: until the console shows TEXT (a fixed string).
wait_for() {
  for _ in $(seq $TIMEOUT); do
    console | grep -qF -- "$1" && return 0
    kill -0 "$guest" 2>/dev/null || break
    sleep 1
  done
  fail "[$name] no '$1' on the console"
  return 1
}
# The loop's lines; one may share its line with the shell's prompt.
counts() { console | sed -n 's/.*count-\([0-9][0-9]*\)$/\1/p'; }
last_count() { counts | tail -n 1; }
# wait_count_above N: until the loop printed a count above N.
wait_count_above() {
  for _ in $(seq $TIMEOUT); do
    seen=$(last_count)
    [ -n "$seen" ] && [ "$seen" -gt "$1" ] && return 0
    kill -0 "$guest" 2>/dev/null || break
    sleep 1
  done
  fail "[$name] the counter did not pass $1"
  return 1
}
# Every count the loop printed, from the first to the last, once each.
counts_without_gap() {
  counts | awk 'NR > 1 && $1 != previous + 1 { bad = 1 } { previous = $1 }
                                                      END { exit bad }'
}
reads=0
# pattern_read SKIP: the guest reads 4 MiB of its disk at SKIP MiB, bypassing
# its page cache; they must hold the pattern.
pattern_read() {
  reads=$((reads + 1))
  mark="disk-read-$reads"
  type_line "echo $mark-\"\"sha \$(dd if=/dev/vda bs=1M skip=$1 count=4 iflag=direct 2>/dev/null | sha256sum | cut -c1-64)"
  wait_for "$mark-sha " || return 1
  read_sha=$(console | sed -n "s/^.*$mark-sha \([0-9a-f]*\)$/\1/p" | tail -n 1)
  [ "$read_sha" = "$pattern_sha" ] || fail "[$name] the disk at $1 MiB reads $read_sha, the guest wrote $pattern_sha"
}
control() {
  mosaic ctl "$socket" "$@" >"$work/reply" 2>&1 || { fail "[$name] mosaic ctl $*: $(cat "$work/reply")"; return 1; }
}
# finish: poweroff -f, and mosaic must exit 0.
finish() {
  type_line "poweroff -f"
  for _ in $(seq $TIMEOUT); do
    kill -0 "$guest" 2>/dev/null || break
    sleep 1
  done
  kill -0 "$guest" 2>/dev/null && { fail "[$name] still running after poweroff -f"; kill -9 "$guest"; }
  status=0
  wait "$guest" || status=$?
  exec 3>&-
  [ "$status" -eq 0 ] || fail "[$name] mosaic exited $status after poweroff -f"
  counts_without_gap || fail "[$name] the counter skipped: $(counts | tr '\n' ' ')"
  if [ "$failures" -ne 0 ]; then
    echo "--- [$name] console"; console | tail -n 20
    echo "--- [$name] log"; tail -n 30 "$work/$name.log"
  fi
  grep -E "moved|snapshot|restored" "$work/$name.log"
}

echo "=== a running guest moves kvm -> interp -> kvm"
start moving "$work/guest.yaml"
wait_for "MOSAIC-INIT: up" &&
  type_line 'dd if=/dev/urandom of=/tmp/pattern bs=1M count=4 2>/dev/null' &&
  type_line 'dd if=/tmp/pattern of=/dev/vda bs=1M oflag=direct conv=fsync 2>/dev/null' &&
  type_line 'echo pattern-""sha $(sha256sum </tmp/pattern | cut -c1-64)' &&
  wait_for "pattern-sha " &&
  pattern_sha=$(console | sed -n 's/^pattern-sha \([0-9a-f]*\)$/\1/p' | head -n 1) &&
  type_line '(while true; do dd if=/tmp/pattern of=/dev/vda bs=1M seek=8 oflag=direct 2>/dev/null; done) &' &&
  type_line 'echo switch-marker-""8642 > /tmp/marker' &&
  type_line '(i=0; while true; do i=$((i+1)); echo "count-$i"; sleep 1; done) &' &&
  wait_count_above 2 &&
  control switch-accelerator '{"name": "interp"}' &&
  wait_count_above $(($(last_count) + 2)) &&
  pattern_read 0 &&
  control snapshot-save "{\"path\": \"$work/on-interp.snap\"}" &&
  control switch-accelerator '{"name": "kvm"}' &&
  wait_count_above $(($(last_count) + 2)) &&
  pattern_read 0 && pattern_read 8 &&
  control snapshot-save "{\"path\": \"$work/on-kvm.snap\"}" &&
  wait_count_above $(($(last_count) + 1))
grep -q "accelerator: interp" "$work/moving.log" || fail "[moving] the log names no switch to interp"
finish

# restore SNAPSHOT ACCEL CONFIG: the guest goes on from SNAPSHOT on ACCEL.
restore() {
  echo "=== $1 restored on $2"
  start "restored-on-$2" "$3" --restore "$work/$1" --accel "$2"
  wait_count_above 0 &&
    saved_at=$(last_count) &&
    wait_count_above $((saved_at + 2)) &&
    type_line "cat /tmp/marker" &&
    wait_for "switch-marker-8642" &&
    pattern_read 0 && pattern_read 8
}
restore on-interp.snap kvm "$work/guest.yaml"
finish
restore on-kvm.snap interp "$work/any-page.yaml"
echo "=== a guest that may use 16 MiB pages does not move to kvm"
if mosaic ctl "$socket" switch-accelerator '{"name": "kvm"}' >"$work/reply" 2>&1; then
  fail "[$name] switch-accelerator kvm succeeded with 16 MiB pages allowed"
else
  grep -q "KiB pages" "$work/reply" || fail "[$name] the refusal does not name the page size: $(cat "$work/reply")"
fi
wait_count_above $(($(last_count) + 2))
grep -q "accelerator: kvm" "$work/$name.log" && fail "[$name] the log names a switch to kvm"
finish

echo "=== a guest booted on interp moves to kvm"
start booted-on-interp "$work/guest.yaml" --accel interp
wait_for "MOSAIC-INIT: up" &&
  type_line '(i=0; while true; do i=$((i+1)); echo "count-$i"; sleep 1; done) &' &&
  wait_count_above 2 &&
  control switch-accelerator '{"name": "kvm"}' &&
  wait_count_above $(($(last_count) + 2))
grep -q "accelerator: kvm" "$work/$name.log" || fail "[$name] the log names no switch to kvm"
finish

[ "$(dd if="$work/disk.img" bs=1M count=4 2>/dev/null | sha256sum | cut -c1-64)" = "$pattern_sha" ] ||
  fail "the image does not hold the pattern the guest wrote"
ls -l "$work"/*.snap
if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"
