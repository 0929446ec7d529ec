#!/usr/bin/env bash
# Smoke-runs the ppc64le tree staged by scripts/build-ppc64le on this machine, under
# qemu-ppc64le user mode rooted in the stage (-L), so that only the staged libraries
# can be loaded: the version, the plugins found where the installed mosaic looks,
# the hello guest on the interpreter, and the staged unit tests. It proves the stage
# is complete before it is copied to a POWER host, where the kvm accelerator runs.
#
# Usage: ppc64le_stage_test.sh SOURCE_DIR HELLO_ELF [STAGE_DIR]
set -uo pipefail
source_dir=$1 hello_elf=$2
stage=${3:-$source_dir/build-ppc64le/stage}
[[ -x $stage/usr/bin/mosaic ]] || { echo "no staged mosaic in $stage: run scripts/build-ppc64le"; exit 1; }
command -v qemu-ppc64le >/dev/null || { echo "no qemu-ppc64le: run scripts/install-deps.sh cross"; exit 1; }
[[ -n $hello_elf && -f $hello_elf ]] || { echo "no hello guest (MOSAIC_BUILD_GUESTS=OFF?)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unset MOSAIC_PLUGIN_PATH
plugin_dir=/usr/lib/powerpc64le-linux-gnu/mosaic/plugins

source "$(dirname "$0")/expectations.sh"
# on_stage PROGRAM ARGS...: runs a staged program (a path inside the stage) under
# qemu-ppc64le with stdin closed, capturing both streams.
on_stage() {
  local program=$1
  shift
  status=0
  timeout 120 qemu-ppc64le -L "$stage" "$stage$program" "$@" </dev/null >"$work/stdout" 2>"$work/stderr" || status=$?
}
expect_status() { [[ $status -eq $1 ]] || fail "exit status $status, expected $1"; }
expect_stdout() { grep -qF -- "$1" "$work/stdout" || fail "stdout lacks '$1'"; }

check "mosaic --version"
on_stage /usr/bin/mosaic --version
expect_status 0
expect_stdout "mosaic "

check "mosaic plugins"
on_stage /usr/bin/mosaic plugins
expect_status 0
for plugin in interp kvm pseries gdb; do
  grep -qE "^  $plugin .*$plugin_dir/mosaic-$plugin.so" "$work/stdout" || fail "plugin $plugin not found in $plugin_dir"
done
sed -n '/^rejected:/,$p' "$work/stdout" | grep -qF "$plugin_dir" && fail "a staged plugin was rejected"

check "run hello.yaml --accel interp"
on_stage /usr/bin/mosaic run "$source_dir/configs/hello.yaml" --accel interp --set "machine.kernel=$hello_elf"
expect_status 0
[[ $(cat "$work/stdout") == "Hello from a pseries guest" ]] || fail "stdout is not exactly the guest's line"
grep -qF "[core] [info] guest powered off" "$work/stderr" || fail "no power-off logged"

# The unit tests run in full; the fuzz drivers briefly; the rest (the KVM-HV tests,
# which need a POWER host's /dev/kvm) only list their tests, which proves they load.
for test_binary in "$stage"/usr/libexec/mosaic-tests/*; do
  name=$(basename "$test_binary")
  check "$name"
  case $name in
    # QEMU 7.2's user mode never lets a 16-byte compare-and-swap (lqarx/stqcx.) succeed,
    # so the host code of the guest's stqcx. spins: those tests run on a POWER host only.
    interp_unit_tests) arguments=(--gtest_brief=1 '--gtest_filter=-*StoreQuadwordConditional*') ;;
    *_unit_tests) arguments=(--gtest_brief=1) ;;
    *_fuzzer) arguments=(2000) ;;
    *) arguments=(--gtest_list_tests) ;;
  esac
  on_stage "/usr/libexec/mosaic-tests/$name" "${arguments[@]}"
  expect_status 0
  echo "$name ${arguments[*]}: status $status $(grep -hE '^\[  (PASSED|SKIPPED) +\]' "$work/stdout" | tr '\n' ' ')"
done
[[ -x $stage/usr/libexec/mosaic-tests/kvm_unit_tests ]] || { check "kvm_unit_tests"; fail "not staged"; }

finish
