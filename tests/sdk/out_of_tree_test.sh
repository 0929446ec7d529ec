#!/usr/bin/env bash
# Installs the SDK and the mosaic binary to a scratch prefix, builds the
# example device and virtio-rng (a virtio device on the SDK's PCI transport)
# out of tree with find_package(MosaicSDK), then boots the hello guest with
# both and checks that the example's realize() hook ran, that its
# device-tree node reached the guest's FDT, and that the out-of-tree
# virtio-rng sits on the PCI host bridge.
set -euo pipefail
build_dir=$1 source_dir=$2 hello_elf=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
cmake -S "$source_dir/tests/sdk/example-device" -B "$work/example" -G Ninja \
  -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/example" >/dev/null
cmake -S "$source_dir/plugins/device-virtio-rng" -B "$work/rng" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/rng" >/dev/null

cat >"$work/example.yaml" <<YAML
machine:
  type: pseries
  memory: 256M
  kernel: $hello_elf
  dump-dtb: $work/guest.dtb
accel: interp
devices:
  - type: example-device
    greeting: from out of tree
  - type: virtio-rng
plugin-path: [$work/example, $work/rng]
YAML

status=0
"$work/prefix/bin/mosaic" run "$work/example.yaml" >"$work/stdout" 2>"$work/stderr" || status=$?
fail() { echo "FAIL: $*"; echo "--- stdout"; cat "$work/stdout"; echo "--- stderr"; cat "$work/stderr"; exit 1; }
[[ $status -eq 0 ]] || fail "mosaic exited $status"
grep -q "Hello from a pseries guest" "$work/stdout" || fail "guest output missing"
grep -q "realized: hypercall 0xef00, greeting 'from out of tree'" "$work/stderr" || fail "device hook did not run"
greeting=$(fdtget "$work/guest.dtb" /vdevice/mosaic-example greeting) || fail "node missing from the FDT"
[[ $greeting == "from out of tree" ]] || fail "greeting in FDT is '$greeting'"
grep -q "device: virtio-rng (\"$work/rng/mosaic-virtio-rng.so\")" "$work/stderr" || fail "virtio-rng not loaded from its out-of-tree build"
# virtio 1.2 4.1.2.1: vendor 0x1af4, device 0x1040 + 4 (entropy source).
[[ $(fdtget "$work/guest.dtb" /pci@800000020000000/pci1af4,1044@0 vendor-id) == $((0x1af4)) ]] ||
  fail "the out-of-tree virtio-rng is not on the PCI host bridge"
echo "out-of-tree device plugins: built, loaded, realized, in the device tree (example-device, virtio-rng)"
