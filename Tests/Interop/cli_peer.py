"""A pyzmq peer for the `zmq` tool's interop tests: a ZeroMQ implementation
nobody on this project wrote, run as a separate process.

Usage: cli_peer.py ROLE [COUNT]
  pub         bind an XPUB on a free port, print the endpoint, wait for a
              subscription, then publish three messages under "interop.": a
              binary one, a text one, and one in the channel wire format
  pull COUNT  bind a PULL on a free port, print the endpoint, receive COUNT
              messages and print each as a line of hex frames joined by spaces
Every wait is bounded; exit status 0 means the exchange was complete.
"""
import json
import struct
import sys
import time
import uuid

import zmq

TIMEOUT_MS = 20_000


def bound(ctx, kind):
    sock = ctx.socket(kind)
    sock.setsockopt(zmq.RCVTIMEO, TIMEOUT_MS)
    sock.setsockopt(zmq.SNDTIMEO, TIMEOUT_MS)
    sock.setsockopt(zmq.LINGER, TIMEOUT_MS)
    sock.bind("tcp://127.0.0.1:*")
    print(sock.getsockopt_string(zmq.LAST_ENDPOINT), flush=True)
    return sock


def envelope(sequence, event_type):
    # The README's channel envelope: integers big-endian.
    kind = event_type.encode()
    header = struct.pack(">BBHQq", 1, 1, 1, sequence, time.time_ns())
    return header + uuid.uuid4().bytes + uuid.uuid4().bytes + struct.pack(">H", len(kind)) + kind


def main():
    role = sys.argv[1]
    ctx = zmq.Context()
    if role == "pub":
        pub = bound(ctx, zmq.XPUB)
        first = pub.recv()
        assert first[0] == 1, first
        pub.send_multipart([b"interop.binary", bytes([0, 0xFF, 0x80, 0x41])])
        pub.send_multipart([b"interop.text", "héllo".encode()])
        payload = json.dumps({"id": 7, "from": "python"}).encode()
        pub.send_multipart([b"interop.channel.", envelope(3, "PythonEvent"), payload])
    elif role == "pull":
        pull = bound(ctx, zmq.PULL)
        for _ in range(int(sys.argv[2])):
            print(" ".join(frame.hex() for frame in pull.recv_multipart()), flush=True)
    else:
        sys.exit(f"unknown role {role}")
    ctx.destroy(linger=TIMEOUT_MS)


if __name__ == "__main__":
    main()
