# mosaic.test=bench-io: the guest half of scripts/bench-io, the same on
# Mosaic and on QEMU. /dev/vda is a scratch disk of at least 512 MiB (raw:
# no file system); mosaic.upload=PORT is an HTTP server on the host that
# takes a POST. Times come from /proc/uptime (10 ms ticks), over runs of
# seconds.
say() { echo "MOSAIC-BENCH $*"; }
uptime_now() { cut -d' ' -f1 /proc/uptime; }
# report NAME BYTES START END
report() { awk -v n="$1" -v b="$2" -v s="$3" -v e="$4" 'BEGIN {
  t = e - s; if (t <= 0) t = 0.01; printf "MOSAIC-BENCH %s %.1f MB/s (%d bytes in %.2f s)\n", n, b / t / 1e6, b, t }'; }

start=$(uptime_now)
dd if=/dev/zero of=/dev/vda bs=1M count=256 oflag=direct 2>/dev/null
report seq-write $((256 << 20)) "$start" "$(uptime_now)"
# Reads are fast enough that one pass takes about ten ticks: eight passes.
start=$(uptime_now)
for pass in 1 2 3 4 5 6 7 8; do
  dd if=/dev/vda of=/dev/null bs=1M count=256 iflag=direct 2>/dev/null
done
report seq-read $((8 * (256 << 20))) "$start" "$(uptime_now)"
# 4 KiB reads at random places in the first 512 MiB; each is its own dd, so
# this figure includes the guest's process start-up.
reads=400
start=$(uptime_now)
for offset in $(awk -v n=$reads 'BEGIN { srand(7); for (i = 0; i < n; i++) print int(rand() * 131072) }'); do
  dd if=/dev/vda of=/dev/null bs=4k count=1 skip="$offset" iflag=direct 2>/dev/null
done
report random-read-4k $((reads * 4096)) "$start" "$(uptime_now)"

port=$(sed -n 's/.*mosaic\.upload=\([0-9]*\).*/\1/p' /proc/cmdline)
ip link set eth0 up
if udhcpc -i eth0 -s /udhcpc.script -q -n -t 10 -T 2 >/dev/null 2>&1; then
  dd if=/dev/zero of=/tmp/upload bs=1M count=32 2>/dev/null
  start=$(uptime_now)
  if wget -q -O /dev/null --post-file=/tmp/upload "http://10.0.2.2:$port/"; then
    report tcp-upload $((32 << 20)) "$start" "$(uptime_now)"
  else
    say "tcp-upload failed"
  fi
else
  say "tcp-upload no DHCP lease"
fi
