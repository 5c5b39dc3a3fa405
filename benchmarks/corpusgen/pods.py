"""Pod template pieces: containers with env (DNS names of other Services, ConfigMap and Secret
references), probes on named ports, affinity, volumes, and the data of app ConfigMaps and Secrets."""

from __future__ import annotations

from typing import Any

from .base import CorpusBase
from .state import Namespace
from .vocab import CLUSTER_DOMAIN, Obj


class PodParts(CorpusBase):
    """Builds containers and pod templates the way applications reference each other."""

    def probe(self, port: Any, path: str | None, *, liveness: bool) -> Obj:
        r = self.rng
        if path is None:
            p: Obj = {"tcpSocket": {"port": port}}
        else:
            p = {"httpGet": {"path": path, "port": port}}
        if liveness:
            p["initialDelaySeconds"] = r.choice((10, 15, 30, 60))
            p["periodSeconds"] = r.choice((10, 20))
            p["failureThreshold"] = r.choice((3, 5))
        else:
            p["periodSeconds"] = r.choice((5, 10))
            if self.chance(0.3):
                p["timeoutSeconds"] = 2
        return p

    def affinity(self, sel: dict[str, str]) -> Obj:
        r = self.rng
        out: Obj = {}
        if self.chance(0.7):
            term = {
                "labelSelector": {"matchLabels": sel},
                "topologyKey": r.choice(("kubernetes.io/hostname", "topology.kubernetes.io/zone")),
            }
            if self.chance(0.5):
                out["podAntiAffinity"] = {
                    "preferredDuringSchedulingIgnoredDuringExecution": [
                        {"weight": 100, "podAffinityTerm": term}
                    ]
                }
            else:
                out["podAntiAffinity"] = {"requiredDuringSchedulingIgnoredDuringExecution": [term]}
        if not out or self.chance(0.4):
            out["nodeAffinity"] = {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [
                        {
                            "matchExpressions": [
                                {
                                    "key": "pool",
                                    "operator": "In",
                                    "values": [r.choice(("general", "highmem"))],
                                }
                            ]
                        }
                    ]
                }
            }
        return out

    def dns_env(self, ns: Namespace, name_hint: str) -> list[Obj]:
        """Env vars naming other Services by DNS, in the forms applications use."""
        r = self.rng
        env: list[Obj] = []
        # same-namespace datastores
        for store, svc in ns.datastores[:2]:
            port = store.ports[0][1]
            host = self.dns_target(ns, svc, port, same_ns=True)
            var = store.name.upper().replace("-", "_")
            if store.scheme and self.chance(0.5):
                env.append({"name": f"{var}_URL", "value": f"{store.scheme}://app@{host}:{port}/{name_hint}"})
            else:
                env.append({"name": f"{var}_HOST", "value": host})
                env.append({"name": f"{var}_PORT", "value": str(port)})
        # a same-namespace HTTP dependency
        stores = {svc for _, svc in ns.datastores}
        peers = [s for s in ns.services if s.name != name_hint and s.name not in stores]
        if peers and self.chance(0.6):
            s = r.choice(peers)
            host = self.dns_target(ns, s.name, s.port, same_ns=True)
            env.append(
                {
                    "name": f"{s.name.upper().replace('-', '_')}_SERVICE_URL",
                    "value": f"http://{host}:{s.port}/api",
                }
            )
        # cross-namespace dependencies
        for _ in range(r.choice((0, 1, 1, 2))):
            if not self.registry:
                break
            s = r.choice(self.registry)
            host = self.dns_target(ns, s.name, s.port, same_ns=False, other_ns=s.namespace)
            var = f"{s.name.upper().replace('-', '_')}_{s.namespace.split('-')[0].upper()}"
            form = r.randrange(3)
            if form == 0:
                env.append({"name": f"{var}_HOST", "value": host})
            elif form == 1:
                env.append({"name": f"{var}_URL", "value": f"http://{host}.svc.{CLUSTER_DOMAIN}:{s.port}/"})
            else:
                env.append({"name": f"{var}_ADDR", "value": f"{host}:{s.port}"})
        return env

    def dns_target(
        self, ns: Namespace, svc: str, port: int, *, same_ns: bool, other_ns: str | None = None
    ) -> str:
        """``svc`` / ``svc.ns`` for a Service, or (5%) a name that resolves to nothing."""
        if same_ns:
            host = self.ref("dns", svc)
            return host if self.chance(0.7) else f"{host}.{ns.name}"
        if self.dangles("dns"):
            return self.rng.choice((f"{svc}-legacy.{other_ns}", f"{svc}.{other_ns}-old"))
        return f"{svc}.{other_ns}"

    def container(
        self,
        ns: Namespace,
        app: str,
        image: str,
        ports: list[tuple[str | None, int]],
        *,
        config: str | None,
        secret_name: str | None,
        probes: bool,
        heavy: bool = False,
        extra_env: list[Obj] | None = None,
        mounts: list[Obj] | None = None,
        dns: bool = True,
        command: list[str] | None = None,
    ) -> Obj:
        r = self.rng
        c: Obj = {"name": app if len(app) <= 63 else app[:63], "image": image}
        if command:
            c["command"] = command
        if ports:
            c["ports"] = [
                ({"name": n, "containerPort": p} if n else {"containerPort": p})
                | ({"protocol": "TCP"} if self.chance(0.3) else {})
                for n, p in ports
            ]
        env: list[Obj] = [{"name": "LOG_LEVEL", "value": r.choice(("info", "debug", "warn"))}]
        if self.chance(0.4):
            env.append({"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}})
        if dns:
            env.extend(self.dns_env(ns, app))
        if secret_name:
            env.append(
                {
                    "name": "API_TOKEN",
                    "valueFrom": {"secretKeyRef": {"name": self.ref("secret", secret_name), "key": "token"}},
                }
            )
        if config and self.chance(0.3):
            env.append(
                {
                    "name": "FEATURE_FLAGS",
                    "valueFrom": {
                        "configMapKeyRef": {"name": self.ref("configmap", config), "key": "FEATURE_FLAGS"}
                    },
                }
            )
        env.extend(extra_env or [])
        c["env"] = env
        if config and self.chance(0.6):
            c["envFrom"] = [{"configMapRef": {"name": self.ref("configmap", config)}}]
        c["resources"] = self.resources(heavy)
        if probes and ports:
            pname, pnum = ports[0]
            port: Any = pname if pname and self.chance(0.7) else pnum
            path = "/healthz" if self.chance(0.7) else None
            c["readinessProbe"] = self.probe(port, "/ready" if path else None, liveness=False)
            if self.chance(0.8):
                c["livenessProbe"] = self.probe(port, path, liveness=True)
        if mounts:
            c["volumeMounts"] = mounts
        if self.chance(0.5):
            c["securityContext"] = {
                "runAsNonRoot": True,
                "allowPrivilegeEscalation": False,
                "readOnlyRootFilesystem": self.chance(0.5),
            }
        return c

    def pod_template(
        self,
        labels: dict,
        containers: list[Obj],
        volumes: list[Obj],
        *,
        sa: str | None,
        affinity_sel: dict | None,
        restart: str | None = None,
        tolerate: bool = False,
        init: list[Obj] | None = None,
    ) -> Obj:
        r = self.rng
        spec: Obj = {}
        if sa:
            spec["serviceAccountName"] = sa
        if restart:
            spec["restartPolicy"] = restart
        if init:
            spec["initContainers"] = init
        spec["containers"] = containers
        if volumes:
            spec["volumes"] = volumes
        if affinity_sel is not None:
            spec["affinity"] = self.affinity(affinity_sel)
        elif self.chance(0.15):
            spec["nodeSelector"] = {"pool": r.choice(("general", "highmem"))}
        if tolerate:
            spec["tolerations"] = [
                {"key": "CriticalAddonsOnly", "operator": "Exists"},
                {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"},
            ]
        if self.chance(0.3):
            spec["terminationGracePeriodSeconds"] = r.choice((10, 30, 60))
        annotations = (
            {"prometheus.io/scrape": "true", "prometheus.io/port": "9090"} if self.chance(0.4) else None
        )
        tmeta: Obj = {"labels": labels}
        if annotations:
            tmeta["annotations"] = annotations
        return {"metadata": tmeta, "spec": spec}

    def config_volume(self, name: str, cm: str) -> tuple[Obj, Obj]:
        return (
            {"name": name, "configMap": {"name": self.ref("configmap", cm)}},
            {"name": name, "mountPath": f"/etc/{name}", "readOnly": True},
        )

    def secret_volume(self, name: str, sec: str) -> tuple[Obj, Obj]:
        return (
            {"name": name, "secret": {"secretName": self.ref("secret", sec)}},
            {"name": name, "mountPath": f"/var/run/secrets/{name}", "readOnly": True},
        )

    def app_config_data(self, ns: Namespace, app: str) -> dict[str, str]:
        r = self.rng
        data = {
            "LOG_FORMAT": "json",
            "FEATURE_FLAGS": ",".join(
                r.sample(("search-v2", "new-cart", "dark-mode", "beta-api", "fast-path"), 2)
            ),
            "CACHE_TTL_SECONDS": str(r.choice((30, 60, 300))),
        }
        if self.chance(0.5):
            lines = [f"server:\n  port: 8080\n  name: {app}\n"]
            if ns.datastores:
                store, svc = ns.datastores[0]
                lines.append(
                    f"storage:\n  host: {self.dns_target(ns, svc, store.ports[0][1], same_ns=True)}\n"
                    f"  port: {store.ports[0][1]}\n"
                )
            lines.append(f"timeouts:\n  read: {r.choice((5, 10, 30))}s\n  write: 10s\n")
            data["application.yaml"] = "".join(lines)
        return data

    def secret_data(self, keys: tuple[str, ...]) -> dict[str, str]:
        return {k: self.token() for k in keys}
