"""Where a rendered chart object points in its template file (topo.load.template_lines): the first
content line of its document, told by kind, then by name, then by order."""

from __future__ import annotations

import textwrap

import pytest

from topo.load.template_lines import TemplateLines, action_lines


def template(tmp_path, text: str) -> TemplateLines:
    path = tmp_path / "template.yaml"
    path.write_text(textwrap.dedent(text))
    return TemplateLines(str(path))


def test_a_licence_header_in_a_template_comment_is_not_the_objects_first_line(tmp_path):
    """Bitnami's and HashiCorp's charts open every template with a `{{/* ... */}}` comment over
    several lines; Go templates allow an action (a comment too) to span lines
    (https://pkg.go.dev/text/template#hdr-Text_and_spaces), and Helm renders nothing of it."""
    lines = template(
        tmp_path,
        """\
        {{- /*
        Copyright Example Corp.
        SPDX-License-Identifier: APACHE-2.0
        */}}

        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: db
        """,
    )
    assert lines.line_for("StatefulSet", "db") == 6


def test_documents_of_one_kind_in_a_range_are_told_by_their_names(tmp_path):
    """A `range` writing two policies per namespace: the second namespace's objects point at their
    own documents, not all at the last one of the kind."""
    lines = template(
        tmp_path,
        """\
        {{- range .Values.namespaces }}
        ---
        kind: NetworkPolicy
        metadata:
          name: "{{ . }}-db"
          namespace: {{ . }}
        ---
        kind: NetworkPolicy
        metadata:
          name: {{ . }}-ui
        {{- end }}
        """,
    )
    rendered = ["team-a-db", "team-a-ui", "team-b-db", "team-b-ui"]
    assert [lines.line_for("NetworkPolicy", name) for name in rendered] == [3, 8, 3, 8]


def test_documents_whose_names_do_not_tell_them_apart_go_by_order(tmp_path):
    lines = template(
        tmp_path,
        """\
        kind: ConfigMap
        metadata:
          name: {{ include "fullname" . }}
        ---
        kind: ConfigMap
        metadata:
          name: {{ include "fullname" . }}-extra
        ---
        {{- range .Values.more }}
        kind: ConfigMap
        metadata:
          name: {{ .name }}
        {{- end }}
        """,
    )
    # the first two by order; the extra one by its literal suffix; the range's by order, the last
    # document of the kind when the range renders more than one
    assert [lines.line_for("ConfigMap", name) for name in ["shop", "shop-extra", "a", "b"]] == [1, 5, 10, 10]


def test_a_templated_kind_points_at_its_document_not_at_the_template_action_before_it(tmp_path):
    lines = template(
        tmp_path,
        """\
        {{- if .Values.enabled -}}
        ---
        apiVersion: apps/v1
        kind: {{ .Values.kind }}
        metadata:
          name: canary
        {{- end }}
        """,
    )
    assert lines.line_for("DaemonSet", "canary") == 3


def test_without_a_kind_line_the_object_points_at_the_files_first_content(tmp_path):
    lines = template(
        tmp_path,
        """\
        {{- /* objects written by a helper */ -}}
        {{ include "lib.objects" . }}
        """,
    )
    assert lines.line_for("Deployment", "web") == 1  # nothing but actions: the file's first line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (["{{- if .Values.x }}", "a: 1", "{{- end }}"], [True, False, True]),
        (["{{/*", "text", "*/}}", "a: 1"], [True, True, True, False]),
        (['{{- include "x" (dict', '  "a" 1) }}', "b: 2"], [True, True, False]),
        (["{{ .Values.key }}: value"], [False]),
        (["{{- if .x }}{{- end }}", "  {{ toYaml .Values.r | nindent 2 }}"], [True, True]),
        (["{{/* never closed", "a: 1"], [False, False]),
    ],
)
def test_action_lines_cover_actions_over_several_lines(text, expected):
    assert action_lines(text) == expected


def test_a_document_marker_is_not_content(tmp_path):
    lines = template(
        tmp_path,
        """\
        {{- range .Values.zones }}
        ---
        {{ include "component" . }}
        {{- end }}
        """,
    )
    assert lines.line_for("StatefulSet", "ingester-zone-a") == 1
