"""How static files are stored for serving: fingerprinted and compressed, ES module imports included."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class PodlabStaticStorage(CompressedManifestStaticFilesStorage):
    """Whitenoise's compressed, fingerprinted storage that also rewrites the relative imports of our ES modules
    (static and dynamic `import("./x.js")`) to the fingerprinted names. Without it an imported module kept its
    plain name: it was not cached for long, and a module reached both ways loaded twice."""

    support_js_module_import_aggregation = True
