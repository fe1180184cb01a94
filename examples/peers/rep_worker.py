"""A REP worker for examples/broker.json, written with PyZMQ.

Connects to the broker's out side (default tcp://127.0.0.1:5560), replies to each
request "NAME" with "hello NAME", and exits after --count replies (default:
runs until interrupted).

    python3 examples/peers/rep_worker.py --endpoint tcp://127.0.0.1:5560 --count 10
"""
import argparse

import zmq


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", default="tcp://127.0.0.1:5560")
    parser.add_argument("--count", type=int, default=0, help="replies to send before exiting; 0 means no limit")
    args = parser.parse_args()

    context = zmq.Context()
    socket = context.socket(zmq.REP)
    socket.setsockopt(zmq.LINGER, 0)
    socket.connect(args.endpoint)
    replies = 0
    try:
        while args.count == 0 or replies < args.count:
            name = socket.recv_string()
            socket.send_string(f"hello {name}")
            replies += 1
    except KeyboardInterrupt:
        pass
    finally:
        socket.close()
        context.term()


if __name__ == "__main__":
    main()
