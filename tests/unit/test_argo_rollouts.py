"""Argo Rollouts `Rollout` objects are workloads: model defaults, workloadRef, graph edges.

Upstream: argoproj/argo-rollouts pkg/apis/rollouts/v1alpha1/types.go (fields),
utils/defaults/defaults.go (defaults), rollout/templateref.go (workloadRef),
utils/replicaset/replicaset.go (fenceposts).
"""

from __future__ import annotations

from topo_test_support import analysis_of, edges, graph_of

from topo.graph.relations import PROTECTS, SCALES, SELECTS, USES
from topo.model.parse_objects.argo_rollouts import argo_percent

CANARY = """\
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: shop/web:1, ports: [{name: http, containerPort: 8080}]}]}
  strategy:
    canary:
      canaryService: web-canary
      stableService: web-stable
      canaryMetadata: {labels: {role: canary}}
      steps: [{setWeight: 20}, {pause: {}}, {setWeight: 50}, {pause: {duration: 10m}}]
---
apiVersion: v1
kind: Service
metadata: {name: web-canary, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: http}]}
---
apiVersion: v1
kind: Service
metadata: {name: web-stable, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: http}]}
"""


def _rollout(analysis, object_id="Rollout/shop/web"):
    return analysis.model.get(object_id)


def test_rollout_defaults_replicas_1_and_canary_fenceposts_25_percent():
    # utils/defaults/defaults.go: DefaultReplicas 1, DefaultMaxSurge/DefaultMaxUnavailable "25"
    rollout = _rollout(analysis_of(CANARY))
    assert rollout.kind == "Rollout"
    assert rollout.replicas == 1
    assert rollout.strategy.type == "Canary"
    assert (rollout.strategy.max_surge, rollout.strategy.max_unavailable) == ("25%", "25%")
    assert rollout.rollout.managed_services == (
        ("canaryService", "web-canary"),
        ("stableService", "web-stable"),
    )
    assert (rollout.rollout.steps, rollout.rollout.indefinite_pauses) == (4, 1)
    assert rollout.rollout.scale_down_delay_seconds is None  # only with trafficRouting or blueGreen


def test_a_fencepost_string_without_percent_is_a_percentage_for_the_rollouts_controller():
    # replicaset.go resolveFenceposts uses the deprecated intstr.GetValueFromIntOrPercent, which
    # strips "%" and reads every string as a percentage
    assert argo_percent("25") == "25%"
    assert argo_percent("2") == "2%"
    assert argo_percent(2) == 2
    assert argo_percent("many") == "many"


def test_blue_green_defaults_scale_down_delay_30_and_auto_promotion():
    text = CANARY.replace(
        "    canary:\n      canaryService: web-canary\n      stableService: web-stable\n"
        "      canaryMetadata: {labels: {role: canary}}\n"
        "      steps: [{setWeight: 20}, {pause: {}}, {setWeight: 50}, {pause: {duration: 10m}}]\n",
        "    blueGreen: {activeService: web-stable, previewService: web-canary}\n",
    )
    rollout = _rollout(analysis_of(text))
    assert rollout.strategy.type == "BlueGreen"
    assert rollout.rollout.scale_down_delay_seconds == 30  # DefaultScaleDownDelaySeconds
    assert rollout.rollout.auto_promotion_enabled is True
    assert rollout.rollout.managed_services == (
        ("activeService", "web-stable"),
        ("previewService", "web-canary"),
    )


def test_an_argoproj_rollout_only_is_a_workload():
    text = "apiVersion: example.com/v1\nkind: Rollout\nmetadata: {name: web, namespace: shop}\nspec: {}\n"
    assert analysis_of(text).model.workloads == ()


WORKLOAD_REF = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 0
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: shop/web:1}]}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web, namespace: shop}
spec:
  replicas: 3
  workloadRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  strategy: {canary: {steps: [{setWeight: 20}]}}
