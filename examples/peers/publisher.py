"""A publisher for examples/pubsub-forwarder.json, written with PyZMQ.

Connects to the forwarder's XSUB side (default tcp://127.0.0.1:5570) and
publishes "TOPIC N" every --interval milliseconds, --count times. A subscriber
misses what is published before its subscription reached the publisher, so
the count leaves room for that.

    python3 examples/peers/publisher.py --topic weather --count 100
"""
import argparse
import time

import zmq


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", default="tcp://127.0.0.1:5570")
    parser.add_argument("--topic", default="weather")
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--interval", type=int, default=50, help="milliseconds between messages")
    args = parser.parse_args()

    context = zmq.Context()
    socket = context.socket(zmq.PUB)
    socket.setsockopt(zmq.LINGER, 0)
    socket.connect(args.endpoint)
    try:
        for index in range(args.count):
            socket.send_string(f"{args.topic} {index}")
            time.sleep(args.interval / 1000)
    except KeyboardInterrupt:
        pass
    finally:
        socket.close()
        context.term()


if __name__ == "__main__":
    main()
