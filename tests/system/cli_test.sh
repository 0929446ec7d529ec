#!/usr/bin/env bash
# Drives build/mosaic as a user would: the subcommands, exit statuses,
# where output goes, error messages, the plugin search order, accelerator
# fallback, and plugins that fail in their factories (with the test plugins
# from tests/unit/core/broken_plugins/). Every check runs; the failures are
# listed at the end. Each mosaic run has a timeout so that a hang fails.
#
# Usage: cli_test.sh BUILD_DIR SOURCE_DIR TEST_PLUGIN_DIR [HELLO_ELF]
# Without HELLO_ELF (guests not built) the checks that boot or check a
# config are skipped.
set -uo pipefail
build_dir=$1 source_dir=$2 test_plugins=$3 hello_elf=${4:-}
mosaic=$build_dir/mosaic
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The environment ctest runs in must not change the search path.
unset MOSAIC_PLUGIN_PATH

source "$(dirname "$0")/expectations.sh"

# mosaic ARGS...: runs mosaic with stdin closed, capturing both streams.
mosaic() {
  status=0
  timeout 60 "$mosaic" "$@" </dev/null >"$work/stdout" 2>"$work/stderr" || status=$?
}
expect_status() {
  [[ $status -eq $1 ]] || fail "exit status $status, expected $1"
}
expect_stdout() { grep -qF -- "$1" "$work/stdout" || fail "stdout lacks '$1'"; }
expect_stderr() { grep -qF -- "$1" "$work/stderr" || fail "stderr lacks '$1'"; }
expect_stdout_line() { grep -qE -- "$1" "$work/stdout" || fail "no stdout line matches /$1/"; }

# --- Usage -------------------------------------------------------------------

check "--help"
mosaic --help
expect_status 0
for command in run check plugins; do expect_stdout "$command"; done

check "--version"
mosaic --version
expect_status 0
expect_stdout_line '^mosaic [0-9]+\.[0-9]+\.[0-9]+ \(SDK ABI [0-9]+\)$'

check "no subcommand"
mosaic
expect_status 2

check "unknown option"
mosaic run --no-such-option "$source_dir/configs/hello.yaml"
expect_status 2

check "missing config file"
mosaic check "$work/absent.yaml"
expect_status 2

# --- mosaic plugins ----------------------------------------------------------

check "plugins lists the built plugins"
mosaic plugins
expect_status 0
for entry in "interp accelerator" "kvm accelerator" "pseries machine" "gdb debugger"; do
  read -r name kind <<<"$entry"
  line=$(grep -E "^  $name +$kind +version [^ ]+ +ABI [0-9]+ " "$work/stdout") || { fail "no line for $name ($kind)"; continue; }
  [[ $line == *"$build_dir/plugins/mosaic-$name.so"* ]] || fail "$name's line does not name its path: $line"
done

# A text file named like a plugin, next to the broken plugins.
mkdir -p "$work/garbage"
echo "This text file is named like a plugin but is not a shared library at all." >"$work/garbage/mosaic-garbage.so"

check "plugins --plugin-path with broken plugins"
mosaic plugins --plugin-path "$test_plugins" --plugin-path "$work/garbage"
expect_status 0
for name in plain-device throwing-factory refusing-factory; do expect_stdout_line "^  $name +device +version "; done
rejected=$(sed -n '/^rejected:/,$p' "$work/stdout")
expect_rejected() {
  grep -F -- "$1" <<<"$rejected" | grep -qF -- "$2" || fail "'$1' is not rejected with '$2'"
}
expect_rejected "$test_plugins/mosaic-no-descriptor.so" "not a Mosaic plugin"
expect_rejected "$test_plugins/mosaic-future-abi.so" "built for SDK ABI version"
expect_rejected "$work/garbage/mosaic-garbage.so" "invalid ELF header"

# Same-named plugins in the config's path, MOSAIC_PLUGIN_PATH and the build
# tree: the first one found wins, and the others are reported as shadowed.
mkdir -p "$work/from-option" "$work/from-env"
cp "$build_dir/plugins/mosaic-kvm.so" "$work/from-option/"
cp "$build_dir/plugins/mosaic-kvm.so" "$work/from-env/"

check "MOSAIC_PLUGIN_PATH comes before the build tree"
MOSAIC_PLUGIN_PATH=$work/from-env mosaic plugins
expect_status 0
expect_stdout_line "^  kvm .*\"?$work/from-env/mosaic-kvm.so\"?\$"
expect_stdout "$build_dir/plugins/mosaic-kvm.so\": shadowed by an earlier plugin named 'kvm'"