"""


def test_workload_ref_takes_template_and_selector_from_the_deployment():
    # rollout/templateref.go: spec.template of the Deployment; its selector when the Rollout has none
    analysis = analysis_of(WORKLOAD_REF)
    rollout = _rollout(analysis)
    assert [c.image for c in rollout.template.spec.containers] == ["shop/web:1"]
    assert rollout.selector is not None and rollout.selector.matches({"app": "web"})
    assert rollout.rollout.template_from == "Deployment/shop/web"
    assert not [f for f in analysis.findings().findings if f.rule == "manifest-invalid"]
    assert ("Rollout/shop/web", "Deployment/shop/web") in [(s, t) for s, t, _ in edges(analysis.graph, USES)]


def test_probe_findings_of_a_template_lent_to_a_rollout_are_the_rollouts_alone():
    # docs/features/workload-ref: the Deployment, scaled to 0, only lends its template; its pods
    # run as the Rollout's. One fact, one finding — unless the Deployment still runs pods itself.
    probe_rules = ("liveness-probe-missing", "readiness-probe-missing")

    def probe_findings(text):
        return sorted(
            (f.rule, f.object) for f in analysis_of(text).findings().findings if f.rule in probe_rules
        )

    assert probe_findings(WORKLOAD_REF) == [
        ("liveness-probe-missing", "Rollout/shop/web"),
        ("readiness-probe-missing", "Rollout/shop/web"),
    ]
    still_running = probe_findings(WORKLOAD_REF.replace("replicas: 0", "replicas: 2"))
    assert ("liveness-probe-missing", "Deployment/shop/web") in still_running
    assert ("liveness-probe-missing", "Rollout/shop/web") in still_running


def test_workload_ref_to_an_object_not_in_the_input_is_a_warning_not_a_crash():
    analysis = analysis_of(WORKLOAD_REF.split("---\n", 1)[1])
    warnings = [w.message for w in analysis.load_warnings]
    assert any("spec.workloadRef names Deployment/shop/web, which is not in the input" in m for m in warnings)
    assert analysis.graph.nodes["Deployment/shop/web"]["missing"] is True


def test_workload_ref_from_a_pod_template():
    text = """\
apiVersion: v1
kind: PodTemplate
metadata: {name: web, namespace: shop}
template:
  metadata: {labels: {app: web}}
  spec: {containers: [{name: web, image: shop/web:2}]}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  workloadRef: {apiVersion: v1, kind: PodTemplate, name: web}
  strategy: {canary: {}}
