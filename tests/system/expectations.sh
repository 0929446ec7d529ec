# Sourced by the system test scripts: named groups of expectations that all
# run, failures counted, and the output of the failing command shown. The
# script sets $work, where each command leaves its stdout and stderr.
failures=0
current=""
status=0

# check NAME: starts a group of expectations about one command.
check() { current=$1; }
fail() {
  echo "FAIL [$current]: $*"
  echo "--- stdout"; tail -n 60 "$work/stdout"; echo "--- stderr"; tail -n 60 "$work/stderr"; echo "---"
  failures=$((failures + 1))
}
# Ends the script: status 1 if any expectation failed.
finish() {
  ((failures == 0)) || { echo "$failures check(s) failed"; exit 1; }
  echo "all checks passed"
}
