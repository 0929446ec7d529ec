# mosaic.test=crypto: loads the POWER8 crypto modules that fetch-guest put
# in /lib/crypto-modules (dependencies and generic fallbacks first). Their
# registration runs the kernel's crypto self-tests, on the vector crypto
# instructions (vcipher, vpmsumd, ...); tests/system/linux_crypto_test.sh
# checks the marker lines.
for module in $(cat /lib/crypto-modules/load-order); do
  if insmod "/lib/crypto-modules/$module"; then
    echo "MOSAIC-CRYPTO insmod $module ok"
  else
    echo "MOSAIC-CRYPTO insmod $module failed"
  fi
done
# driver name and self-test result of every algorithm
awk '/^driver/ {driver = $3} /^selftest/ {print "MOSAIC-CRYPTO selftest", driver, $3}' /proc/crypto
dmesg | grep -iE "alg:|vpmsum|p8_|vmx" | sed 's/^/MOSAIC-CRYPTO dmesg /'
