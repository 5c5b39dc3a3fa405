"""Jobs and CronJobs: schedules the API server rejects, runs that overlap, runs that never end."""

from __future__ import annotations

from topo.analyses.cron import TZ_IN_SCHEDULE_REJECTED_SINCE, schedule_problems
from topo.model import Workload
from topo.rules.registry import ERROR, INFO, Issue, rule


@rule(
    "cronjob-schedule-invalid",
    title="CronJob schedule or time zone the API server rejects",
    severity=ERROR,
    kinds=("CronJob",),
    why_severity="error: the API server rejects the object (or the controller never runs it) as written.",
)
def cronjob_schedule_invalid(cronjob: Workload, ctx):
    """
    What it does:
        Checks `spec.schedule` and `spec.timeZone` the way the API server does: five fields
        (minute 0-59, hour 0-23, day of month 1-31, month 1-12 or `jan`-`dec`, day of week 0-6 or
        `sun`-`sat`) with lists, ranges and steps, or one of `@yearly @annually @monthly @weekly
        @daily @midnight @hourly` (and `@every <duration>`); no `TZ=`/`CRON_TZ=` inside the
        schedule (use `spec.timeZone`); a `timeZone` that names a zone of the IANA database (not
        `Local`). It also reports a schedule that parses but can never fire, such as
        `0 0 30 2 *` (February 30th).

    Why it matters:
        The API server rejects the CronJob (`spec.schedule: Invalid value: "0 0 * * 7": end of
        range (7) above maximum (6)`), so `kubectl apply`, the Helm release or the GitOps sync
        fails; a schedule that never fires is accepted and the job silently never runs. Note
        that Kubernetes cron has no `7` for Sunday and no seconds field, unlike many crons.

    Example:
        ```yaml
        spec:
          schedule: "CRON_TZ=Europe/Berlin 0 2 * * 7"   # TZ in the schedule, and 7 is out of range
        ```

    Fix:
        Write five fields with values in range (Sunday is `0` or `sun`), and put the time zone
        in `spec.timeZone` (`timeZone: Europe/Berlin`, Kubernetes 1.27+; beta from 1.25).

    References:
        - https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#schedule-syntax
        - https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones
        - https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/batch/validation/validation.go
        - https://github.com/robfig/cron/blob/v3.0.1/parser.go
    """
    if not isinstance(cronjob, Workload) or cronjob.cronjob is None:
        return
    settings = cronjob.cronjob
    for problem in schedule_problems(settings.schedule, settings.time_zone):
        value = settings.schedule if problem.field == "spec.schedule" else settings.time_zone
        message = f"{problem.field} {value!r}: {problem.message}"
        hint = "write five fields (minute hour day-of-month month day-of-week) with values in range; Sunday is 0 or sun"
        if "TZ or CRON_TZ" in problem.message:
            since = ".".join(map(str, TZ_IN_SCHEDULE_REJECTED_SINCE))
            if ctx.config.kubernetes_minor >= TZ_IN_SCHEDULE_REJECTED_SINCE:
                message += f" (new CronJobs are rejected since Kubernetes {since})"
            else:
                message += f" (not officially supported; new CronJobs are rejected from Kubernetes {since})"
            hint = "remove TZ=/CRON_TZ= from the schedule and set spec.timeZone to the zone"
        elif problem.field == "spec.timeZone":
            hint = "use an IANA time zone name such as Europe/Berlin or Etc/UTC"
        elif not problem.rejected:
            message = f"spec.schedule {value!r} is accepted but {problem.message}"
            hint = "fix the day of month or the month so that the date exists"
        yield Issue(message, hint=hint, path=problem.field)


