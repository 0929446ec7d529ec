# mosaic.test=net: the guest half of tests/system/devices/network_test.sh.
# DHCP from the VMM's user-mode network, a file fetched from an HTTP server
# on the host (mosaic.http=PORT on the host's loopback, which the slirp
# gateway 10.0.2.2 reaches), and a server in the guest that the host reaches
# through a port forward; the host writes a line to the console when done.
say() { echo "MOSAIC-NET $*"; }
port=$(sed -n 's/.*mosaic\.http=\([0-9]*\).*/\1/p' /proc/cmdline)
ip link set lo up
ip link set eth0 up || { say "no eth0"; exit; }
say "mac $(cat /sys/class/net/eth0/address)"
udhcpc -i eth0 -s /udhcpc.script -q -n -t 10 -T 2 >/dev/null 2>&1 || { say "dhcp failed"; exit; }
say "address $(ip -4 -o addr show eth0 | awk '{print $4}')"
say "gateway $(ip route | awk '/^default/ {print $3}')"
if wget -q -O /tmp/fetched "http://10.0.2.2:$port/payload"; then
  say "fetched $(sha256sum /tmp/fetched | cut -d' ' -f1)"
else
  say "fetch failed"
fi
mkdir -p /www
seq 1 20000 >/www/served
httpd -p 8080 -h /www
say "serving $(sha256sum /www/served | cut -d' ' -f1)"
read -r -t 600 line
say "host said $line"
