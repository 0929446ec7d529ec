# Sourced by scripts/bench and scripts/bench-boot, which set $work.
#
# One and the same interpreter plugin runs a workload up to 1.5x faster or
# slower by where the kernel places its file's pages (see
# plugins/accel-interp/CMakeLists.txt). Every Mosaic run of a benchmark starts
# from fresh copies of the binary and its plugins, so that the best of N runs
# samples as many placements, as QEMU's runs sample its code cache's.

# fresh_mosaic_copy: $work/copy becomes a fresh installed layout of build/
# (bin/mosaic, lib/mosaic/plugins/).
fresh_mosaic_copy() {
  rm -rf "$work/copy"
  mkdir -p "$work/copy/bin" "$work/copy/lib/mosaic/plugins"
  cp build/mosaic "$work/copy/bin/"
  cp build/plugins/*.so "$work/copy/lib/mosaic/plugins/"
}
