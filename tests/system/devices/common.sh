# Shared by the device system tests: a work directory, a Linux config with
# the given devices, and a failure report with the console and the log.
#   source common.sh MOSAIC SOURCE_DIR
mosaic=$1 source_dir=$2
cache=$("$source_dir/scripts/fetch-guest")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PATH=$PATH:/usr/sbin:/sbin

# write_config TEST_CMDLINE DEVICES_YAML: $work/linux.yaml
write_config() {
  cat >"$work/linux.yaml" <<YAML
machine:
  type: pseries
  memory: 512M
  cpus: 1
  kernel: $cache/vmlinux
  initrd: $cache/initramfs.cpio.gz
  cmdline: "console=hvc0 quiet $1"
accel: interp
devices:
$2
YAML
}

fail() {
  echo "FAIL: $*"
  echo "--- guest console"
  tr -d '\r' <"$work/stdout" 2>/dev/null
  echo "--- mosaic log"
  tail -n 40 "$work/stderr" 2>/dev/null
  echo "--- config"
  cat "$work/linux.yaml"
  exit 1
}

# console_line PREFIX: the rest of the guest's console line that starts
# with PREFIX (the first one).
console_line() {
  tr -d '\r' <"$work/stdout" | sed -n "s/^$1 //p" | head -n 1
}

sha256() { sha256sum | cut -d' ' -f1; }
