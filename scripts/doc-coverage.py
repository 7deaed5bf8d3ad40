#!/usr/bin/env python3
"""Counts the public symbols declared in Sources/ that have a doc comment, per
library, from the symbol graphs scripts/docs.sh extracted; lists those without
and exits 1 when there are any. Symbols the compiler synthesizes or a protocol
extension provides (hash(into:), OptionSet's insert, literal initializers)
have no source location here and are not counted.

    python3 scripts/doc-coverage.py [SYMBOL_GRAPH_DIR]   (default .build/docs-symbol-graphs)
"""
import glob
import json
import sys

root = sys.argv[1] if len(sys.argv) > 1 else ".build/docs-symbol-graphs"
undocumented = 0
for module in ["ZeroMQ", "ZeroMQChannels"]:
    total, documented, missing = 0, 0, []
    for path in glob.glob(f"{root}/{module}/*.symbols.json"):
        with open(path) as file:
            graph = json.load(file)
        for symbol in graph["symbols"]:
            if symbol.get("accessLevel") not in ("public", "open"):
                continue
            location = symbol.get("location", {}).get("uri", "")
            if "/Sources/" not in location:
                continue
            total += 1
            comment = symbol.get("docComment") or {}
            if any(line.get("text", "").strip() for line in comment.get("lines", [])):
                documented += 1
            else:
                missing.append(f"{'.'.join(symbol['pathComponents'])} ({location.split('/Sources/')[1]})")
    if total == 0:
        sys.exit(f"doc coverage: no symbols of {module} under {root}; run scripts/docs.sh first")
    print(f"doc coverage: {module}: {documented} of {total} public symbols declared in Sources/ documented")
    for name in missing:
        print(f"  undocumented: {name}")
    undocumented += len(missing)
sys.exit(1 if undocumented else 0)
