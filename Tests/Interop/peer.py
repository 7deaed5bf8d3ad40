"""A pyzmq peer for swift-zeromq's interop tests: a ZeroMQ implementation
nobody on this project wrote, run as a separate process.

Usage: peer.py ROLE COUNT [ENDPOINT]
  pub  COUNT           bind an XPUB on a free port, print the endpoint, wait for
                       one subscriber, publish COUNT binary multipart messages
  pull COUNT           bind a PULL, print the endpoint, receive COUNT messages,
                       print one line per message: index and hex of the payload
  rep  COUNT           bind a REP, print the endpoint, answer COUNT requests
  req  COUNT ENDPOINT  connect a REQ, send COUNT requests, check each reply
Every wait is bounded; exit status 0 means the exchange was complete.
"""
import sys
import zmq

TIMEOUT_MS = 10_000


def bounded(ctx, kind):
    sock = ctx.socket(kind)
    sock.setsockopt(zmq.RCVTIMEO, TIMEOUT_MS)
    sock.setsockopt(zmq.SNDTIMEO, TIMEOUT_MS)
    sock.setsockopt(zmq.LINGER, TIMEOUT_MS)
    return sock


def announce(sock):
    sock.bind("tcp://127.0.0.1:*")
    print(sock.getsockopt_string(zmq.LAST_ENDPOINT), flush=True)


def payload(index):
    # Binary on purpose: NUL bytes, high bytes, and not valid UTF-8.
    return bytes([0, 0xFF, index % 256, 0x80]) + index.to_bytes(4, "little")


def main():
    role, count = sys.argv[1], int(sys.argv[2])
    ctx = zmq.Context()
    if role == "pub":
        pub = bounded(ctx, zmq.XPUB)
        announce(pub)
        subscription = pub.recv()  # b"\x01" + topic: the subscriber has joined
        assert subscription[0] == 1, subscription
        for index in range(count):
            pub.send_multipart([b"interop.binary", payload(index), str(index).encode()])
        pub.send_multipart([b"other.topic", b"must be filtered out"])
    elif role == "pull":
        pull = bounded(ctx, zmq.PULL)
        announce(pull)
        for _ in range(count):
            frames = pull.recv_multipart()
            print(" ".join(frame.hex() for frame in frames), flush=True)
    elif role == "rep":
        rep = bounded(ctx, zmq.REP)
        announce(rep)
        for _ in range(count):
            request = rep.recv()
            rep.send(b"python says: " + request)
    elif role == "req":
        req = bounded(ctx, zmq.REQ)
        req.connect(sys.argv[3])
        for index in range(count):
            req.send(f"request {index}".encode())
            reply = req.recv()
            expected = f"swift says: request {index}".encode()
            if reply != expected:
                print(f"bad reply {reply!r}, expected {expected!r}", flush=True)
                sys.exit(1)
        print("ok", flush=True)
    else:
        sys.exit(f"unknown role {role}")
    ctx.destroy(linger=TIMEOUT_MS)


if __name__ == "__main__":
    main()
