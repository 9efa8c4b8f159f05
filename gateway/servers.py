"""Small helpers for running servers: free ports, waiting until something answers."""

from __future__ import annotations

import socket
import time

import httpx


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_answers(url: str, timeout: float, alive: object = None) -> bool:
    """Poll `url` until it answers 2xx or `timeout` seconds pass; `alive()` False stops early."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(alive) and not alive():
            return False
        try:
            if httpx.get(url, timeout=1.0).is_success:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    return False
