"""A pyzmq publisher speaking swift-zeromq's channel wire format, written from
the README's description: [topic + "."][envelope][JSON payload].

Usage: channel_peer.py COUNT
Binds an XPUB on a free port, prints the endpoint, waits for one subscriber's
join subscription, then publishes COUNT events to topic "orders.1" and one
to "orders.10" (which a subscriber to "orders.1" must not receive). Events with
an odd index carry metadata in a format-2 envelope: a W3C traceparent and a
correlation id; the others are format 1.
"""
import json
import struct
import sys
import time
import uuid

import zmq


def envelope(sequence, event_type, publisher, metadata=None):
    kind = event_type.encode()
    version = 2 if metadata else 1
    head = (
        struct.pack(">BBHQq", version, 1, 1, sequence, time.time_ns())
        + uuid.uuid4().bytes
        + publisher.bytes
        + struct.pack(">H", len(kind))
        + kind
    )
    if not metadata:
        return head
    section = bytes([len(metadata)])
    for key, value in sorted((k.encode(), v.encode()) for k, v in metadata.items()):
        section += bytes([len(key)]) + key + struct.pack(">H", len(value)) + value
    return head + section


def traceparent(index):
    return "00-%032x-%016x-01" % (index + 1, index + 1)


def main():
    count = int(sys.argv[1])
    ctx = zmq.Context()
    pub = ctx.socket(zmq.XPUB)
    pub.setsockopt(zmq.RCVTIMEO, 10_000)
    pub.setsockopt(zmq.LINGER, 10_000)
    pub.setsockopt(zmq.XPUB_VERBOSE, 1)
    pub.bind("tcp://127.0.0.1:*")
    print(pub.getsockopt_string(zmq.LAST_ENDPOINT), flush=True)
    while not pub.recv().startswith(b"\x01_zmq.join."):
        pass
    publisher = uuid.uuid4()
    for index in range(count):
        payload = json.dumps({"id": index, "item": "pizza", "note": "from python"}).encode()
        metadata = {"traceparent": traceparent(index), "correlation-id": "order-%d" % index} if index % 2 else None
        pub.send_multipart([b"orders.1.", envelope(index + 1, "OrderPlaced", publisher, metadata), payload])
    pub.send_multipart([b"orders.10.", envelope(count + 1, "OrderPlaced", publisher), b'{"id":-1,"item":"x","note":"wrong topic"}'])
    ctx.destroy(linger=10_000)


if __name__ == "__main__":
    main()
