"""Parts of configuration text that the program does not act on, so that the names in them are
no calls (topo.graph.link_calls).

- A block switched off: a mapping whose own `enabled` key is `false` (or the string "false") in
  YAML or JSON text. Charts write every component's default address whether the component runs
  or not (Loki's `bloom_build: {enabled: false, builder: {planner_address: ...}}`, whose planner
  Service the chart then does not render); the program reads the block only when it is on.
  Everything under that mapping, at any depth, is off; its siblings and parents are not. Only
  `false` counts, not YAML 1.1's `no`/`off`, which YAML 1.2 parsers (Go's yaml.v3) read as strings.
- The seed hosts of an Elasticsearch or OpenSearch node started with `discovery.type:
  single-node` (env): it elects itself and joins no cluster (Elasticsearch reference, "Discovery
  and cluster formation settings"); charts set both.
- The variables in which a program describes itself to its telemetry (env): the OpenTelemetry
  SDKs' `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES` (`service.name=checkout,...`: the
  resource's own attributes, https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/),
  the Jaeger clients' `JAEGER_SERVICE_NAME`, Elastic APM's `ELASTIC_APM_SERVICE_NAME` and Datadog's
  `DD_SERVICE`. The name is usually that of the workload's own Service: no call to it.
- The service URLs given to Apache Pulsar's `initialize-cluster-metadata` (`--web-service-url`,
  `--web-service-url-tls`, `--broker-service-url`, `--broker-service-url-tls`, in a script): the
  command stores them in the metadata store as the cluster's data for clients to look up, and
  connects only to the metadata and configuration stores (pulsar.apache.org/docs
  admin-api-clusters, "Initialize cluster metadata"; apache/pulsar PulsarClusterMetadataSetup).
  Charts publish the TLS URLs whether or not the broker listens on them (Milvus's Pulsar init Job).
- The keywords a program reads in a host-like variable as a choice of its own, not a host:
  Vaultwarden's `ICON_SERVICE` is `internal` (its own icon fetcher, the default), `bitwarden`,
  `duckduckgo` or `google` (built-in URL templates), or else a URL template with `{}`, which is a
  call (dani-garcia/vaultwarden `.env.template` "Icon service", src/config.rs `icon_service`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from topo.load.nesting import too_deep
from topo.load.yamldocs_base import SafeLoader
from topo.model.objects import EnvVar

#: Cheap test before parsing: an `enabled` key followed by false, as YAML or JSON writes it.
_ENABLED_FALSE = re.compile(r"""\benabled["']?\s*:\s*["']?(?i:false)\b""")

_DISCOVERY_TYPE = frozenset({"discovery.type", "DISCOVERY_TYPE"})
_SEED_HOSTS = frozenset({"discovery.seed_hosts", "DISCOVERY_SEED_HOSTS", "discovery.zen.ping.unicast.hosts"})
_DESCRIBES_ITSELF = frozenset(
    {
        "OTEL_SERVICE_NAME",
        "OTEL_RESOURCE_ATTRIBUTES",
        "JAEGER_SERVICE_NAME",
        "ELASTIC_APM_SERVICE_NAME",
        "DD_SERVICE",
    }
)

#: A host-like variable's values that its program reads as one of its own keywords (the module's
#: docstring): (variable, keywords), compared whole and case-sensitively, as the program does.
_KEYWORD_CHOICES: dict[str, frozenset[str]] = {
    "ICON_SERVICE": frozenset({"internal", "bitwarden", "duckduckgo", "google"}),
}

#: Character spans [start, end) of a text, sorted and disjoint.
Spans = tuple[tuple[int, int], ...]

_CLUSTER_METADATA_COMMAND = "initialize-cluster-metadata"
#: Where a shell command ends: `;`, `&&`, `||`, `|` or a line end that no `\` continues.
_COMMAND_END = re.compile(r"[;&|]|(?<!\\)\n")
#: A published URL option and its value (`--broker-service-url-tls pulsar+ssl://...:6651/`).
_PUBLISHED_URL_OPTION = re.compile(
    r"--(?:web-service-url|broker-service-url)(?:-tls)?(?:[ \t]+|=)['\"]?(?P<value>[^\s'\";]+)"
)


def ignored_variables(env: Iterable[EnvVar]) -> frozenset[str]:
    """The names of a container's env variables that its program does not act on."""
    env = list(env)
    single_node = any(
        variable.name in _DISCOVERY_TYPE and (variable.value or "").strip() == "single-node"
        for variable in env
    )
    return (_DESCRIBES_ITSELF | _SEED_HOSTS) if single_node else _DESCRIBES_ITSELF


def keyword_choice(variable: str | None, value: str) -> bool:
    """Whether `value` of the variable is one of the keywords its program chooses among, not a host.

    >>> keyword_choice("ICON_SERVICE", "internal"), keyword_choice("ICON_SERVICE", "https://i.example/{}")
    (True, False)
    """
    return variable is not None and value.strip() in _KEYWORD_CHOICES.get(variable, frozenset())


def ignored_spans(text: str) -> Spans:
    """The spans of `text` whose names the program does not call: blocks switched off and the
    URLs a command publishes (the module's docstring)."""
    return _merged([*switched_off_spans(text), *published_url_spans(text)])


def published_url_spans(text: str) -> Spans:
    """The spans of the service URLs a Pulsar `initialize-cluster-metadata` command in `text`
    stores for clients rather than connects to.

    >>> text = "bin/pulsar initialize-cluster-metadata --web-service-url-tls https://b:8443/; curl https://b:8443/"
    >>> [text[start:end] for start, end in published_url_spans(text)]
    ['https://b:8443/']
    """
    spans: list[tuple[int, int]] = []
    start = text.find(_CLUSTER_METADATA_COMMAND)
    while start != -1:
        end_match = _COMMAND_END.search(text, start)
        end = end_match.start() if end_match else len(text)
        for option in _PUBLISHED_URL_OPTION.finditer(text, start, end):
            spans.append(option.span("value"))
        start = text.find(_CLUSTER_METADATA_COMMAND, end)
    return tuple(spans)


def switched_off_spans(text: str) -> Spans:
    """The spans of `text` that lie under a mapping switched off with `enabled: false`; () when
    there is none or the text is not YAML/JSON.

    >>> text = "a:\\n  enabled: false\\n  url: http://x:80\\nb: http://y:80\\n"
    >>> [text[start:end] for start, end in switched_off_spans(text)]
    ['enabled: false\\n  url: http://x:80']
    """
    if "enabled" not in text or _ENABLED_FALSE.search(text) is None:
        return ()
    if text.lstrip()[:1] in ("{", "["):
        text = text.replace("\t", " ")  # JSON may indent with tabs, which YAML forbids (same length)
    if too_deep(text) is not None:
        return ()  # the C composer would overflow its stack (topo.load.nesting)
    try:
        documents = list(yaml.compose_all(text, Loader=SafeLoader))
    except (yaml.YAMLError, RecursionError):
        return ()  # not YAML or JSON (an ini file, a script): nothing is known to be off
    spans: list[tuple[int, int]] = []
    seen: set[int] = set()  # an alias repeats a node: visit each once
    stack: list[Node] = [node for node in documents if node is not None]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            if _switched_off(node):
                spans.append((node.start_mark.index, _content_end(node)))
                continue  # everything below is off already
            for key, value in node.value:
                stack.extend((key, value))
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    return _merged(spans)


def within(spans: Spans, position: int) -> bool:
    """Whether `position` lies in one of `spans` (a handful per text: a linear look)."""
    return any(start <= position < end for start, end in spans)


def _switched_off(mapping: MappingNode) -> bool:
    return any(
        isinstance(key, ScalarNode)
        and key.value == "enabled"
        and isinstance(value, ScalarNode)
        and value.value.lower() == "false"
        for key, value in mapping.value
    )


def _content_end(node: Node) -> int:
    """Where the node's own text ends. A block collection ends where the next token starts, past
    the comments and blank lines after it: its last value's end is its own."""
    while isinstance(node, (MappingNode, SequenceNode)) and not node.flow_style and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, MappingNode) else last
    return node.end_mark.index


def _merged(spans: list[tuple[int, int]]) -> Spans:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)
