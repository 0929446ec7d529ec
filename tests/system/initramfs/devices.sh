# mosaic.test=devices: what the guest sees of its PCI functions and of the
# entropy device; tests/system/devices/ check the marker lines.
for device in /sys/bus/pci/devices/*; do
  [ -e "$device/vendor" ] || continue
  echo "MOSAIC-PCI ${device##*/} $(cat "$device/vendor"):$(cat "$device/device") class $(cat "$device/class") driver $(basename "$(readlink "$device/driver" 2>/dev/null)" 2>/dev/null) msi_irqs $(ls "$device/msi_irqs" 2>/dev/null | wc -l)"
done
if [ -e /sys/class/misc/hw_random/rng_current ]; then
  echo "MOSAIC-RNG current $(cat /sys/class/misc/hw_random/rng_current)"
  echo "MOSAIC-RNG bytes $(dd if=/dev/hwrng bs=256 count=4 2>/dev/null | wc -c)"
  # Two reads of random data are different (2^-2048 odds of a false failure).
  first=$(dd if=/dev/hwrng bs=256 count=1 2>/dev/null | sha256sum | cut -d' ' -f1)
  second=$(dd if=/dev/hwrng bs=256 count=1 2>/dev/null | sha256sum | cut -d' ' -f1)
  [ "$first" != "$second" ] && echo "MOSAIC-RNG reads differ"
fi
# Each virtio interrupt with its count on CPU 0 and its name.
grep virtio /proc/interrupts | while read -r number count rest; do echo "MOSAIC-IRQ ${rest##* } $count"; done