"""
    rollout = _rollout(analysis_of(text))
    assert [c.image for c in rollout.template.spec.containers] == ["shop/web:2"]


def test_services_select_the_rollout_and_the_rollout_uses_its_managed_services():
    graph = graph_of(CANARY)
    assert [(s, t) for s, t, _ in edges(graph, SELECTS)] == [
        ("Service/shop/web-canary", "Rollout/shop/web"),
        ("Service/shop/web-stable", "Rollout/shop/web"),
    ]
    assert [(t, d["via"]) for _, t, d in edges(graph, USES, "Rollout/shop/web")] == [
        ("Service/shop/web-canary", "spec.strategy.canary.canaryService"),
        ("Service/shop/web-stable", "spec.strategy.canary.stableService"),
    ]


def test_ping_pong_services_are_managed_services_too():
    # types.go PingPongSpec; rollout/controller.go getReferencedServices looks both up
    ping_pong = CANARY.replace(
        "canaryService: web-canary\n      stableService: web-stable",
        "pingPong: {pingService: web-canary, pongService: web-stable}\n      trafficRouting: {alb: {ingress: web, servicePort: 80}}",
    )
    assert _rollout(analysis_of(ping_pong)).rollout.managed_services == (
        ("pingPong.pingService", "web-canary"),
        ("pingPong.pongService", "web-stable"),
    )
    assert [(t, d["via"]) for _, t, d in edges(graph_of(ping_pong), USES, "Rollout/shop/web")] == [
        ("Ingress/shop/web", "spec.strategy.canary.trafficRouting.alb.ingress"),
        ("Service/shop/web-canary", "spec.strategy.canary.pingPong.pingService"),
        ("Service/shop/web-stable", "spec.strategy.canary.pingPong.pongService"),
    ]


def test_a_service_on_the_controllers_labels_selects_the_rollout_and_nothing_is_reported():
    text = CANARY.replace(
        "metadata: {name: web-canary, namespace: shop}\nspec: {selector: {app: web}",
        "metadata: {name: web-canary, namespace: shop}\nspec: {selector: {app: web, role: canary, "
        "rollouts-pod-template-hash: abc}",
    )
    analysis = analysis_of(text)
    assert ("Service/shop/web-canary", "Rollout/shop/web") in [
        (s, t) for s, t, _ in edges(analysis.graph, SELECTS)
    ]
    assert not [f for f in analysis.findings().findings if f.object.startswith("Service/")]


def test_a_service_for_an_experiment_steps_pods_is_not_reported_as_selecting_nothing():
    # examples/rollout-canary-preview.yaml: an experiment step runs pods labelled otherwise
    text = CANARY.replace(
        "steps: [{setWeight: 20}",
        "steps: [{experiment: {templates: [{name: preview, specRef: canary, "
        "metadata: {labels: {app: web-preview}}, selector: {matchLabels: {app: web-preview}}}]}}, {setWeight: 20}",
    ) + (
        "---\napiVersion: v1\nkind: Service\nmetadata: {name: web-preview, namespace: shop}\n"
        "spec: {selector: {app: web-preview}, ports: [{port: 80}]}\n"
    )
    assert not [f for f in analysis_of(text).findings().findings if f.rule == "service-selects-nothing"]


def test_hpa_and_pdb_target_a_rollout():
    text = (
        CANARY
        + """\
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: argoproj.io/v1alpha1, kind: Rollout, name: web}
  minReplicas: 2
  maxReplicas: 5
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: shop}
spec: {maxUnavailable: 1, selector: {matchLabels: {app: web}}}
"""
    )
    analysis = analysis_of(text)
    assert [(s, t) for s, t, _ in edges(analysis.graph, SCALES)] == [
        ("HorizontalPodAutoscaler/shop/web", "Rollout/shop/web")
    ]
    assert [(s, t) for s, t, _ in edges(analysis.graph, PROTECTS)] == [
        ("PodDisruptionBudget/shop/web", "Rollout/shop/web")
    ]
    assert not [
        f for f in analysis.findings().findings if f.rule.startswith("hpa-") or f.rule.startswith("pdb-")
    ]


def _plan(text: str, object_id: str = "Rollout/shop/web"):
    return analysis_of(text).rollout.workloads[object_id].rollout


def test_basic_canary_fenceposts_resolve_as_the_rollouts_controller():
    # utils/replicaset/replicaset.go resolveFenceposts: surge rounds up, unavailable down
    plan = _plan(
        CANARY.replace("spec:\n  selector", "spec:\n  replicas: 5\n  selector", 1).replace(
            "stableService: web-stable\n",
            'stableService: web-stable\n      maxSurge: "20"\n      maxUnavailable: 1\n',
        )
    )
    # "20" is 20% for the controller: ceil(5 × 0.2) = 1
    assert (plan.strategy, plan.max_surge, plan.max_unavailable, plan.min_available, plan.max_pods) == (
        "Canary",
        1,
        1,
        4,
        6,
    )
    assert any("pause: {}" in note for note in plan.notes)


def test_blue_green_surges_a_full_preview_replicaset_and_keeps_every_active_pod():
    text = CANARY.replace("spec:\n  selector", "spec:\n  replicas: 4\n  selector", 1).replace(
        "    canary:\n      canaryService: web-canary\n      stableService: web-stable\n"
        "      canaryMetadata: {labels: {role: canary}}\n"
        "      steps: [{setWeight: 20}, {pause: {}}, {setWeight: 50}, {pause: {duration: 10m}}]\n",
        "    blueGreen: {activeService: web-stable, previewService: web-canary, scaleDownDelaySeconds: 60}\n",
    )
    plan = _plan(text)
    assert (plan.strategy, plan.max_surge, plan.max_unavailable, plan.min_available, plan.max_pods) == (
        "BlueGreen",
        4,
        0,
        4,
        8,
    )
    assert any("60 s (scaleDownDelaySeconds)" in note for note in plan.notes)


def test_traffic_routed_canary_keeps_the_stable_side_and_leaves_the_pod_count_unknown():
    # docs/features/canary/index.md: with trafficRouting maxSurge/maxUnavailable are not used and
    # the stable ReplicaSet stays at full scale
    plan = _plan(
        CANARY.replace(
            "stableService: web-stable\n",
            "stableService: web-stable\n      trafficRouting: {nginx: {stableIngress: web}}\n",
        )
    )
    assert (plan.max_surge, plan.min_available, plan.max_pods) == (None, 1, None)


def test_a_rollout_without_a_strategy_is_a_problem_not_a_crash():
    plan = _plan(CANARY.split("  strategy:")[0] + "  strategy: {}\n")
    assert plan.problem is not None and "canary and blueGreen" in plan.problem


def _references(strategy: str) -> list[tuple[str, str, str | None, str]]:
    text = f"""\
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {{name: web, namespace: shop}}
spec:
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec: {{containers: [{{name: web, image: shop/web:1}}]}}
  strategy: {strategy}
