#!/usr/bin/env bash
# Boots Debian's kernel on the interpreter and loads crc32c-vpmsum and
# vmx-crypto (POWER8 CRC32C, AES and GHASH): the kernel's self-tests of
# their algorithms must pass and report no failure.
#   linux_crypto_test.sh MOSAIC SOURCE_DIR
set -euo pipefail
mosaic=$1 source_dir=$2
cache=$("$source_dir/scripts/fetch-guest")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/linux.yaml" <<YAML
machine:
  type: pseries
  memory: 512M
  cpus: 1
  kernel: $cache/vmlinux
  initrd: $cache/initramfs.cpio.gz
  cmdline: "console=hvc0 quiet mosaic.test=crypto"
accel: interp
YAML

fail() {
  echo "FAIL: $*"
  echo "--- guest console"
  cat "$work/stdout"
  echo "--- mosaic log"
  tail -n 30 "$work/stderr"
  exit 1
}

status=0
timeout 600 "$mosaic" run "$work/linux.yaml" </dev/null >"$work/stdout" 2>"$work/stderr" || status=$?
tr -d '\r' <"$work/stdout" >"$work/clean" && mv "$work/clean" "$work/stdout"
[[ $status -eq 0 ]] || fail "mosaic exited $status"
grep -qx "MOSAIC-INIT: powering off" "$work/stdout" || fail "the test script did not finish"
for module in $(cat "$cache/crypto-modules/load-order"); do
  grep -qx "MOSAIC-CRYPTO insmod $module ok" "$work/stdout" || fail "insmod $module did not succeed"
done
# The drivers on the vector crypto instructions (arch/powerpc/crypto,
# drivers/crypto/vmx).
for driver in crc32c-vpmsum p8_aes p8_aes_cbc p8_aes_ctr p8_aes_xts p8_ghash; do
  grep -qx "MOSAIC-CRYPTO selftest $driver passed" "$work/stdout" || fail "no passed self-test of $driver"
done
if grep -iE "^MOSAIC-CRYPTO (selftest .* (failed|unknown)|dmesg .*(fail|error))" "$work/stdout"; then
  fail "a crypto self-test or driver reported a failure"
fi
echo "linux_crypto_test: crc32c-vpmsum and vmx-crypto self-tests passed"
