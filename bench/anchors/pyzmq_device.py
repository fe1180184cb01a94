"""Benchmark anchor: PyZMQ's C-backed devices on a ROUTER in and DEALER out socket.

Usage: pyzmq_device.py proxy|monitored IN_ENDPOINT OUT_ENDPOINT [MON_ENDPOINT]

`proxy` runs zmq.proxy, which is libzmq's C zmq_proxy. `monitored` runs
zmq.devices.monitored_queue (Cython) with a PUB monitor and the prefixes
b"in" and b"out". After binding it prints one JSON line with the bound
endpoints and relays until it receives SIGTERM.
"""
import ctypes
import json
import signal
import sys

import zmq
from zmq.devices import monitored_queue


def exit_with_parent() -> None:
    """Asks Linux to send SIGTERM when the parent exits, so a killed benchmark leaves no device behind."""
    try:
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


def main() -> None:
    exit_with_parent()
    mode, in_endpoint, out_endpoint = sys.argv[1:4]
    context = zmq.Context()
    frontend = context.socket(zmq.ROUTER)
    frontend.bind(in_endpoint)
    backend = context.socket(zmq.DEALER)
    backend.bind(out_endpoint)
    endpoints = {
        "in": frontend.last_endpoint.decode(),
        "out": backend.last_endpoint.decode(),
    }
    monitor = None
    if mode == "monitored":
        monitor = context.socket(zmq.PUB)
        monitor.bind(sys.argv[4])
        endpoints["mon"] = monitor.last_endpoint.decode()
    print(json.dumps({"ready": endpoints, "zmq": zmq.zmq_version(), "pyzmq": zmq.pyzmq_version()}), flush=True)

    if monitor is None:
        zmq.proxy(frontend, backend)
    else:
        monitored_queue(frontend, backend, monitor, b"in", b"out")


if __name__ == "__main__":
    main()
