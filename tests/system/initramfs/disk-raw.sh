# mosaic.test=disk-raw: /dev/vda is a scratch disk of at least 8 MiB with no
# file system (the KVM-HV host of tests/kvm-host has no mkfs): 8 MiB of
# random bytes written with direct I/O must read back the same once the page
# cache is dropped. It drives virtio-blk through the accelerator's MMIO
# exits, DMA and interrupts.
say() { echo "MOSAIC-DISK $*"; }
dd if=/dev/urandom of=/tmp/pattern bs=1M count=8 2>/dev/null
dd if=/tmp/pattern of=/dev/vda bs=1M oflag=direct conv=fsync 2>/dev/null || say "write failed"
echo 3 >/proc/sys/vm/drop_caches
dd if=/dev/vda of=/tmp/back bs=1M count=8 iflag=direct 2>/dev/null || say "read failed"
if cmp -s /tmp/pattern /tmp/back; then
  say "raw readback ok"
else
  say "raw readback differs"
fi
