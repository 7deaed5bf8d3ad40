"""A pyzmq CURVE peer for swift-zeromq's security tests: keys and Z85 text made
by an implementation nobody on this project wrote, run as a separate process.

Usage: curve_peer.py ROLE ARGS...
  keypair                  print a new key pair, made by pyzmq: public, then
                           secret, one Z85 key per line
  z85 HEX                  print the Z85 text of the bytes HEX, encoded by pyzmq's
                           own Python codec (not libzmq's)
  server PUBLIC SECRET N   bind a PUSH as a CURVE server with this key pair on a
                           free port, print the endpoint, push N messages
                           "curve N" to the first client that completes the
                           handshake, print "sent"
  client SERVER PUBLIC SECRET ENDPOINT N
                           connect a REQ as a CURVE client of the server key
                           SERVER with this key pair, send N requests, check each
                           reply, print "ok"
Keys are 40-character Z85 text. Every wait is bounded; exit status 0 means the
exchange was complete.
"""
import sys

import zmq
from zmq.utils import z85

TIMEOUT_MS = 10_000


def bounded(ctx, kind):
    sock = ctx.socket(kind)
    sock.setsockopt(zmq.RCVTIMEO, TIMEOUT_MS)
    sock.setsockopt(zmq.SNDTIMEO, TIMEOUT_MS)
    sock.setsockopt(zmq.LINGER, TIMEOUT_MS)
    return sock


def serve(public, secret, count):
    ctx = zmq.Context()
    push = bounded(ctx, zmq.PUSH)
    push.curve_server = True
    push.curve_publickey = public.encode()
    push.curve_secretkey = secret.encode()
    push.bind("tcp://127.0.0.1:*")
    print(push.getsockopt_string(zmq.LAST_ENDPOINT), flush=True)
    # A PUSH has no peer until a client has passed the handshake, so the
    # first send waits for one.
    for index in range(count):
        push.send_string(f"curve {index}")
    print("sent", flush=True)
    ctx.destroy(linger=TIMEOUT_MS)


def request(server, public, secret, endpoint, count):
    ctx = zmq.Context()
    req = bounded(ctx, zmq.REQ)
    req.curve_serverkey = server.encode()
    req.curve_publickey = public.encode()
    req.curve_secretkey = secret.encode()
    req.connect(endpoint)
    for index in range(count):
        req.send_string(f"request {index}")
        reply = req.recv_string()
        expected = f"swift says: request {index}"
        if reply != expected:
            print(f"bad reply {reply!r}, expected {expected!r}", flush=True)
            sys.exit(1)
    print("ok", flush=True)
    ctx.destroy(linger=TIMEOUT_MS)


def main():
    role, args = sys.argv[1], sys.argv[2:]
    if role == "keypair":
        public, secret = zmq.curve_keypair()
        print(public.decode(), flush=True)
        print(secret.decode(), flush=True)
    elif role == "z85":
        print(z85.encode(bytes.fromhex(args[0])).decode(), flush=True)
    elif role == "server":
        serve(args[0], args[1], int(args[2]))
    elif role == "client":
        request(args[0], args[1], args[2], args[3], int(args[4]))
    else:
        sys.exit(f"unknown role {role}")


if __name__ == "__main__":
    main()
