"""The topo dashboard (`topo serve`): `dashboard.app.create_app(analysis) -> Dash`.

Importing this package does nothing else: no file is read and no analysis runs at import time.
"""
