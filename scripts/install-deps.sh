#!/usr/bin/env bash
# Installs the Debian packages Mosaic builds and tests with. Idempotent and
# quiet when everything is present. `apt-get update` may fail on one index
# while a mirror syncs; we carry on and only fail if a needed package then
# cannot be installed.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libboost-dev libboost-filesystem-dev libyaml-cpp-dev libspdlog-dev libfmt-dev
  libfdt-dev libcli11-dev libgtest-dev nlohmann-json3-dev libslirp-dev libzstd-dev
  gcc-powerpc64le-linux-gnu gcc-powerpc64-linux-gnu binutils-powerpc64le-linux-gnu
  device-tree-compiler python3
)
# The interpreter compiles hot code with Xbyak, which exists for x86-64 only.
if [[ $(dpkg --print-architecture) == amd64 ]]; then packages+=(libxbyak-dev); fi
# Extra groups, selected by name on the command line: `install-deps.sh qemu`.
declare -A extra_groups=(
  [qemu]="qemu-system-ppc"
  [gdb]="gdb-multiarch"
  [fuzz]="clang libclang-rt-14-dev"
  [guest]="cpio gzip kmod e2fsprogs"
  [cross]="g++-powerpc64le-linux-gnu qemu-user"
  [profile]="valgrind linux-perf"
)
for group in "$@"; do
  [[ -n "${extra_groups[$group]:-}" ]] || { echo "install-deps: unknown group '$group' (known: ${!extra_groups[*]})" >&2; exit 2; }
  read -r -a more <<<"${extra_groups[$group]}"
  packages+=("${more[@]}")
done

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo_cmd=()
[[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
echo "install-deps: installing ${missing[*]}" >&2
if ! "${sudo_cmd[@]}" apt-get update -qq >/dev/null 2>&1; then
  echo "install-deps: warning: apt-get update reported errors; trying to install anyway" >&2
fi
if ! DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/install-deps.log 2>&1; then
  echo "install-deps: error: apt-get could not install: ${missing[*]} (log: /tmp/install-deps.log)" >&2
  tail -n 20 /tmp/install-deps.log >&2
  exit 1
fi
