"""Ports for servers the tests and benchmarks start: chosen where no outgoing connection can
be holding them when the server binds (the kernel gives those ephemeral ports)."""

from __future__ import annotations

import socket
from pathlib import Path

from gateway.servers import free_port, port_is_free


def test_a_free_port_is_below_the_ephemeral_range_and_binds() -> None:
    first_ephemeral = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    ports = {free_port() for _ in range(50)}
    assert all(port < first_ephemeral for port in ports)
    assert len(ports) > 40  # spread, so tests side by side do not choose the same one
    for port in list(ports)[:5]:
        with socket.socket() as server:
            server.bind(("127.0.0.1", port))


def test_a_port_something_listens_on_is_not_free() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", free_port()))
        server.listen()
        assert not port_is_free("127.0.0.1", server.getsockname()[1])
