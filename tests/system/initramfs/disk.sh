# mosaic.test=disk: the guest half of tests/system/devices/disk_test.sh.
# mosaic.disk=write: check the file the host put on /dev/vda, write a 64 MiB
# file of known content (64 copies of the first MiB of `seq 1 200000`, which
# the host can recompute) and a small one, sync and unmount.
# mosaic.disk=read-only: the disk must refuse writes.
# mosaic.disk=kill: write and sync one file, then keep writing until the host
# kills the VMM.
mode=$(sed -n 's/.*mosaic\.disk=\([a-z-]*\).*/\1/p' /proc/cmdline)
say() { echo "MOSAIC-DISK $*"; }
mkdir -p /mnt/disk
case $mode in
  read-only)
    say "ro-flag $(cat /sys/block/vda/ro 2>/dev/null)"
    mount -t ext4 /dev/vda /mnt/disk 2>&1 | sed 's/^/MOSAIC-DISK mount: /'
    say "known $(sha256sum /mnt/disk/known | cut -d' ' -f1)"
    if echo overwritten >/mnt/disk/known 2>/dev/null || touch /mnt/disk/new-file 2>/dev/null; then
      say "write succeeded"
    else
      say "write refused"
    fi
    umount /mnt/disk
    ;;
  write)
    mount -t ext4 /dev/vda /mnt/disk || { say "mount failed"; exit; }
    say "mounted"
    say "known $(sha256sum /mnt/disk/known | cut -d' ' -f1)"
    seq 1 200000 >/tmp/seq
    dd if=/tmp/seq of=/tmp/block bs=1048576 count=1 2>/dev/null
    for i in $(seq 64); do cat /tmp/block; done >/mnt/disk/large
    echo "small file written by the guest" >/mnt/disk/small
    sync
    say "large $(sha256sum /mnt/disk/large | cut -d' ' -f1)"
    umount /mnt/disk && say "unmounted"
    ;;
  kill)
    mount -t ext4 /dev/vda /mnt/disk || { say "mount failed"; exit; }
    seq 1 400000 >/mnt/disk/synced
    sync
    say "synced $(sha256sum /mnt/disk/synced | cut -d' ' -f1)"
    count=0
    while :; do
      count=$((count + 1))
      seq 1 100000 >/mnt/disk/unsynced-$((count % 8))
    done
    ;;
  *)
    say "unknown mode '$mode'"
    ;;
esac
