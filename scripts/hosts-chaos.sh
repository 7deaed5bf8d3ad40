#!/usr/bin/env bash
# The delivery system across hosts, with hosts cut off mid-run.
#
# Four network namespaces joined by a bridge stand for four hosts, each with
# an address of its own:
#   10.77.0.1  bus and event store       10.77.0.3  couriers 1 and 2
#   10.77.0.2  order service, dispatcher 10.77.0.4  tracking, notifier, and the
#                                                   client placing orders (zmq req)
# While orders come in, the store's host is cut off (`ip link set … down`) for
# a few seconds and brought back, then the couriers' host. At the end every
# order in the store must be delivered exactly once, every customer notified
# exactly once, every order the client was told was accepted must be in the
# store, and the tracking read model must agree with the store.
#
# Run as root (it creates namespaces, a bridge and veth pairs, and removes them
# on exit): sudo ./scripts/hosts-chaos.sh [ORDERS]
set -euo pipefail

orders=${1:-60}
cut_seconds=4
[ "$(id -u)" -eq 0 ] || { echo "hosts-chaos: run as root (it creates network namespaces)" >&2; exit 2; }
command -v ip >/dev/null || { echo "hosts-chaos: needs ip (Debian package iproute2)" >&2; exit 2; }

cd "$(dirname "$0")/.."
swift build --product delivery >/dev/null
swift build --product zmq >/dev/null
bin=$(swift build --show-bin-path)
work=$(mktemp -d /tmp/hosts-chaos.XXXXXX)
prefix=zqc$$
bridge=${prefix}br