@rule(
    "cronjob-concurrent-runs",
    title="CronJob allows overlapping runs",
    severity=INFO,
    kinds=("CronJob",),
    why_severity=(
        "info: overlapping runs are advice about a schedule, not a failure; whether they hurt "
        "depends on the job."
    ),
)
def cronjob_concurrent_runs(cronjob: Workload, ctx):
    """
    What it does:
        Finds CronJobs whose `concurrencyPolicy` is `Allow`, written or by default.

    Why it matters:
        With `Allow` the controller starts the next run even while the previous one is still
        running. A backup, an ETL or a report that occasionally runs long then overlaps with
        itself: two dumps compete for the database and the disk, two imports write the same
        rows, and a job that hangs piles up one more pod per schedule.

    Example:
        ```yaml
        kind: CronJob
        spec:
          schedule: "0 2 * * *"
          # concurrencyPolicy not set: Allow
        ```

    Fix:
        Set `concurrencyPolicy: Forbid` (skip a run while one is active) or `Replace` (stop the
        old run and start the new one); keep `Allow` only for runs that are safe in parallel,
        and record that with `topo.dev/ignore: "cronjob-concurrent-runs: <why>"`.

    References:
        - https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#concurrency-policy
    """
    if not isinstance(cronjob, Workload) or cronjob.cronjob is None:
        return
    if cronjob.cronjob.concurrency_policy != "Allow":
        return
    spec = cronjob.raw.get("spec")
    written = isinstance(spec, dict) and "concurrencyPolicy" in spec
    yield Issue(
        f"concurrencyPolicy is Allow{'' if written else ' (the default)'}: a run that lasts longer than "
        f"the interval of schedule {cronjob.cronjob.schedule!r} overlaps with the next one",
        hint="set concurrencyPolicy: Forbid (or Replace) unless runs are safe in parallel",
        path="spec.concurrencyPolicy",
    )


@rule(
    "job-without-deadline",
    title="Job or CronJob without a deadline",
    severity=INFO,
    kinds=("Job", "CronJob"),
    why_severity=(
        "info: advice; a deadline bounds a run that hangs, which is an event, not the normal case."
    ),
)
def job_without_deadline(job: Workload, ctx):
    """
    What it does:
        Finds Jobs without `spec.activeDeadlineSeconds`, and CronJobs without
        `spec.startingDeadlineSeconds` or without `activeDeadlineSeconds` in their
        `jobTemplate`; the message says which field is missing.

    Why it matters:
        `backoffLimit` bounds retries, not time: a run that hangs (a stuck connection, a lock
        wait) keeps its pod and its resources forever, and with `concurrencyPolicy: Forbid`
        it blocks every later run. Without `startingDeadlineSeconds` a run that missed its time
        (controller down, a `Forbid` run still active, the CronJob suspended) starts whenever the
        controller gets to it, however late: the 02:00 backup starts at 14:00 under peak load.
        With it, a run later than the deadline is skipped (event `MissSchedule`), and the
        controller counts missed runs only within the deadline.

    Example:
        ```yaml
        kind: CronJob
        spec:
          schedule: "0 2 * * *"
          # no startingDeadlineSeconds
          jobTemplate:
            spec:
              # no activeDeadlineSeconds: a hung dump runs forever
        ```

    Fix:
        Set `activeDeadlineSeconds` to a generous upper bound of a run (the Job is failed and
        its pods stopped after it) and, on CronJobs, `startingDeadlineSeconds` to how late a
        run may still start (for example a fraction of the interval).

    References:
        - https://kubernetes.io/docs/concepts/workloads/controllers/job/#job-termination-and-cleanup
        - https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#job-creation
    """
    if not isinstance(job, Workload) or job.job is None:
        return
    if job.kind == "Job":
        if job.job.active_deadline_seconds is None:
            yield Issue(
                "spec.activeDeadlineSeconds is not set: a run that hangs keeps its pods forever",
                hint="set spec.activeDeadlineSeconds to a generous upper bound of one run",
            )
        return
    missing = []
    if job.cronjob is not None and job.cronjob.starting_deadline_seconds is None:
        missing.append(
            (
                "spec.startingDeadlineSeconds",
                "a missed run starts however late",
                "to how late a run may still start",
            )
        )
    if job.job.active_deadline_seconds is None:
        missing.append(
            (
                "spec.jobTemplate.spec.activeDeadlineSeconds",
                "a run that hangs runs forever",
                "to a generous upper bound of one run",
            )
        )
    if missing:
        fields = " and ".join(field for field, _, _ in missing)
        yield Issue(
            f"{fields} {'is' if len(missing) == 1 else 'are'} not set: {'; '.join(why for _, why, _ in missing)}",
            hint="; ".join(f"set {field} {how}" for field, _, how in missing),
        )
