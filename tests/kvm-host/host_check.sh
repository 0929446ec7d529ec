# Inside the emulated POWER9 host (scripts/kvm-host run): did loading
# kvm.ko and kvm-hv.ko give a /dev/kvm, and what did KVM log.
set -u
echo "--- lsmod"
lsmod
echo "--- dmesg | grep -i kvm"
dmesg | grep -i kvm
echo "--- host MMU: $(sed -n 's/^MMU[[:space:]]*: //p' /proc/cpuinfo)"
if [ -c /dev/kvm ]; then
  echo "PASS: /dev/kvm is there"
else
  echo "FAIL: no /dev/kvm after loading the modules"
  exit 1
fi
