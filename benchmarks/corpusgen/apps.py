"""Apps of a namespace: a web/API Deployment with its Service, Ingress, ConfigMap, Secret, HPA, PDB; a
datastore StatefulSet with its headless Service; workers, agents (DaemonSets), CronJobs and Jobs."""

from __future__ import annotations

from typing import Any

from .objects import (
    app_labels,
    config_map,
    hpa,
    ingress,
    pdb,
    pvc,
    secret,
    selector_labels,
    service,
    service_account,
    workload,
)
from .pods import PodParts
from .state import Namespace, ServiceRef
from .vocab import AGENT_APPS, CLUSTER_DOMAIN, CRON_APPS, DATASTORES, JOB_APPS, WEB_APPS, WORKER_APPS, Obj


class Apps(PodParts):
    """One builder per kind of app; each returns its objects and records the Services it publishes."""

    def web_app(self, ns: Namespace) -> list[Obj]:
        r = self.rng
        app = ns.unique(r.choice(WEB_APPS))
        tier = r.choice(("frontend", "backend", "backend"))
        labels = app_labels(app, tier, ns.team)
        sel = selector_labels(app, tier)
        objs: list[Obj] = []
        http_port = r.choice((8080, 8080, 3000, 5000, 8000))
        named = self.chance(0.75)
        ports: list[tuple[str | None, int]] = [("http" if named else None, http_port)]
        if self.chance(0.5):
            ports.append(("metrics", 9090))
        if self.chance(0.15):
            ports.append(("grpc", 9000))

        cm = f"{app}-config"
        objs.append(config_map(ns.name, cm, labels, self.app_config_data(ns, app)))
        sec = f"{app}-secrets" if self.chance(0.6) else None
        if sec:
            objs.append(secret(ns.name, sec, labels, self.secret_data(("token", "db-password"))))
        sa = None
        if self.chance(0.5):
            sa = f"{app}"
            objs.append(service_account(ns.name, sa, labels))
            sa = self.ref("serviceaccount", sa)

        volumes, mounts = [], []
        if self.chance(0.5):
            v, m = self.config_volume("config", cm)
            volumes.append(v)
            mounts.append(m)
        if sec and self.chance(0.4):
            v, m = self.secret_volume("credentials", sec)
            volumes.append(v)
            mounts.append(m)
        if self.chance(0.3):
            volumes.append({"name": "tmp", "emptyDir": {}})
            mounts.append({"name": "tmp", "mountPath": "/tmp"})
        image = f"registry.example.com/{ns.team}/{app}:{self.version()}"
        containers = [
            self.container(
                ns, app, image, ports, config=cm, secret_name=sec, probes=self.chance(0.8), mounts=mounts
            )
        ]
        if self.chance(0.15):
            containers.append(
                {
                    "name": "envoy",
                    "image": "envoyproxy/envoy:v1.29.1",
                    "ports": [{"name": "admin", "containerPort": 9901}],
                    "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}},
                }
            )
        init = None
        if ns.datastores and self.chance(0.3):
            store, svc = ns.datastores[0]
            host = self.dns_target(ns, svc, store.ports[0][1], same_ns=True)
            init = [
                {
                    "name": "wait-for-db",
                    "image": "busybox:1.36",
                    "command": ["sh", "-c", f"until nc -z {host} {store.ports[0][1]}; do sleep 2; done"],
                }
            ]
        replicas = r.choice((1, 2, 2, 3, 3, 4, 6))
        spec: Obj = {"replicas": replicas, "selector": {"matchLabels": sel}}
        if self.chance(0.5):
            spec["strategy"] = {
                "type": "RollingUpdate",
                "rollingUpdate": {
                    "maxSurge": r.choice((1, "25%", "50%")),
                    "maxUnavailable": r.choice((0, 1, "25%")),
                },
            }
        if self.chance(0.2):
            spec["revisionHistoryLimit"] = 5
        spec["template"] = self.pod_template(
            labels, containers, volumes, sa=sa, affinity_sel=sel if self.chance(0.4) else None, init=init
        )
        objs.append(workload("Deployment", ns.name, app, labels, spec))

        # Service
        svc_ports = []
        for n, p in ports:
            if n == "grpc":
                continue
            port = 80 if p == http_port else p
            target: Any = self.ref("targetport", n) if n else p
            sp: Obj = {"name": n or "http", "port": port, "targetPort": target}
            if self.chance(0.2):
                sp["protocol"] = "TCP"
            svc_ports.append(sp)
        nodeport = self.chance(0.05)
        if nodeport:
            svc_ports[0]["nodePort"] = self.next_nodeport()
        objs.append(
            service(
                ns.name,
                app,
                labels,
                self.ref_selector("service-selector", sel),
                svc_ports,
                type_="NodePort" if nodeport else None,
            )
        )
        ns.services.append(ServiceRef(ns.name, app, 80))

        if self.chance(0.4):
            host = f"{app}.{ns.name}.example.com"
            paths = [("/", self.ref("ingress-backend", app), "http" if self.chance(0.5) else 80)]
            if self.chance(0.2):
                paths.append(("/metrics", app, "metrics" if len(svc_ports) > 1 else 80))
            tls = None
            if self.chance(0.5):
                tls = f"{app}-tls"
                objs.append(
                    secret(
                        ns.name,
                        tls,
                        labels,
                        {"tls.crt": self.token(48), "tls.key": self.token(32)},
                        "kubernetes.io/tls",
                    )
                )
                tls = self.ref("tls-secret", tls)
            objs.append(
                ingress(ns.name, app, labels, host, paths, tls, "nginx", legacy_class=self.chance(0.1))
            )
        if self.chance(0.4):
            objs.append(
                hpa(
                    ns.name,
                    app,
                    labels,
                    "Deployment",
                    self.ref("hpa-target", app),
                    max(2, replicas),
                    max(2, replicas) * r.choice((2, 3, 5)),
                    r.choice((60, 70, 80)),
                )
            )
        if self.chance(0.5):
            objs.append(
                pdb(
                    ns.name,
                    app,
                    labels,
                    self.ref_selector("pdb-selector", sel),
                    **(
                        {"min_available": 1}
                        if self.chance(0.5)
                        else {"max_unavailable": r.choice((1, "25%"))}
                    ),
                )
            )
        return objs

    def datastore_app(self, ns: Namespace) -> list[Obj]:
        r = self.rng
        store = r.choice(DATASTORES)
        app = ns.unique(store.name)
        labels = app_labels(app, "data", ns.team)
        sel = selector_labels(app, "data")
        headless = f"{app}-headless"
        ns.names.add(headless)
        replicas = 3 if store.clustered else r.choice((1, 1, 2))
        objs: list[Obj] = []
        cm = f"{app}-config"
        objs.append(
            config_map(
                ns.name,
                cm,
                labels,
                {
                    "settings.conf": f"# {store.name} settings\nmax_connections = {r.choice((100, 200, 500))}\n"
                },
            )
        )
        sec = f"{app}-credentials"
        objs.append(secret(ns.name, sec, labels, self.secret_data(("username", "password"))))

        extra_env = []
        if store.clustered:
            ordinals = list(range(replicas))
            if self.dangles("ordinal-dns"):
                ordinals.append(replicas)  # es-3 with 3 replicas: resolves to nothing
            fq = self.chance(0.4)
            peer_port = store.ports[-1][1]
            hosts = [
                f"{app}-{i}.{headless}" + (f".{ns.name}.svc.{CLUSTER_DOMAIN}:{peer_port}" if fq else "")
                for i in ordinals
            ]
            extra_env.append({"name": "SEED_HOSTS", "value": ",".join(hosts)})
        extra_env.append(
            {
                "name": "PASSWORD",
                "valueFrom": {"secretKeyRef": {"name": self.ref("secret", sec), "key": "password"}},
            }
        )
        mounts = [{"name": "data", "mountPath": store.data_path}]
        v, m = self.config_volume("config", cm)
        volumes = [v]
        mounts.append(m)
        container = self.container(
            ns,
            store.name,
            store.image,
            list(store.ports),
            config=None,
            secret_name=None,
            probes=self.chance(0.7),
            heavy=True,
            extra_env=extra_env,
            mounts=mounts,
            dns=False,
        )
        sclass = self.rng.choice(("fast-ssd", "fast-ssd", "standard", "local-storage"))
        spec: Obj = {
            "serviceName": self.ref("governing-service", headless),
            "replicas": replicas,
            "selector": {"matchLabels": sel},
        }
        if self.chance(0.3):
            spec["podManagementPolicy"] = "Parallel"
        spec["template"] = self.pod_template(labels, [container], volumes, sa=None, affinity_sel=sel)
        claim = {
            "metadata": {"name": "data"},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": f"{r.choice((10, 20, 50, 100))}Gi"}},
            },
        }
        if self.chance(0.9):
            claim["spec"]["storageClassName"] = self.ref("storageclass", sclass)
        spec["volumeClaimTemplates"] = [claim]
        objs.append(workload("StatefulSet", ns.name, app, labels, spec))

        ports = [{"name": n, "port": p, "targetPort": n} for n, p in store.ports]
        objs.append(
            service(
                ns.name,
                headless,
                labels,
                self.ref_selector("service-selector", sel),
                ports,
                headless=True,
                publish_not_ready=store.clustered,
            )
        )
        objs.append(service(ns.name, app, labels, dict(sel), [ports[0]]))
        ns.services.append(ServiceRef(ns.name, app, store.ports[0][1]))
        ns.datastores.append((store, app))
        if self.chance(0.8):
            objs.append(pdb(ns.name, app, labels, self.ref_selector("pdb-selector", sel), max_unavailable=1))
        return objs

    def worker_app(self, ns: Namespace) -> list[Obj]:
        r = self.rng
        app = ns.unique(r.choice(WORKER_APPS))
        labels = app_labels(app, "worker", ns.team)
        sel = selector_labels(app, "worker")
        objs: list[Obj] = []
        cm = f"{app}-config"
        objs.append(config_map(ns.name, cm, labels, self.app_config_data(ns, app)))
        volumes, mounts = [], []
        if self.chance(0.6):
            claim = f"{app}-data"
            sclass = r.choice(("standard", "standard", "fast-ssd", "local-storage", None))
            objs.append(
                pvc(
                    ns.name,
                    claim,
                    labels,
                    None if sclass is None else self.ref("storageclass", sclass),
                    f"{r.choice((1, 5, 10, 20))}Gi",
                )
            )
            volumes.append({"name": "data", "persistentVolumeClaim": {"claimName": self.ref("pvc", claim)}})
            mounts.append({"name": "data", "mountPath": "/var/lib/data"})
        image = f"registry.example.com/{ns.team}/{app}:{self.version()}"
        ports = [("metrics", 9090)] if self.chance(0.5) else []
        containers = [
            self.container(
                ns, app, image, ports, config=cm, secret_name=None, probes=self.chance(0.5), mounts=mounts
            )
        ]
        spec = {
            "replicas": r.choice((1, 1, 2, 3)),
            "selector": {"matchLabels": sel},
            "template": self.pod_template(labels, containers, volumes, sa=None, affinity_sel=None),
        }
        objs.append(workload("Deployment", ns.name, app, labels, spec))
        if self.chance(0.3):
            objs.append(pdb(ns.name, app, labels, self.ref_selector("pdb-selector", sel), min_available=1))
        return objs

    def agent_app(self, ns: Namespace) -> list[Obj]:
        r = self.rng
        app = ns.unique(r.choice(AGENT_APPS))
        labels = app_labels(app, "agent", ns.team)
        sel = selector_labels(app, "agent")
        cm = f"{app}-config"
        objs: list[Obj] = [
            config_map(
                ns.name,
                cm,
                labels,
                {"agent.conf": f"[OUTPUT]\n    Name forward\n    Host collector.{ns.name}\n"},
            ),
            service_account(ns.name, app, labels),
        ]
        v, m = self.config_volume("config", cm)
        volumes = [v, {"name": "varlog", "hostPath": {"path": "/var/log"}}]
        mounts = [m, {"name": "varlog", "mountPath": "/var/log", "readOnly": True}]
        containers = [
            self.container(
                ns,
                app,
                f"registry.example.com/platform/{app}:{self.version()}",
                [("metrics", 2020)],
                config=None,
                secret_name=None,
                probes=self.chance(0.6),
                mounts=mounts,
                dns=False,
            )
        ]
        spec = {
            "selector": {"matchLabels": sel},
            "updateStrategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": r.choice((1, "10%"))},
            },
            "template": self.pod_template(
                labels,
                containers,
                volumes,
                sa=self.ref("serviceaccount", app),
                affinity_sel=None,
                tolerate=True,
            ),
        }
        objs.append(workload("DaemonSet", ns.name, app, labels, spec))
        return objs

    def batch_container(self, ns: Namespace, app: str, cm: str | None) -> Obj:
        image = f"registry.example.com/{ns.team}/{app}:{self.version()}"
        c = self.container(
            ns, app, image, [], config=cm, secret_name=None, probes=False, command=["/bin/run", app, "--once"]
        )
        if ns.datastores and self.chance(0.6):
            store, svc = ns.datastores[0]
            c["args"] = [
                f"--target={self.dns_target(ns, svc, store.ports[0][1], same_ns=True)}:{store.ports[0][1]}"
            ]
        return c

    def cron_app(self, ns: Namespace) -> list[Obj]:
        r = self.rng
        app = ns.unique(r.choice(CRON_APPS))
        labels = app_labels(app, "batch", ns.team)
        objs: list[Obj] = []
        cm = None
        if self.chance(0.5):
            cm = f"{app}-config"
            objs.append(
                config_map(
                    ns.name,
                    cm,
                    labels,
                    {"SCHEDULE_NOTE": "nightly", "RETENTION_DAYS": str(r.choice((7, 14, 30)))},
                )
            )
        job_spec: Obj = {"backoffLimit": r.choice((0, 2, 6))}
        if self.chance(0.5):
            job_spec["activeDeadlineSeconds"] = r.choice((600, 3600))
        job_spec["template"] = self.pod_template(
            labels,
            [self.batch_container(ns, app, cm)],
            [],
            sa=None,
            affinity_sel=None,
            restart=r.choice(("OnFailure", "Never")),
        )
        spec: Obj = {
            "schedule": r.choice(("0 2 * * *", "*/15 * * * *", "30 3 * * 0", "@hourly", "0 */6 * * *")),
            "jobTemplate": {"spec": job_spec},
        }
        if self.chance(0.6):
            spec["concurrencyPolicy"] = r.choice(("Forbid", "Replace"))
        if self.chance(0.3):
            spec["timeZone"] = "Europe/Paris"
        if self.chance(0.5):
            spec["startingDeadlineSeconds"] = 300
        spec["successfulJobsHistoryLimit"] = 3
        objs.append(workload("CronJob", ns.name, app, labels, spec))
        return objs

    def job_app(self, ns: Namespace) -> list[Obj]:
        r = self.rng
        app = ns.unique(r.choice(JOB_APPS))
        labels = app_labels(app, "batch", ns.team)
        spec: Obj = {"backoffLimit": r.choice((1, 4)), "ttlSecondsAfterFinished": 86400}
        if self.chance(0.5):
            spec["activeDeadlineSeconds"] = 1800
        spec["template"] = self.pod_template(
            labels, [self.batch_container(ns, app, None)], [], sa=None, affinity_sel=None, restart="Never"
        )
        return [workload("Job", ns.name, app, labels, spec)]
