"""The pages' browser libraries: which npm dist files are vendored, and the import map naming them."""

from __future__ import annotations

import json
from pathlib import PurePosixPath

from django.templatetags.static import static
from django.utils.safestring import SafeString, mark_safe

# node_modules path -> path under frontend/static/vendor/. Only these files are served; keep the list explicit
# so the lesson page stays small (every file here is counted by benchmarks/frontend.py).
VENDOR_FILES: dict[str, str] = {
    "@xterm/xterm/lib/xterm.mjs": "xterm/xterm.mjs",
    "@xterm/xterm/css/xterm.css": "xterm/xterm.css",
    "@xterm/addon-fit/lib/addon-fit.mjs": "xterm/addon-fit.mjs",
    "@codemirror/state/dist/index.js": "codemirror/state.js",
    "@codemirror/view/dist/index.js": "codemirror/view.js",
    "@codemirror/language/dist/index.js": "codemirror/language.js",
    "@codemirror/streamparser/dist/index.js": "codemirror/streamparser.js",
    "@codemirror/commands/dist/index.js": "codemirror/commands.js",
    "@codemirror/lint/dist/index.js": "codemirror/lint.js",
    "@codemirror/lang-yaml/dist/index.js": "codemirror/lang-yaml.js",
    "@lezer/common/dist/index.js": "lezer/common.js",
    "@lezer/highlight/dist/index.js": "lezer/highlight.js",
    "@lezer/lr/dist/index.js": "lezer/lr.js",
    "@lezer/yaml/dist/index.js": "lezer/yaml.js",
    "@marijn/find-cluster-break/src/index.js": "misc/find-cluster-break.js",
    "crelt/index.js": "misc/crelt.js",
    "style-mod/src/style-mod.js": "misc/style-mod.js",
    "w3c-keyname/index.js": "misc/w3c-keyname.js",
    # The instructors' statistics page only: Chart.js (its module imports its chunk by a relative path).
    "chart.js/dist/chart.js": "chartjs/chart.js",
    "chart.js/dist/chunks/helpers.dataset.js": "chartjs/chunks/helpers.dataset.js",
    "@kurkle/color/dist/color.esm.js": "chartjs/kurkle-color.js",
}

# Vendored files no learner's page loads (benchmarks/frontend.py leaves them out of the lesson page's weight).
INSTRUCTOR_ONLY: set[str] = {"chartjs/chart.js", "chartjs/chunks/helpers.dataset.js", "chartjs/kurkle-color.js"}

# Bare module specifiers used by the vendored ES modules and by ours -> file under frontend/static/vendor/.
IMPORT_MAP: dict[str, str] = {
    "@xterm/xterm": "xterm/xterm.mjs",
    "@xterm/addon-fit": "xterm/addon-fit.mjs",
    "@codemirror/state": "codemirror/state.js",
    "@codemirror/view": "codemirror/view.js",
    "@codemirror/language": "codemirror/language.js",
    "@codemirror/streamparser": "codemirror/streamparser.js",
    "@codemirror/commands": "codemirror/commands.js",
    "@codemirror/lint": "codemirror/lint.js",
    "@codemirror/lang-yaml": "codemirror/lang-yaml.js",
    "@lezer/common": "lezer/common.js",
    "@lezer/highlight": "lezer/highlight.js",
    "@lezer/lr": "lezer/lr.js",
    "@lezer/yaml": "lezer/yaml.js",
    "@marijn/find-cluster-break": "misc/find-cluster-break.js",
    "crelt": "misc/crelt.js",
    "style-mod": "misc/style-mod.js",
    "w3c-keyname": "misc/w3c-keyname.js",
    "chart.js": "chartjs/chart.js",
    "@kurkle/color": "chartjs/kurkle-color.js",
}

VENDOR_STYLESHEETS: list[str] = ["xterm/xterm.css"]


def vendor_static_path(name: str) -> str:
    """The static-files path (for `{% static %}`) of a vendored file."""
    return str(PurePosixPath("vendor") / name)


def import_map_json() -> SafeString:
    """The pages' import map (bare module names -> vendored files), safe to place inside a <script>."""
    imports = {name: static(vendor_static_path(path)) for name, path in IMPORT_MAP.items()}
    # json.dumps leaves "<" alone; escape it so no value can close the script element.
    return mark_safe(json.dumps({"imports": imports}).replace("<", "\\u003c"))  # noqa: S308
