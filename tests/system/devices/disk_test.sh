#!/usr/bin/env bash
# virtio-blk with an ext4 image the host made with `mkfs.ext4 -d`, driven
# through the guest's console (tests/system/initramfs/disk.sh):
#   disk_test.sh MOSAIC SOURCE_DIR write|read-only|kill
# write: the guest reads the host's file and writes a 64 MiB one and a small
#   one; the host reads them back with debugfs, and e2fsck finds the file
#   system clean.
# read-only: the guest cannot write, and the image is unchanged.
# kill: SIGKILL after the guest synced a file; e2fsck replays the journal on a
#   copy, and the synced file is intact.
set -euo pipefail
source "$(dirname "$0")/common.sh" "$1" "$2"
mode=$3

mkdir "$work/root"
seq 1 5000 >"$work/root/known"
known_sha=$(sha256 <"$work/root/known")
mkfs.ext4 -q -F -d "$work/root" "$work/disk.img" 256M >/dev/null
read_only=false
[[ $mode == read-only ]] && read_only=true
write_config "mosaic.test=disk mosaic.disk=$mode" "  - {type: virtio-blk, image: $work/disk.img, read-only: $read_only, serial: mosaic-test-disk}"

dump() {  # dump FILE_IN_IMAGE IMAGE: its sha256
  debugfs -R "dump /$1 $work/dumped" "$2" >/dev/null 2>&1 || fail "debugfs could not dump /$1"
  sha256 <"$work/dumped"
}

case $mode in
  write)
    status=0
    timeout 900 "$mosaic" run "$work/linux.yaml" </dev/null >"$work/stdout" 2>"$work/stderr" || status=$?
    [[ $status -eq 0 ]] || fail "mosaic exited $status"
    [[ $(console_line "MOSAIC-DISK known") == "$known_sha" ]] || fail "the guest read the host's file wrongly"
    seq 1 200000 >"$work/seq"
    dd if="$work/seq" of="$work/block" bs=1048576 count=1 2>/dev/null
    large_sha=$(for i in $(seq 64); do cat "$work/block"; done | sha256)
    [[ $(console_line "MOSAIC-DISK large") == "$large_sha" ]] || fail "the guest read back its large file wrongly"
    tr -d '\r' <"$work/stdout" | grep -qx "MOSAIC-DISK unmounted" || fail "the guest did not unmount"
    [[ $(dump large "$work/disk.img") == "$large_sha" ]] || fail "the large file on the image differs"
    [[ $(dump small "$work/disk.img") == $(echo "small file written by the guest" | sha256) ]] ||
      fail "the small file on the image differs"
    e2fsck -fn "$work/disk.img" >"$work/fsck" 2>&1 || { cat "$work/fsck"; fail "e2fsck -fn found errors"; }
    echo "disk_test write: the guest's files are on the image, and it is clean"
    ;;
  read-only)
    image_sha=$(sha256 <"$work/disk.img")
    status=0
    timeout 900 "$mosaic" run "$work/linux.yaml" </dev/null >"$work/stdout" 2>"$work/stderr" || status=$?
    [[ $status -eq 0 ]] || fail "mosaic exited $status"
    [[ $(console_line "MOSAIC-DISK ro-flag") == 1 ]] || fail "the guest's disk is not read-only"
    [[ $(console_line "MOSAIC-DISK known") == "$known_sha" ]] || fail "the guest read the host's file wrongly"
    tr -d '\r' <"$work/stdout" | grep -qx "MOSAIC-DISK write refused" || fail "the guest could write"
    [[ $(sha256 <"$work/disk.img") == "$image_sha" ]] || fail "the read-only image changed"
    echo "disk_test read-only: the guest could not write, and the image is unchanged"
    ;;
  kill)
    timeout 900 "$mosaic" run "$work/linux.yaml" </dev/null >"$work/stdout" 2>"$work/stderr" &
    pid=$!
    for ((waited = 0; waited < 600; waited++)); do
      [[ -n $(console_line "MOSAIC-DISK synced") ]] && break
      kill -0 $pid 2>/dev/null || fail "mosaic ended before the guest synced"
      sleep 1
    done
    synced_sha=$(console_line "MOSAIC-DISK synced")
    [[ -n $synced_sha ]] || fail "the guest never synced"
    sleep 3  # the guest goes on writing
    pkill -KILL -P $pid mosaic 2>/dev/null || true
    kill -KILL $pid 2>/dev/null || true
    wait $pid 2>/dev/null || true
    [[ $synced_sha == $(seq 1 400000 | sha256) ]] || fail "the guest's synced file had the wrong content"
    cp "$work/disk.img" "$work/copy.img"
    fsck_status=0
    e2fsck -fy "$work/copy.img" >"$work/fsck" 2>&1 || fsck_status=$?
    # 0: clean; 1: errors corrected (the journal replay).
    ((fsck_status <= 1)) || { cat "$work/fsck"; fail "e2fsck -fy exited $fsck_status"; }
    [[ $(dump synced "$work/copy.img") == "$synced_sha" ]] || fail "the synced file did not survive SIGKILL"
    echo "disk_test kill: the synced file survived SIGKILL, e2fsck exited $fsck_status"
    ;;
  *) echo "usage: disk_test.sh MOSAIC SOURCE_DIR write|read-only|kill" >&2; exit 2 ;;
esac
