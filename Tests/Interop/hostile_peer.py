"""A hostile pyzmq peer for swift-zeromq's tests: it speaks the channel wire
format (README, "The channel wire format") to attack a consumer, as anyone
who can reach a socket could.

Usage: hostile_peer.py KIND [FRAMES]
  pub   bind an XPUB on a free port, print the endpoint, wait for a subscriber,
        send the attack, print "sent"
  push  bind a PUSH on a free port, print the endpoint, send the attack to the
        first puller that connects, print "sent"
FRAMES is the number of empty frames in the big message (1,000,000 by default).

The attack, in order:
  1. two publishers, each sequence 1 then 2**64 - 1 (once made every consumer trap)
  2. publisher R sends 1..5, a spoofed envelope with R's id and 2**64 - 2,
     then R goes on with 6..1005 (once muted all 1,000)
  3. an event whose timestamp is -2**63 (once made `zmq sub --format json` trap)
  4. JUNK undecodable messages whose topic holds a newline and an escape sequence
  5. one message of FRAMES empty frames (a million once pinned 130 MB for good)
  6. SPOOFED events, each from a new publisher id
  7. an event whose JSON payload starts with a byte order mark and holds C1 controls
  8. R's event 1006 with item "final", after which nothing more is sent
Every wait is bounded; exit status 0 means everything was sent.
"""
import json
import struct
import sys
import time
import uuid

import zmq

JUNK = 10_000
SPOOFED = 10_000
TIMEOUT_MS = 20_000


def envelope(sequence, publisher, timestamp=1_700_000_000_000_000_000, event_type=b"OrderPlaced"):
    return struct.pack(
        ">BBHQq16s16sH", 1, 1, 1, sequence, timestamp, uuid.uuid4().bytes, publisher.bytes, len(event_type)
    ) + event_type


def event(sequence, publisher, ident, item="x", **fields):
    payload = json.dumps({"id": ident, "item": item}).encode()
    return [b"orders.", envelope(sequence, publisher, **fields), payload]


def attack(frames):
    first, second, real = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    yield event(1, first, 1)
    yield event(1, second, 2)
    yield event(2**64 - 1, first, 3)
    yield event(2**64 - 1, second, 4)
    for sequence in range(1, 6):
        yield event(sequence, real, 100 + sequence)
    yield event(2**64 - 2, real, -1, item="spoof")
    for sequence in range(6, 1006):
        yield event(sequence, real, 100 + sequence)
    yield event(1, uuid.uuid4(), 5, item="ancient", timestamp=-(2**63))
    for index in range(JUNK):
        yield [b"orders.\n\x1b[2Jforged line.", b"not an envelope", str(index).encode()]
    yield [b""] * frames
    for index in range(SPOOFED):
        yield event(1, uuid.uuid4(), 10_000 + index)
    bom = "\ufeff" + json.dumps({"id": 6, "item": "\u009b2J\u0085"}, ensure_ascii=False)
    yield [b"orders.", envelope(1, uuid.uuid4()), bom.encode()]
    yield event(1006, real, 2006, item="final")


def main():
    kind = sys.argv[1]
    frames = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    ctx = zmq.Context()
    sock = ctx.socket(zmq.XPUB if kind == "pub" else zmq.PUSH)
    # No high-water mark: nothing of the attack is dropped on this side, so
    # the consumer's counters can be checked exactly.
    sock.setsockopt(zmq.SNDHWM, 0)
    sock.setsockopt(zmq.SNDTIMEO, TIMEOUT_MS)
    sock.setsockopt(zmq.LINGER, TIMEOUT_MS)
    sock.bind("tcp://127.0.0.1:*")
    print(sock.getsockopt_string(zmq.LAST_ENDPOINT), flush=True)
    if kind == "pub":
        sock.setsockopt(zmq.RCVTIMEO, TIMEOUT_MS)
        sock.recv()  # the first subscription; the rest of the subscriber's follow at once
        time.sleep(0.5)
    for message in attack(frames):
        sock.send_multipart(message)
    print("sent", flush=True)
    sock.close()
    ctx.term()


if __name__ == "__main__":
    main()
