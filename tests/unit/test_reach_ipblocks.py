"""ipBlocks and the address ranges external peers are shown as.

ipBlock: k8s.io/api networking/v1 types.go (`IPBlock`: cidr minus except); validity:
ValidateIPBlock, k8s.io/kubernetes pkg/apis/networking/validation/validation.go (except must be a
strict subset of cidr). Ranges: np-guard's DisjointIPBlocks (np-guard/models pkg/netset/ipblock.go)
printed `first-last`.
"""

import pytest

from topo.analyses.reach.ipblocks import IPBlockError, atoms_of, ip_block


def test_except_cuts_holes():
    block = ip_block("172.17.0.0/16", ["172.17.1.0/24"])
    assert block.text() == "172.17.0.0-172.17.0.255, 172.17.2.0-172.17.255.255"


def test_host_bits_are_accepted_like_parse_cidr_sloppy():
    assert ip_block("10.0.0.1/8").text() == "10.0.0.0-10.255.255.255"


@pytest.mark.parametrize(
    "cidr, excepts",
    [("10.0.0.0/8", ["11.0.0.0/16"]), ("10.0.0.0/8", ["10.0.0.0/8"]), ("not-a-cidr", []), ("10.0.0.0", [])],
)
def test_invalid_blocks_are_refused(cidr, excepts):
    with pytest.raises(IPBlockError):
        ip_block(cidr, excepts)


def test_atoms_cut_the_space_at_every_boundary():
    atoms = atoms_of([ip_block("0.0.0.0/0", ["10.0.0.0/8"]), ip_block("10.30.0.0/24")])
    assert [a.text for a in atoms] == [
        "0.0.0.0-9.255.255.255",
        "10.0.0.0-10.29.255.255",
        "10.30.0.0-10.30.0.255",
        "10.30.1.0-10.255.255.255",
        "11.0.0.0-255.255.255.255",
    ]


def test_no_blocks_one_range():
    assert [a.text for a in atoms_of([])] == ["0.0.0.0-255.255.255.255"]
