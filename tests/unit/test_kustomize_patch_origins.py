"""A finding names a kustomize patch only for a value the patch really set at the field the
message quotes (docs/inputs.md "Patches"; docs/precision.md 2026-12-08). The fixture copies
wazuh-kubernetes envs/eks: a volumeClaimTemplate renamed after the container, a label set to the
container's name, replicas the base already has."""

from __future__ import annotations

import os

from test_kustomize_input import needs_renderer

from topo import analyze
from topo.load.kustomize_patches import Patch, origins_for

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "inputs", "kustomize-patch-origins")


def value_from(overlay: str) -> dict[tuple[str, str], list[str]]:
    analysis = analyze([os.path.join(FIXTURE, overlay)], cache=False)
    return {
        (finding.rule, finding.object): [f"{o.origin} = {o.value}" for o in finding.value_from]
        for finding in analysis.findings().findings
        if finding.value_from
    }


@needs_renderer
def test_only_the_patch_that_set_the_quoted_field_is_named():
    assert value_from("overlay") == {
        ("replicas-may-colocate", "Deployment/default/web"): ["patch field spec.replicas = 2"],
    }
    # not: "container 'db'" credited to the claim template or label the patch set to `db`, nor
    # "1 replica" to a patch that restates the base's `replicas: 1`


@needs_renderer
def test_an_overlay_of_an_overlay_names_the_patch_whose_value_won():
    assert value_from("overlay-of-overlay") == {
        ("single-replica", "Deployment/default/web"): ["patch field spec.replicas = 1"],
    }


def smp(values, steps, name="web"):
    return Patch("Deployment", name, tuple(values), "patch.yaml", tuple(steps))


def test_a_patched_container_is_found_by_its_name_not_its_place_in_the_patch():
    rendered = {
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "template": {
                "spec": {
                    "containers": [{"name": "proxy", "image": "web:2"}, {"name": "web", "image": "web:2"}]
                }
            }
        },
    }
    steps = ("spec", "template", "spec", "containers", ("name", "web"), "image")
    (origin,) = origins_for(
        [smp([("spec.template.spec.containers[0].image", "web:2", 9)], [steps])], rendered
    )
    assert origin.rendered_field == "spec.template.spec.containers[1].image"
    assert origin.written_elsewhere == ("spec.template.spec.containers[0].image",)


def test_a_value_a_later_patch_or_transformer_changed_is_not_an_origin():
    rendered = {"kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": 4}}
    assert origins_for([smp([("spec.replicas", "2", 6)], [("spec", "replicas")])], rendered) == []


def test_a_value_the_base_writes_at_that_field_is_not_an_origin():
    rendered = {"kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": 1}}
    patch = smp([("spec.replicas", "1", 6)], [("spec", "replicas")])
    assert origins_for([patch], rendered, base=rendered) == []
    assert len(origins_for([patch], rendered, base={"spec": {"replicas": 3}})) == 1


def test_each_inline_patch_points_at_its_own_lines_when_several_begin_alike(tmp_path):
    # microservices-demo kustomize/components/google-cloud-operations: 14 inline patches, each
    # beginning `apiVersion: apps/v1`: the second one's values are on its own lines, not the first's
    from topo.load.kustomize_patches import patches_of

    (tmp_path / "kustomization.yaml").write_text(
        "resources: []\n"
        "patches:\n"
        "- patch: |-\n"
        "    apiVersion: apps/v1\n"
        "    kind: Deployment\n"
        "    metadata:\n"
        "      name: cart\n"
        "    spec:\n"
        "      replicas: 2\n"
        "- patch: |-\n"
        "    apiVersion: apps/v1\n"
        "    kind: Deployment\n"
        "    metadata:\n"
        "      name: catalog\n"
        "    spec:\n"
        "      replicas: 3\n"
    )
    lines = {
        (p.name, path, value): line
        for p in patches_of(str(tmp_path), lambda file: file)
        for path, value, line in p.values
    }
    assert lines[("cart", "spec.replicas", "2")] == 9
    assert lines[("catalog", "spec.replicas", "3")] == 16
