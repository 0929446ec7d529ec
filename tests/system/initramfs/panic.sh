# mosaic.test=panic: crash the kernel on purpose; the VMM must end the run
# with status 1 and the panic message.
echo "MOSAIC-CHECK about to panic"
echo c >/proc/sysrq-trigger
