"""PortSet algebra and its notations (np-guard's connection string, topo's JSON).

np-guard: ConnStrFromConnProperties / portsString, pkg/netpol/internal/common/connectionset.go
(github.com/np-guard/netpol-analyzer): "All Connections" only when every port of TCP, UDP and SCTP
is allowed; otherwise `PROTO ranges` items sorted as strings and joined by ",".
"""

import pytest

from topo.analyses.reach.ports import ALL, EMPTY, PortSet, parse_port_query


def test_all_connections_means_every_port_of_every_protocol():
    everything = PortSet.all_of("TCP") | PortSet.all_of("UDP") | PortSet.all_of("SCTP")
    assert everything is ALL
    assert everything.np_guard_text() == "All Connections"
    assert (PortSet.all_of("TCP") | PortSet.all_of("UDP")).np_guard_text() == "TCP 1-65535,UDP 1-65535"


def test_ranges_merge_and_protocols_sort_as_strings():
    ports = (
        PortSet.of("UDP", 53)
        | PortSet.of("TCP", 8000, 8080)
        | PortSet.of("TCP", 80)
        | PortSet.of("TCP", 8081)
    )
    assert ports.np_guard_text() == "TCP 80,8000-8081,UDP 53"
    assert (ports | PortSet.of("SCTP", 9)).np_guard_text() == "SCTP 9,TCP 80,8000-8081,UDP 53"


def test_json_notation():
    assert ALL.to_json() == "all"
    assert (PortSet.of("UDP", 53) | PortSet.of("TCP", 8000, 8080)).to_json() == ["TCP/8000-8080", "UDP/53"]


def test_algebra_and_interning():
    a = PortSet.of("TCP", 1, 100)
    b = PortSet.of("TCP", 50, 200)
    assert (a & b) is PortSet.of("TCP", 50, 100)
    assert (a - b) is PortSet.of("TCP", 1, 49)
    assert (b - a) is PortSet.of("TCP", 101, 200)
    assert (a - a) is EMPTY and not EMPTY
    assert (ALL - PortSet.of("TCP", 80)).contains("TCP", 81) and not (ALL - PortSet.of("TCP", 80)).contains(
        "TCP", 80
    )
    assert PortSet.of("TCP", 0, 0) is EMPTY  # port 0 is not a port (IsValidPortNum: 1-65535)


@pytest.mark.parametrize(
    "text, expected",
    [("TCP/80", "TCP 80"), ("udp/53", "UDP 53"), ("8080", "TCP 8080"), ("SCTP/1-10", "SCTP 1-10")],
)
def test_port_queries(text, expected):
    assert parse_port_query(text).np_guard_text() == expected


@pytest.mark.parametrize("text", ["HTTP/80", "TCP/0", "TCP/70000", "TCP/x", "TCP/9-3"])
def test_bad_port_queries(text):
    with pytest.raises(ValueError):
        parse_port_query(text)