"""
    settings = _rollout(analysis_of(text)).rollout
    return [(r.kind, r.name, r.namespace, r.path.rsplit("strategy.", 1)[1]) for r in settings.references]


def test_the_objects_a_strategy_names_are_read_where_the_controller_looks_them_up():
    # rollout/controller.go getReferencedRolloutAnalyses: a canary's step analyses, then its
    # background analysis; clusterScope: true is a ClusterAnalysisTemplate
    assert _references(
        "{canary: {steps: [{setWeight: 10}, {analysis: {templates: [{templateName: a}]}}],"
        " analysis: {templates: [{templateName: b, clusterScope: true}]}}}"
    ) == [
        ("AnalysisTemplate", "a", None, "canary.steps[1].analysis.templates[0].templateName"),
        ("ClusterAnalysisTemplate", "b", None, "canary.analysis.templates[0].templateName"),
    ]
    # blueGreen is read first: a canary written beside it is not looked up
    assert _references(
        "{blueGreen: {activeService: web, prePromotionAnalysis: {templates: [{templateName: pre}]},"
        " postPromotionAnalysis: {templates: [{templateName: post}]}},"
        " canary: {analysis: {templates: [{templateName: ignored}]}}}"
    ) == [
        ("AnalysisTemplate", "pre", None, "blueGreen.prePromotionAnalysis.templates[0].templateName"),
        ("AnalysisTemplate", "post", None, "blueGreen.postPromotionAnalysis.templates[0].templateName"),
    ]
    # getReferencedIngresses: ALB before NGINX; the list when written (even empty), else the one
    assert _references(
        "{canary: {trafficRouting: {alb: {ingress: one, ingresses: [a, b]}, nginx: {stableIngress: n}}}}"
    ) == [
        ("Ingress", "a", None, "canary.trafficRouting.alb.ingresses[0]"),
        ("Ingress", "b", None, "canary.trafficRouting.alb.ingresses[1]"),
    ]
    assert _references("{canary: {trafficRouting: {nginx: {stableIngress: web, stableIngresses: []}}}}") == []
    assert _references("{canary: {trafficRouting: {nginx: {stableIngress: web}}}}") == [
        ("Ingress", "web", None, "canary.trafficRouting.nginx.stableIngress")
    ]
    # utils/istio/istio.go GetVirtualServiceNamespaceName: `.cluster.local` stripped, the last part
    # after a dot is the namespace; `virtualServices` when written, else `virtualService`
    assert _references(
        "{canary: {trafficRouting: {istio: {virtualService: {name: old},"
        " virtualServices: [{name: web}, {name: web.mesh}, {name: api.v1.mesh.cluster.local}]}}}}"
    ) == [
        ("VirtualService", "web", None, "canary.trafficRouting.istio.virtualServices[0].name"),
        ("VirtualService", "web", "mesh", "canary.trafficRouting.istio.virtualServices[1].name"),
        ("VirtualService", "api.v1", "mesh", "canary.trafficRouting.istio.virtualServices[2].name"),
    ]
    assert _references(
        "{canary: {trafficRouting: {ambassador: {mappings: [m1]}, appMesh: {virtualService: {name: vs}}}}}"
    ) == [
        ("Mapping", "m1", None, "canary.trafficRouting.ambassador.mappings[0]"),
        ("VirtualService", "vs", None, "canary.trafficRouting.appMesh.virtualService.name"),
    ]


def test_a_rollout_uses_the_objects_its_strategy_names_a_cluster_template_declared_without_its_crd_too():
    text = CANARY.replace(
        "      steps: [{setWeight: 20}, {pause: {}}, {setWeight: 50}, {pause: {duration: 10m}}]",
        "      steps: [{setWeight: 20}, {analysis: {templates: [{templateName: smoke, clusterScope: true}]}}]\n"
        "      trafficRouting: {nginx: {stableIngress: web}}",
    ) + (
        "---\napiVersion: argoproj.io/v1alpha1\nkind: ClusterAnalysisTemplate\nmetadata: {name: smoke}\n"
        "spec: {metrics: [{name: smoke, provider: {web: {url: 'http://smoke'}}}]}\n"
    )
    uses = {(t, d["via"]) for _, t, d in edges(graph_of(text), USES, "Rollout/shop/web")}
    assert ("Ingress/shop/web", "spec.strategy.canary.trafficRouting.nginx.stableIngress") in uses
    # without its CRD the template is read in the default namespace: the edge goes to that object
    assert (
        "ClusterAnalysisTemplate/default/smoke",
        "spec.strategy.canary.steps[1].analysis.templates[0].templateName",
    ) in uses


def test_a_selector_that_kustomize_common_labels_extended_past_a_rollouts_template_names_the_cause():
    # `kubectl kustomize` of kdubois/argo-rollouts-quarkus-demo kubernetes/: commonLabels reach the
    # Service's selector and the Rollout's own labels, not its pod template, since kustomize does not
    # know the kind without Argo Rollouts' transformer configuration (argoproj/argo-rollouts
    # docs/features/kustomize.md). Still an error (the Service has no endpoints); the hint says why.
    built = """\
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: demo, namespace: shop, labels: {app.kubernetes.io/part-of: demo}}
spec:
  selector: {matchLabels: {app: demo}}
  template:
    metadata: {labels: {app: demo}}
    spec: {containers: [{name: demo, image: demo:1}]}
  strategy: {canary: {stableService: demo}}
---
apiVersion: v1
kind: Service
metadata: {name: demo, namespace: shop, labels: {app.kubernetes.io/part-of: demo}}
spec: {selector: {app: demo, app.kubernetes.io/part-of: demo}, ports: [{port: 80}]}
"""
    [finding] = [f for f in analysis_of(built).findings().findings if f.rule == "service-selects-nothing"]
    assert finding.severity.value == "error"
    assert finding.hint.startswith("Rollout/shop/demo carries these labels but its pod template does not")
    assert "rollout-transform.yaml" in finding.hint
