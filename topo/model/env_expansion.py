"""Variable references in a container's env values, command and args: `$(VAR_NAME)`.

The kubelet replaces `$(VAR_NAME)` with the value of a variable defined before it in the same
container (env values) or anywhere in the container's environment (command and args); a
reference to a variable it does not know stays as written, and `$$` is a literal `$` (so
`$$(VAR)` is never expanded).
https://kubernetes.io/docs/tasks/inject-data-application/define-interdependent-environment-variables/
and the API reference of `EnvVar.value` / `Container.args`; the code is
k8s.io/kubernetes third_party/forked/golang/expansion/expand.go.
"""

from __future__ import annotations

import re

#: A reference to a variable whose name is valid by the classic rule, `[-._a-zA-Z][-._a-zA-Z0-9]*`
#: (k8s.io/apimachinery pkg/util/validation IsEnvVarName). Whatever it stands for, it is never a
#: host name as written.
REFERENCE = re.compile(r"\$\([-._a-zA-Z][-._a-zA-Z0-9]*\)")
