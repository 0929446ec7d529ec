# mosaic.test=checks: facts about the running system, one marker line each,
# for tests/system/linux_boot_test.sh to compare with what it configured.
echo "MOSAIC-CHECK uname $(uname -r)"
echo "MOSAIC-CHECK cpus $(grep -c '^processor' /proc/cpuinfo)"
echo "MOSAIC-CHECK cpu-model $(sed -n 's/^cpu[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
echo "MOSAIC-CHECK memtotal-kb $(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo)"
echo "MOSAIC-CHECK sha256 $(sha256sum /etc/mosaic-known-file | cut -d ' ' -f 1)"
i=0
sum=0
while [ "$i" -lt 1000 ]; do
  sum=$((sum + i * i))
  i=$((i + 1))
done
echo "MOSAIC-CHECK arithmetic $sum"