cleanup() {
    for n in 1 2 3 4; do
        for pid in $(ip netns pids "${prefix}h$n" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
        ip netns del "${prefix}h$n" 2>/dev/null || true
    done
    ip link del "$bridge" 2>/dev/null || true
    if [ "${keep:-0}" = 0 ]; then rm -rf "$work"; fi
}
trap cleanup EXIT

ip link add "$bridge" type bridge
ip link set "$bridge" up
for n in 1 2 3 4; do
    ip netns add "${prefix}h$n"
    ip link add "${prefix}v$n" type veth peer name eth0 netns "${prefix}h$n"
    ip link set "${prefix}v$n" master "$bridge" up
    ip -n "${prefix}h$n" addr add "10.77.0.$n/24" dev eth0
    ip -n "${prefix}h$n" link set eth0 up
    ip -n "${prefix}h$n" link set lo up
    mkdir -p "$work/h$n"
done

wiring=(--bus tcp://10.77.0.1:5550 --store tcp://10.77.0.1:5560 --order-service tcp://10.77.0.2:5570
    --dispatcher tcp://10.77.0.2:5580 --tracking tcp://10.77.0.4:5590 --exposed)
pids=()
# on HOST NAME ARGS…: starts `delivery ARGS` on HOST, in its directory, logging to NAME.log.
on() {
    local host=$1 name=$2
    shift 2
    (cd "$work/h$host" && exec ip netns exec "${prefix}h$host" "$bin/delivery" "$@" "${wiring[@]}" \
        >"$work/$name.out" 2>"$work/$name.log") &
    pids+=($!)
}
# ask HOST ENDPOINT REQUEST: one request with the zmq tool, from HOST; prints the reply.
ask() { ip netns exec "${prefix}h$1" "$bin/zmq" req "$2" "$3" --timeout 5s; }

on 1 bus bus
on 1 store store --db "$work/h1/events.sqlite"
sleep 1
on 2 orders orders
on 2 dispatcher dispatcher --accept-ms 1000 --complete-ms 3000
on 3 courier-1 courier --id 1 --pace-ms 40
on 3 courier-2 courier --id 2 --pace-ms 40
on 4 tracking tracking
on 4 notifier notifier --db "$work/h4/notifications.sqlite"
sleep 2

# cut HOST: takes the host off the network for a while, then back.
cut() {
    echo "hosts-chaos: cutting off 10.77.0.$1 for ${cut_seconds}s"
    ip link set "${prefix}v$1" down
    sleep "$cut_seconds"
    ip link set "${prefix}v$1" up
    echo "hosts-chaos: 10.77.0.$1 is back"
}

accepted=()
refused=0
for i in $(seq 1 "$orders"); do
    if [ "$i" -eq $((orders / 3)) ]; then cut 1 & fi
    if [ "$i" -eq $((2 * orders / 3)) ]; then cut 3 & fi
    command="{\"customer\":\"customer $i\",\"pickup\":\"Shop $((i % 7))\",\"dropoff\":\"$i Mill Lane\",\"items\":[\"dish $i\"],\"totalCents\":$((1000 + i))}"
    if reply=$(ask 4 tcp://10.77.0.2:5570 "$command" 2>>"$work/client.log") \
        && id=$(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(r["orderID"] if r["accepted"] else "")' "$reply") \
        && [ -n "$id" ]; then
        accepted+=("$id")
    else
        refused=$((refused + 1))
    fi
    sleep 0.1
done
wait_for_cuts() { while jobs -r | grep -q cut; do sleep 0.2; done; }
wait_for_cuts

# Settled: tracking has every order delivered and has caught up with the store.
number() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])["number"]["value"])' "$1"; }
deadline=$((SECONDS + 120))
settled=0
while [ $SECONDS -lt $deadline ]; do
    last=$(number "$(ask 4 tcp://10.77.0.1:5560 '{"lastOrderID":{}}' 2>/dev/null)" 2>/dev/null || echo -1)
    head=$(number "$(ask 4 tcp://10.77.0.1:5560 '{"head":{}}' 2>/dev/null)" 2>/dev/null || echo -1)
    summary=$(ask 4 tcp://10.77.0.4:5590 '{"summary":{}}' 2>/dev/null || echo '{}')
    if python3 - "$summary" "$last" "$head" <<'EOF'
import json, sys
summary, last, head = json.loads(sys.argv[1]).get("summary"), int(sys.argv[2]), int(sys.argv[3])
ok = summary and last > 0 and summary["orders"] == last and summary["delivered"] == last and summary["checkpoint"] == head
sys.exit(0 if ok else 1)
EOF
    then
        settled=1
        break
    fi
    sleep 0.5
done

for pid in "${pids[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done

if [ "$settled" != 1 ]; then
    keep=1
    echo "hosts-chaos: FAILED: not settled within 120 s (last order $last, head $head, tracking $summary); logs in $work" >&2
    exit 1
fi

python3 - "$work/h1/events.sqlite" "$work/h4/notifications.sqlite" "$refused" "${accepted[@]}" <<'EOF'
import sqlite3, sys
events, notifications, refused, accepted = sys.argv[1], sys.argv[2], int(sys.argv[3]), [int(a) for a in sys.argv[4:]]
store = sqlite3.connect(events)
placed = [r[0] for r in store.execute("SELECT order_id FROM events WHERE kind = 'order.placed' ORDER BY order_id")]
delivered = dict(store.execute("SELECT order_id, COUNT(*) FROM events WHERE kind = 'order.delivered' GROUP BY order_id"))
notified = [r[0] for r in sqlite3.connect(notifications).execute("SELECT order_id FROM notifications ORDER BY order_id")]
problems = []
if placed != list(range(1, len(placed) + 1)): problems.append(f"order ids not 1…{len(placed)}")
missing = sorted(set(accepted) - set(placed))
if missing: problems.append(f"accepted but not in the store: {missing}")
wrong = [o for o in placed if delivered.get(o, 0) != 1]
if wrong: problems.append(f"not delivered exactly once: {wrong}")
if notified != placed: problems.append(f"notified {len(notified)} orders for {len(placed)} placed")
if problems:
    print("hosts-chaos: FAILED: " + "; ".join(problems), file=sys.stderr)
    sys.exit(1)
print(f"hosts-chaos: OK: {len(placed)} orders in the store ({len(accepted)} accepted, {refused} refused to the client), "
      "each delivered exactly once and notified exactly once; tracking agreed with the store")
EOF
