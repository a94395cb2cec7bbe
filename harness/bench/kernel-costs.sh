#!/bin/sh
# The real kernel's side of docs/benchmarks.md: compiles and runs harness/bench/fault.c and
# harness/bench/pageout_shape.c on this machine.
#
#   harness/bench/kernel-costs.sh [faults|shape|all]      (default all)
#
# MADV_PAGEOUT needs swap. When none is active and we are root, a temporary 512 MiB swap file is
# made in ${TMPDIR:-/tmp} (dd, mkswap, swapon) for the pageout measurements and removed again
# (swapoff, rm) on exit, also on failure or Ctrl-C; swap is never left on. Not root, or swapon
# failing: the pageout measurements are skipped with a message (exit 0). CC picks the compiler.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
what="${1:-all}"
case "$what" in faults|shape|all) ;; *) echo "usage: $0 [faults|shape|all]" >&2; exit 2 ;; esac
cc="${CC:-cc}"
bin="$(mktemp -d "${TMPDIR:-/tmp}/rmaplab-kbench.XXXXXX")"
swapfile=""
cleanup() {
    if [ -n "$swapfile" ]; then
        swapoff "$swapfile" 2>/dev/null || true
        rm -f "$swapfile"
        echo "kernel-costs: swap file removed" >&2
    fi
    rm -rf "$bin"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
"$cc" -O2 -Wall -o "$bin/fault" "$here/fault.c"
"$cc" -O2 -Wall -o "$bin/pageout_shape" "$here/pageout_shape.c"

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -sr), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
if [ "$what" != shape ]; then
    echo "## fault.c (no swap needed but for the pageout line)"
    "$bin/fault" 16384 9
fi
[ "$what" = faults ] && exit 0

# Swap for MADV_PAGEOUT.
if [ "$(tail -n +2 /proc/swaps | wc -l)" -gt 0 ]; then
    echo "kernel-costs: using the swap already active" >&2
elif [ "$(id -u)" != 0 ]; then
    echo "kernel-costs: SKIPPING the pageout measurements: no swap is active and making a swap file needs root"
    exit 0
else
    swapfile="$(mktemp "${TMPDIR:-/tmp}/rmaplab-swap.XXXXXX")"
    if ! { dd if=/dev/zero of="$swapfile" bs=1M count=512 status=none && chmod 600 "$swapfile" \
            && mkswap "$swapfile" >/dev/null && swapon "$swapfile"; } 2>"$bin/swap.err"; then
        echo "kernel-costs: SKIPPING the pageout measurements: could not enable a swap file: $(tr '\n' ' ' < "$bin/swap.err")"
        exit 0
    fi
    echo "kernel-costs: temporary swap file $swapfile enabled" >&2
fi
echo "## fault.c pageout (with swap)"
"$bin/fault" 16384 9 | grep '^pageout'
echo "## pageout_shape.c"
"$bin/pageout_shape" 256 7 128
