"""Text made safe for the formats whose syntax a value could break: XML (JUnit, GraphML) and
Mermaid labels. (Markdown: `cell` and `code` in report_markdown; HTML: `html.escape`.)"""

from __future__ import annotations

import re

# Characters XML 1.0 cannot carry at all, not even as character references (§2.2 Char).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_BREAKS = re.compile(r"[\r\n\u2028\u2029\x85]+")


def xml_safe(text: object) -> str:
    """A value XML can hold: each character XML 1.0 forbids (NUL, ESC, other control characters)
    written as a visible `\\xNN` instead, so the document always parses."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


def mermaid_label(text: object) -> str:
    """A value inside a quoted Mermaid label (`n1["..."]`): one line (a newline would start a new
    statement, such as `click n1 call alert()`), no quote to end the label, no HTML tag, no
    control character. Mermaid's entity codes (`#quot;`) stand for what is escaped."""
    text = _BREAKS.sub(" ", xml_safe(text))
    return (
        text.replace("#", "#35;")
        .replace('"', "#quot;")
        .replace("<", "#lt;")
        .replace(">", "#gt;")
        .replace("`", "#96;")
    )
