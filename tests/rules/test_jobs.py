"""Job and CronJob rules: version-dependent messages and field choices the fixtures do not show.

Upstream: k8s.io/kubernetes pkg/apis/batch/validation/validation.go (validateScheduleFormat;
TZ in a new CronJob's schedule is rejected since 1.27, kubernetes/kubernetes#116252) and
pkg/apis/batch/v1/defaults.go (SetDefaults_CronJob: concurrencyPolicy Allow).
"""

from __future__ import annotations

import textwrap

from topo.api import analyze
from topo.config import Config
from topo.rules import RULES
from topo.rules.engine import run_rules


def findings(rule_id: str, yaml_text: str, config: Config | None = None):
    analysis = analyze(text=textwrap.dedent(yaml_text), config=config)
    assert not analysis.load_errors, [str(e) for e in analysis.load_errors]
    results = run_rules(analysis.rule_context, [RULES[rule_id]])
    assert not results.rule_errors, results.rule_errors
    return results.findings


def cronjob(spec_lines: str = "", job_spec_lines: str = "", schedule: str = '"0 2 * * *"') -> str:
    return f"""
    apiVersion: batch/v1
    kind: CronJob
    metadata: {{name: backup}}
    spec:
      schedule: {schedule}
      {spec_lines}
      jobTemplate:
        spec:
          {job_spec_lines}
          template:
            spec:
              restartPolicy: OnFailure
              containers: [{{name: dump, image: mariadb}}]
    """


def test_tz_in_schedule_message_depends_on_the_target_version():
    text = cronjob(schedule='"TZ=Europe/Berlin 0 2 * * *"')
    current = findings("cronjob-schedule-invalid", text, Config(kubernetes_version="1.30"))
    assert "rejected since Kubernetes 1.27" in current[0].message
    older = findings("cronjob-schedule-invalid", text, Config(kubernetes_version="1.26"))
    assert "not officially supported" in older[0].message


def test_each_problem_is_its_own_finding():
    text = cronjob("timeZone: Mars/Olympus", schedule='"0 2 * * 7"')
    messages = [f.message for f in findings("cronjob-schedule-invalid", text)]
    assert messages == [
        "spec.schedule '0 2 * * 7': end of range (7) above maximum (6): 7",
        "spec.timeZone 'Mars/Olympus': unknown time zone Mars/Olympus",
    ]


def test_concurrency_message_says_when_allow_is_the_default():
    assert "(the default)" in findings("cronjob-concurrent-runs", cronjob())[0].message
    assert (
        "(the default)"
        not in findings("cronjob-concurrent-runs", cronjob("concurrencyPolicy: Allow"))[0].message
    )


def test_cronjob_deadline_message_names_the_missing_fields():
    both = findings("job-without-deadline", cronjob())[0].message
    assert both.startswith(
        "spec.startingDeadlineSeconds and spec.jobTemplate.spec.activeDeadlineSeconds are not set"
    )
    only_start = findings("job-without-deadline", cronjob(job_spec_lines="activeDeadlineSeconds: 3600"))[
        0
    ].message
    assert only_start.startswith("spec.startingDeadlineSeconds is not set")
    assert (
        findings(
            "job-without-deadline", cronjob("startingDeadlineSeconds: 600", "activeDeadlineSeconds: 3600")
        )
        == ()
    )
