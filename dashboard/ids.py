"""Every component id of the dashboard, in one place (layout, callbacks and browser tests use these)."""

# the map and its controls
MAP = "map"
MAP_STATUS = "map-status"
NAMESPACE_FILTER = "filter-namespace"
KIND_FILTER = "filter-kind"
RELATION_FILTER = "filter-relation"
SEVERITY_FILTER = "filter-severity"
SEARCH = "search"
SEARCH_STATUS = "search-status"
MODE = "mode"  # all | focus | blast | route
HOPS = "hops"
ROUTE = "route"
LAYOUT = "layout"  # layered | force
FIT = "fit"
EXPAND_ALL = "expand-all"
COLLAPSE_ALL = "collapse-all"

# state kept in the browser
SELECTED = "selected"  # id of the selected node (object id or namespace group id)
EXPANDED = "expanded"  # namespaces expanded while the map is collapsed
TOKEN = "analysis-token"  # "" = the served analysis, otherwise an uploaded one
FOCUS_REQUEST = "focus-request"  # {"id", "n"}: the browser centres the map on that node
FOCUS_DONE = "focus-done"
HIGHLIGHT = "highlight"  # {"ids": [...], "label": ...}: what a what-if marks on the map
DRAIN = "drain"  # the drain shown ("node:N", "zone:Z", "pool:P"), from the map or the Availability tab
URL_SAVED = "url-saved"  # the last state written to the URL
WHATIF_PENDING = "whatif-pending"  # a what-if workload from the URL, chosen once the options arrive
SEARCH_RESULTS = "search-results"  # several matches: a list to pick from
MAP_DELTA = "map-delta"  # what the server changes on the map: the elements to remove and to add or update
MAP_SHOWN = "map-shown"  # the key of what the map shows (the server's delta applies to it)
MAP_REFRESH = "map-refresh"  # the browser could not apply a delta: the server sends the whole map

# side panel
TABS = "tabs"
PANEL = "panel-"  # prefix: panel-details, panel-findings, ...
DETAILS = "details"
FINDINGS_TABLE = "findings-table"
FINDINGS_STATUS = "findings-status"
LOAD_PROBLEMS = "load-problems"

# reachability tab
REACH_PANEL = "reach-panel"  # the "not available yet" note
REACH_CONTENT = "reach-content"
REACH_BUILT = "reach-built"  # the token whose tab content is built
HEATMAP = "reach-heatmap"
REACH_CELL = "reach-cell"
EXPLAIN_FROM = "explain-from"
EXPLAIN_TO = "explain-to"
EXPLAIN_PORT = "explain-port"
EXPLAIN_BUTTON = "explain-button"
EXPLAIN_RESULT = "explain-result"

# availability tab
AVAILABILITY_PANEL = "availability-panel"
AVAILABILITY_CONTENT = "availability-content"
WORKLOAD_TABLE = "workload-table"
ENTRY_TABLE = "entry-table"
WHATIF_WORKLOAD = "whatif-workload"
WHATIF_REPLICAS = "whatif-replicas"
WHATIF_SURGE = "whatif-surge"
WHATIF_UNAVAILABLE = "whatif-unavailable"
WHATIF_PDB = "whatif-pdb"
WHATIF_RESULT = "whatif-result"
DRAIN_TARGET = "drain-target"
DRAIN_RESULT = "drain-result"
DRAIN_BANNER = "drain-banner"  # the drain's result at the top of the details panel

# header: summary, upload, export
TITLE = "title"  # what is shown: the served path or the uploaded files
SUMMARY = "summary"
UPLOAD = "upload"
UPLOAD_PAYLOAD = "upload-payload"
UPLOAD_STATUS = "upload-status"
RESET_UPLOAD = "reset-upload"
EXPORT_PNG = "export-png"
EXPORT_JSON = "export-json"
DOWNLOAD = "download"

# pattern-matching ids: a clickable object id anywhere in the side panel
GOTO = "goto"  # {"type": GOTO, "id": object id}
COLLAPSE_NAMESPACE = "collapse-ns"  # {"type": COLLAPSE_NAMESPACE, "id": group id}
DRAIN_BUTTON = "drain-button"  # {"type": DRAIN_BUTTON, "id": "node:N" | "zone:Z" | "pool:P" | "" (clear)}
CHIP = "chip"  # {"type": CHIP, "id": "error" | "warning" | "info" | "missing" | "all"}: a summary chip

TAB_NAMES = ("details", "findings", "reachability", "availability", "problems")
