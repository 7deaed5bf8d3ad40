#!/bin/bash
# Builds the DocC documentation of both libraries, ZeroMQ and ZeroMQChannels
# (their catalogs and every public symbol's doc comment), with the toolchain's
# own docc, and fails on any warning (a broken symbol link, a missing article,
# a malformed comment) or on a public symbol without a doc comment
# (scripts/doc-coverage.py).
#   ./scripts/docs.sh [OUTPUT_DIR]      (default .build/docs: OUTPUT_DIR/ZeroMQ and
#                                        OUTPUT_DIR/ZeroMQChannels, for static hosting)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-.build/docs}
# The public symbols of every module, as swift-symbolgraph-extract reads them
# from the build (SwiftPM builds what it has to first).
written=$(swift package dump-symbol-graph --minimum-access-level public | sed -n 's/^Files written to //p')
[ -d "$written" ] || { echo "docs: no symbol graphs (swift package dump-symbol-graph printed no folder)" >&2; exit 1; }
docc=$(command -v docc || echo "$(dirname "$(readlink -f "$(command -v swift)")")/docc")
for module in ZeroMQ ZeroMQChannels; do
    graphs=.build/docs-symbol-graphs/$module
    mkdir -p "$out"
    rm -rf "$graphs" && mkdir -p "$graphs"
    cp "$written/$module.symbols.json" "$graphs/"
    # Extensions of other modules' types (ZeroMQ@Swift…), if any.
    find "$written" -maxdepth 1 -name "$module@*.symbols.json" -exec cp {} "$graphs/" \;
    "$docc" convert "Sources/$module/$module.docc" --additional-symbol-graph-dir "$graphs" \
        --fallback-display-name "$module" --fallback-bundle-identifier "org.swift-zeromq.$module" \
        --transform-for-static-hosting --hosting-base-path "$module" \
        --output-path "$out/$module" --warnings-as-errors
done
echo "docs: $out/ZeroMQ, $out/ZeroMQChannels"
# Every public symbol declared in Sources/ has a doc comment.
python3 scripts/doc-coverage.py .build/docs-symbol-graphs
