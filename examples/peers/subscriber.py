"""A subscriber for examples/pubsub-forwarder.json, written with PyZMQ.

Connects to the forwarder's XPUB side (default tcp://127.0.0.1:5571),
subscribes to --topic, prints --count messages and exits. Exits with code 1
when no message arrives within --timeout milliseconds.

    python3 examples/peers/subscriber.py --topic weather --count 3
"""
import argparse
import sys

import zmq


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", default="tcp://127.0.0.1:5571")
    parser.add_argument("--topic", default="weather")
    parser.add_argument("--count", type=int, default=3)
    parser.add_argument("--timeout", type=int, default=10000, help="milliseconds to wait for each message")
    args = parser.parse_args()

    context = zmq.Context()
    socket = context.socket(zmq.SUB)
    socket.setsockopt(zmq.LINGER, 0)
    socket.setsockopt(zmq.RCVTIMEO, args.timeout)
    socket.setsockopt_string(zmq.SUBSCRIBE, args.topic)
    socket.connect(args.endpoint)
    try:
        for _ in range(args.count):
            try:
                print(socket.recv_string(), flush=True)
            except zmq.Again:
                print(f"No message on topic {args.topic!r} within {args.timeout} ms.", file=sys.stderr)
                return 1
        return 0
    finally:
        socket.close()
        context.term()


if __name__ == "__main__":
    sys.exit(main())
