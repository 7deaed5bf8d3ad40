#!/usr/bin/env bash
# Runs the coverage-guided fuzz targets in Fuzz/ under libFuzzer, with
# AddressSanitizer, for a bounded time each, and fails if any finds a crash,
# a hang (10 s on one input) or an input that makes memory grow past 2 GiB.
#
#   scripts/fuzz.sh                 every target, 60 s each
#   scripts/fuzz.sh 600 renderer    one target, ten minutes
#   scripts/fuzz.sh 20              what CI runs
#
# Each target's corpus starts from the checked-in one (Fuzz/Corpus/TARGET:
# seeds and inputs that added coverage) and grows in .build-fuzz/corpus/TARGET,
# kept between runs. A crashing input
# is written to .build-fuzz/artifacts/TARGET/; replay it with
# `swift run zeromq-fuzz TARGET FILE`, and check it into Fuzz/Corpus/TARGET
# once fixed, so `swift test` replays it from then on.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
if [ $# -gt 0 ]; then targets=("$@"); else mapfile -t targets < <(ls Fuzz/Corpus); fi

# SwiftPM's --sanitize=fuzzer leaves main to libFuzzer; the sanitizers go to
# swiftc as one list, since of two -sanitize= flags only the last counts.
build=(swift build --product zeromq-fuzz --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING
    --scratch-path .build-fuzz)
"${build[@]}" >&2
binary="$("${build[@]}" --show-bin-path)/zeromq-fuzz"

failed=()
for target in "${targets[@]}"; do
    [ -d "Fuzz/Corpus/$target" ] || { echo "fuzz: no target '$target' (Fuzz/Corpus has: $(ls Fuzz/Corpus | tr '\n' ' '))" >&2; exit 2; }
    corpus=".build-fuzz/corpus/$target"
    artifacts=".build-fuzz/artifacts/$target"
    log=".build-fuzz/logs/$target.log"
    mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
    # Swift's own crash backtracer would hold a crashing run for minutes; libFuzzer reports the crash.
    # Leak detection is off: the Swift runtime keeps metadata caches for the life of the process.
    status=0
    ZEROMQ_FUZZ_TARGET="$target" SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 \
        timeout -s KILL $((seconds + 120)) "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -detect_leaks=0 -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" "Fuzz/Corpus/$target" \
        >"$log" 2>&1 || status=$?
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    coverage=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -n 1 || true)
    if [ "$status" -ne 0 ]; then
        failed+=("$target")
        echo "fuzz: $target FAILED (exit $status) after $runs runs; log: $log" >&2
        grep -E 'ERROR|Fatal error|SUMMARY|Test unit written' "$log" | head -n 8 >&2 || true
    else
        echo "fuzz: $target: $runs runs in ${seconds}s, ${coverage:-no coverage line}, corpus $(ls "$corpus" | wc -l) inputs"
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: ${#failed[@]} of ${#targets[@]} targets failed: ${failed[*]}" >&2
    exit 1
fi
echo "fuzz: ${#targets[@]} targets ran ${seconds}s each, no crash"
