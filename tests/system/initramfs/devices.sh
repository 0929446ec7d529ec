# mosaic.test=devices: what the guest sees of its PCI functions and of the
# entropy device; tests/system/devices/ check the marker lines.
for device in /sys/bus/pci/devices/*; do
  [ -e "$device/vendor" ] || continue
  echo "MOSAIC-PCI ${device##*/} $(cat "$device/vendor"):$(cat "$device/device") class $(cat "$device/class") driver $(basename "$(readlink "$device/driver" 2>/dev/null)" 2>/dev/null)"
done
if [ -e /sys/class/misc/hw_random/rng_current ]; then
  echo "MOSAIC-RNG current $(cat /sys/class/misc/hw_random/rng_current)"
  echo "MOSAIC-RNG bytes $(dd if=/dev/hwrng bs=256 count=4 2>/dev/null | wc -c)"
  # Two reads of random data are different (2^-2048 odds of a false failure).
  first=$(dd if=/dev/hwrng bs=256 count=1 2>/dev/null | sha256sum | cut -d' ' -f1)
  second=$(dd if=/dev/hwrng bs=256 count=1 2>/dev/null | sha256sum | cut -d' ' -f1)
  [ "$first" != "$second" ] && echo "MOSAIC-RNG reads differ"
fi
