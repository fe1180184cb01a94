"""Sends a paced flood of small messages from a PUSH socket, for the monitor
flood spec. A separate process keeps the sender's cost out of the Playwright
process, and PyZMQ's synchronous send reaches 100,000 messages a second where
one awaited zeromq.js send per message does not.

Usage: flood_sender.py ENDPOINT RATE SECONDS
Stops after RATE * SECONDS messages or 3 * SECONDS seconds, whichever comes
first, and prints the number of messages sent and the achieved rate.
"""
import sys
import time

import zmq

SLICE_SECONDS = 0.01


def main() -> None:
    endpoint, rate, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    total = int(rate * seconds)
    per_slice = max(1, int(rate * SLICE_SECONDS))

    context = zmq.Context()
    push = context.socket(zmq.PUSH)
    push.setsockopt(zmq.LINGER, 0)
    push.setsockopt(zmq.SNDHWM, 100_000)
    push.connect(endpoint)

    started = time.monotonic()
    deadline = started + seconds * 3
    sent = 0
    while sent < total and time.monotonic() < deadline:
        for _ in range(per_slice):
            push.send(b"flood %d" % sent)
            sent += 1
        ahead = started + sent / rate - time.monotonic()
        if ahead > 0:
            time.sleep(ahead)

    elapsed = time.monotonic() - started
    print(f"sent {sent} messages in {elapsed:.2f} s, {sent / elapsed:.0f} messages/s", flush=True)
    push.close()
    context.term()


if __name__ == "__main__":
    main()
