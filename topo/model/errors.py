"""The one exception the model raises for a manifest the API server would not accept as typed."""


class ManifestError(ValueError):
    """A field of a manifest has the wrong type or an impossible value.

    `path` is the dotted field path (``spec.template.spec.containers[0].ports``) so the load
    error can name it; the loader adds file and line.
    """

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.detail = message