check "--plugin-path comes before MOSAIC_PLUGIN_PATH"
MOSAIC_PLUGIN_PATH=$work/from-env mosaic plugins --plugin-path "$work/from-option"
expect_status 0
expect_stdout_line "^  kvm .*\"?$work/from-option/mosaic-kvm.so\"?\$"
expect_stdout "$work/from-env/mosaic-kvm.so\": shadowed by an earlier plugin named 'kvm'"

if [[ -z $hello_elf ]]; then
  echo "guests not built: skipping the checks that boot or check a config"
  finish
  exit 0
fi

# --- mosaic check: every shipped config --------------------------------------

for config in "$source_dir"/configs/*.yaml; do
  check "check $(basename "$config")"
  mosaic check "$config"
  expect_status 0
  expect_stdout_line '^machine:$'
  expect_stdout_line '^  kernel: /'  # resolved to an absolute path
  expect_stdout_line '^accel: '
done

# --- mosaic run --------------------------------------------------------------

hello=$source_dir/configs/hello.yaml

check "run hello.yaml"
mosaic run "$hello"
expect_status 0
[[ $(cat "$work/stdout") == "Hello from a pseries guest" ]] || fail "stdout is not exactly the guest's line"
expect_stderr "[core] [info] guest powered off"

# This host has no usable KVM-HV (and the kvm plugin cannot run vCPUs yet),
# so the [kvm, interp] list in hello.yaml falls back to interp.
check "accelerator fallback"
mosaic run "$hello"
expect_status 0
grep -qE '\[core\] \[info\] accelerator kvm refused: .+' "$work/stderr" || fail "kvm's refusal and reason not logged"
expect_stderr "[core] [info] accelerator: interp"
expect_stdout "Hello from a pseries guest"

check "--accel kvm alone"
mosaic run "$hello" --accel kvm
expect_status 2
expect_stderr "no accelerator can run on this host (kvm: "

check "--accel interp"
mosaic run "$hello" --accel interp
expect_status 0
expect_stdout "Hello from a pseries guest"
grep -q "accelerator kvm refused" "$work/stderr" && fail "kvm was tried although --accel replaced the list"

check "--set machine.memory=512M"
mosaic run "$hello" --set machine.memory=512M
expect_status 0
expect_stderr "memory: 512 MiB"
expect_stdout "Hello from a pseries guest"

check "--set with a misspelt key"
mosaic run "$hello" --set machine.memroy=1G
expect_status 2
expect_stderr "--set machine.memroy=1G: 'machine.memroy': unknown key; did you mean 'memory'?"

check "--set machine.rtc.base with no such date"
mosaic run "$hello" --set machine.rtc.base=2006-02-30T00:00:00
expect_status 2
expect_stderr "--set machine.rtc.base=2006-02-30T00:00:00: 'machine.rtc.base': '2006-02-30T00:00:00' is not utc"

check "--log-level off keeps stderr quiet"
mosaic run "$hello" --log-level off
expect_status 0
[[ ! -s $work/stderr ]] || fail "stderr is not empty"

# --- Errors ------------------------------------------------------------------

cat >"$work/bad-size.yaml" <<YAML
machine:
  type: pseries
  memory: 12Q
  kernel: $hello_elf
accel: interp
YAML
check "config error"
mosaic run "$work/bad-size.yaml"
expect_status 2
expect_stderr "$work/bad-size.yaml:3:11: 'machine.memory': expected a size such as 512M or 1G, got '12Q'"
[[ ! -s $work/stdout ]] || fail "an error wrote to stdout"

# Devices whose factories fail: exit 2 with the plugin named, not a crash
# (134 would be an escaped exception, 139 a use of an unloaded library).
for plugin in throwing-factory refusing-factory; do
  cat >"$work/$plugin.yaml" <<YAML
machine:
  type: pseries
  memory: 256M
  kernel: $hello_elf
accel: interp
devices:
  - type: $plugin
plugin-path: $test_plugins
YAML
  for command in check run; do
    check "$command with $plugin"
    mosaic "$command" "$work/$plugin.yaml"
    expect_status 2
  done
done
check "throwing-factory message"
mosaic run "$work/throwing-factory.yaml"
expect_stderr "plugin 'throwing-factory' failed to start: the test factory always throws"
check "refusing-factory message"
mosaic run "$work/refusing-factory.yaml"
expect_stderr "plugin refused: the test device refuses every host"

check "a device plugin used as an accelerator"
mosaic check "$hello" --set "plugin-path=$test_plugins" --accel plain-device
expect_status 2
expect_stderr "plugin 'plain-device' is a device plugin, but it is used as the accelerator"

check "a working test device"
mosaic run "$work/throwing-factory.yaml" --set devices[0].type=plain-device
expect_status 0
expect_stdout "Hello from a pseries guest"

finish
