#!/usr/bin/env bash
# What the guest sees of its PCI functions (sysfs: busybox has no lspci) and
# the virtio entropy device as the kernel's hw_random source, interrupting
# through MSI-X and, with MSI turned off in the guest (pci=nomsi), INTx.
#   pci_devices_test.sh MOSAIC SOURCE_DIR
set -euo pipefail
source "$(dirname "$0")/common.sh" "$1" "$2"

# boot_and_read_entropy EXTRA_CMDLINE: boots, checks the function and the
# entropy, and leaves the function's line in $pci_line.
boot_and_read_entropy() {
  write_config "mosaic.test=devices $1" "  - {type: virtio-rng}"
  local status=0
  timeout 900 "$mosaic" run "$work/linux.yaml" </dev/null >"$work/stdout" 2>"$work/stderr" || status=$?
  [[ $status -eq 0 ]] || fail "mosaic exited $status"
  # virtio 1.2 section 4.1.2.1: vendor 0x1af4, device 0x1040 + the device type
  # (4 for an entropy source); PCI class 0xff0000 (unclassified) as QEMU gives.
  pci_line=$(tr -d '\r' <"$work/stdout" | grep '^MOSAIC-PCI ' | grep ' 0x1af4:0x1044 ') || fail "no virtio-rng function in sysfs"
  [[ $pci_line == *"driver virtio-pci"* ]] || fail "virtio-pci did not bind the function: $pci_line"
  [[ $(console_line "MOSAIC-RNG current") == virtio_rng* ]] || fail "hw_random does not use virtio_rng"
  [[ $(console_line "MOSAIC-RNG bytes") == 1024 ]] || fail "/dev/hwrng did not return 1024 bytes"
  tr -d '\r' <"$work/stdout" | grep -qx "MOSAIC-RNG reads differ" || fail "two reads of /dev/hwrng were equal"
}

# MSI-X through RTAS ibm,change-msi: one vector for configuration changes
# and one for the request queue, and the entropy came through the latter.
boot_and_read_entropy ""
[[ $pci_line == *"msi_irqs 2" ]] || fail "virtio-rng does not use two MSI-X vectors: $pci_line"
requests=$(console_line "MOSAIC-IRQ virtio0-input")
[[ -n $requests && $requests -gt 0 ]] || fail "no interrupt on virtio-rng's request vector (count '$requests')"

# INTx: one shared line named after the device.
boot_and_read_entropy "pci=nomsi"
[[ $pci_line == *"msi_irqs 0" ]] || fail "virtio-rng uses MSI-X despite pci=nomsi: $pci_line"
intx=$(console_line "MOSAIC-IRQ virtio0")
[[ -n $intx && $intx -gt 0 ]] || fail "no interrupt on virtio-rng's INTx line (count '$intx')"
echo "pci_devices_test: the guest lists the virtio-rng function and reads entropy from it through MSI-X" \
  "($requests interrupts) and through INTx ($intx)"
