"""A REQ client for examples/broker.json, written with PyZMQ.

Connects to the broker's in side (default tcp://127.0.0.1:5559), sends
--count requests "client-N" and prints each reply on its own line. Exits with
code 1 when a reply does not arrive within --timeout milliseconds.

    python3 examples/peers/req_client.py --endpoint tcp://127.0.0.1:5559 --count 10
"""
import argparse
import sys

import zmq


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", default="tcp://127.0.0.1:5559")
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--timeout", type=int, default=5000, help="milliseconds to wait for each reply")
    args = parser.parse_args()

    context = zmq.Context()
    socket = context.socket(zmq.REQ)
    socket.setsockopt(zmq.LINGER, 0)
    socket.setsockopt(zmq.RCVTIMEO, args.timeout)
    socket.connect(args.endpoint)
    try:
        for index in range(args.count):
            socket.send_string(f"client-{index}")
            try:
                print(socket.recv_string(), flush=True)
            except zmq.Again:
                print(f"No reply to request {index} within {args.timeout} ms.", file=sys.stderr)
                return 1
        return 0
    finally:
        socket.close()
        context.term()


if __name__ == "__main__":
    sys.exit(main())
