"""A pyzmq end of swift-zeromq's acknowledged channel, written from the
README's description ("The acknowledged channel"): a peer nobody on this
project wrote, run as a separate process.

Usage: acknowledged_peer.py ROLE COUNT [ENDPOINT]
  receive COUNT [ENDPOINT]  bind a ROUTER (on ENDPOINT, or a free port), print
                            the endpoint, then for every event: print its
                            payload on one line the first time it is seen,
                            then acknowledge it; exit after COUNT new events
                            (COUNT 0: run until stopped, at most 30 s)
  send COUNT ENDPOINT       connect a DEALER, send COUNT JSON events
                            {"id": N, "item": "python"}, resend what is not
                            acknowledged within 0.3 s, print "acknowledged"
                            once all are, and exit
Every wait is bounded; exit status 0 means the exchange was complete.
"""
import json
import struct
import sys
import time
import uuid

import zmq

DEADLINE_S = 30


def envelope(sequence, publisher, event_id):
    kind = b"OrderPlaced"
    return (
        struct.pack(">BBHQq", 1, 1, 1, sequence, time.time_ns())
        + event_id.bytes
        + publisher.bytes
        + struct.pack(">H", len(kind))
        + kind
    )


def acknowledgement(ids):
    return bytes([1, 1]) + b"".join(ids)


def receive(count, endpoint):
    ctx = zmq.Context()
    sock = ctx.socket(zmq.ROUTER)
    sock.setsockopt(zmq.LINGER, 1000)
    sock.bind(endpoint or "tcp://127.0.0.1:*")
    print(sock.getsockopt_string(zmq.LAST_ENDPOINT), flush=True)
    seen = set()
    deadline = time.monotonic() + DEADLINE_S
    while (count == 0 or len(seen) < count) and time.monotonic() < deadline:
        if not sock.poll(100):
            continue
        route, topic, env, payload = sock.recv_multipart()
        event_id = env[20:36]
        if event_id not in seen:
            seen.add(event_id)
            print(payload.decode(), flush=True)
        sock.send_multipart([route, acknowledgement([event_id])])
    sock.close()
    ctx.term()
    return 0 if count == 0 or len(seen) >= count else 1


def send(count, endpoint):
    ctx = zmq.Context()
    sock = ctx.socket(zmq.DEALER)
    publisher = uuid.uuid4()
    sock.setsockopt(zmq.ROUTING_ID, publisher.bytes)
    sock.setsockopt(zmq.LINGER, 0)
    sock.connect(endpoint)
    pending = {}
    for sequence in range(1, count + 1):
        event_id = uuid.uuid4()
        payload = json.dumps({"id": sequence, "item": "python"}).encode()
        frames = [b"orders.", envelope(sequence, publisher, event_id), payload]
        pending[event_id.bytes] = (frames, 0.0)
    deadline = time.monotonic() + DEADLINE_S
    while pending and time.monotonic() < deadline:
        now = time.monotonic()
        for event_id, (frames, sent_at) in list(pending.items()):
            if now - sent_at > 0.3:
                sock.send_multipart(frames)
                pending[event_id] = (frames, now)
        while sock.poll(50):
            frame = sock.recv()
            if frame[:2] == bytes([1, 1]):
                for offset in range(2, len(frame), 16):
                    pending.pop(frame[offset : offset + 16], None)
    if pending:
        return 1
    print("acknowledged", flush=True)
    sock.close()
    ctx.term()
    return 0


def main():
    role, count = sys.argv[1], int(sys.argv[2])
    endpoint = sys.argv[3] if len(sys.argv) > 3 else None
    sys.exit(receive(count, endpoint) if role == "receive" else send(count, endpoint))


if __name__ == "__main__":
    main()
