"""Two revisions of samples/wordpress with a known change, for compare mode and live reload.

The change (`next_revision`), and what `topo diff samples/wordpress <after>` says about it:

* backup-cronjob.yaml deleted: CronJob/db/mariadb-backup and PersistentVolumeClaim/db/mariadb-backups
  removed; their three findings resolved (dns-name-unresolved, cronjob-concurrent-runs,
  job-without-deadline);
* wordpress.yaml: the Deployment's replicas 4 → 1: single-replica and pdb-blocks-eviction
  introduced, the entry point Ingress/blog/wordpress drops from 4 ready backends to 1;
* comments.yaml added: Deployment/blog/comments and Service/blog/comments (no probes):
  readiness-probe-missing, single-replica and liveness-probe-missing introduced; connections to
  and from blog/comments become allowed.
"""

from __future__ import annotations

import os
import shutil

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORDPRESS = os.path.join(ROOT, "samples", "wordpress")

COMMENTS = """\
# Added in this revision: a comments service for the blog.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: comments
  namespace: blog
spec:
  replicas: 1
  selector:
    matchLabels:
      app: comments
  template:
    metadata:
      labels:
        app: comments
    spec:
      containers:
        - name: comments
          image: example/comments:1.0
          ports:
            - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: comments
  namespace: blog
spec:
  selector:
    app: comments
  ports:
    - name: http
      port: 80
      targetPort: 8080
"""

ADDED = ("Deployment/blog/comments", "Service/blog/comments")
REMOVED = ("CronJob/db/mariadb-backup", "PersistentVolumeClaim/db/mariadb-backups")
CHANGED = "Deployment/blog/wordpress"
INTRODUCED = {
    ("readiness-probe-missing", "Deployment/blog/comments"),
    ("single-replica", "Deployment/blog/comments"),
    ("liveness-probe-missing", "Deployment/blog/comments"),
    ("single-replica", "Deployment/blog/wordpress"),
    ("pdb-blocks-eviction", "PodDisruptionBudget/blog/wordpress"),
}
RESOLVED = {
    ("dns-name-unresolved", "CronJob/db/mariadb-backup"),
    ("cronjob-concurrent-runs", "CronJob/db/mariadb-backup"),
    ("job-without-deadline", "CronJob/db/mariadb-backup"),
}
DROPPED_ENTRY_POINT = "Ingress/blog/wordpress"


def copy_wordpress(folder) -> str:
    """samples/wordpress copied to `folder` (the before revision, to edit)."""
    target = os.path.join(str(folder), "wordpress")
    shutil.copytree(WORDPRESS, target)
    return target


def next_revision(folder: str) -> None:
    """Apply the change above to a copy of samples/wordpress, in place."""
    os.remove(os.path.join(folder, "backup-cronjob.yaml"))
    path = os.path.join(folder, "wordpress.yaml")
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    assert "\n  replicas: 4\n" in text
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text.replace("\n  replicas: 4\n", "\n  replicas: 1\n"))
    with open(os.path.join(folder, "comments.yaml"), "w", encoding="utf-8") as handle:
        handle.write(COMMENTS)
