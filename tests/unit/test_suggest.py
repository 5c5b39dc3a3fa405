"""Suggestions for unresolved names ("did you mean …?") come from a bounded trigram shortlist
(topo.rules.suggest): small sets give exactly difflib's answer, large sets still find the close
name, and the work per query does not grow with the number of names."""

from __future__ import annotations

import difflib
import random
import textwrap

from topo_test_support import analysis_of, deployment

from topo.rules import suggest
from topo.rules.suggest import NameIndex


def test_small_sets_give_exactly_difflibs_answer():
    names = ["payments", "payment-api", "orders", "cart", "search", "postgres", "redis"]
    index = NameIndex(names)
    for word in ["paymnet-api", "order", "crat", "postgress", "zzz", "redis-0", ""]:
        assert index.close_matches(word, n=2, cutoff=0.6) == difflib.get_close_matches(
            word, sorted(names), n=2, cutoff=0.6
        )


def _names(count: int, rng: random.Random) -> list[str]:
    teams = ["checkout", "identity", "billing", "search", "growth", "logistics", "payments", "ml"]
    envs = ["prod", "staging", "dev"]
    return sorted({f"{rng.choice(teams)}-{rng.choice(envs)}-{i:04}" for i in range(count)})


def test_large_sets_find_the_close_name_for_typical_typos():
    rng = random.Random(7)
    names = _names(5000, rng)
    index = NameIndex(names)
    for name in rng.sample(names, 200):
        typo = rng.choice(
            [
                name[:-1],  # a character dropped
                name + "x",  # one added
                name.replace("-", "_", 1),  # a separator changed
                name[:3] + name[4] + name[3] + name[5:],  # two letters swapped
            ]
        )
        expected = difflib.get_close_matches(typo, names, n=1, cutoff=0.75)
        found = index.close_matches(typo, n=1, cutoff=0.75)
        assert found, typo
        # As close as the best difflib finds over every name (ties may pick another name).
        ratio = difflib.SequenceMatcher(None, found[0], typo).ratio()
        assert ratio >= difflib.SequenceMatcher(None, expected[0], typo).ratio() - 1e-9, (
            typo,
            found,
            expected,
        )


def test_nothing_alike_gives_no_suggestion():
    index = NameIndex(_names(2000, random.Random(1)))
    assert index.close_matches("zzzzqqqq", n=1, cutoff=0.6) == []


def test_the_shortlist_is_bounded():
    index = NameIndex(_names(20000, random.Random(3)))
    assert len(index._shortlist("checkout-prod-0042")) <= suggest.SHORTLIST
    assert index.close_matches("checkout-prod-0042", n=1, cutoff=0.6)


def test_ranking_equals_difflib_on_random_names_and_words():
    rng = random.Random(11)
    alphabet = "abcdeo-0123"
    for _ in range(300):
        names = [
            "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
            for _ in range(rng.randint(1, 30))
        ]
        word = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        n, cutoff = rng.choice([1, 3]), rng.choice([0.0, 0.6, 0.75])
        assert NameIndex(names).close_matches(word, n=n, cutoff=cutoff) == difflib.get_close_matches(
            word, sorted(set(names)), n=n, cutoff=cutoff
        ), (word, names)


def test_same_namespace_first_then_the_closest_namespace():
    containers = """- name: web
        image: web
        env:
          - {name: LEDGER_HOST, value: ledger-ap}
          - {name: PAYMENTS_URL, value: "http://ledger-api.paymnts.svc.cluster.local/"}"""
    services = """
    apiVersion: v1
    kind: Namespace
    metadata: {name: payments}
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: ledger-api, namespace: payments}
    spec: {selector: {app: ledger}, ports: [{port: 80}]}
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: ledger-apl, namespace: shop}
    spec: {selector: {app: other}, ports: [{port: 80}]}
    ---"""
    analysis = analysis_of(
        textwrap.dedent(services) + deployment("web", namespace="shop", containers=containers)
    )
    hints = sorted(f.hint for f in analysis.findings().findings if f.rule == "dns-name-unresolved")
    assert any("did you mean 'ledger-apl'?" in h for h in hints), hints  # same namespace first
    assert any("did you mean 'ledger-api.payments'?" in h for h in hints), hints  # closest namespace


def test_the_single_best_match_is_difflibs_on_random_names():
    """n=1 is answered by a pruned search (topo.rules.suggest._closest); it must pick exactly what
    `difflib.get_close_matches(word, names, n=1, cutoff)` picks, ties included (the greater name)."""
    import random

    rng = random.Random(7)

    def name() -> str:
        return "".join(rng.choice("abcde-") for _ in range(rng.randint(1, 9)))

    for _ in range(3000):
        names = [name() for _ in range(rng.randint(0, 40))]
        word, cutoff = name(), rng.choice([0.0, 0.3, 0.6, 0.75])
        assert suggest._closest(word, names, cutoff) == difflib.get_close_matches(
            word, names, n=1, cutoff=cutoff
        )
