"""Copy the pages' browser libraries from frontend/node_modules into frontend/static/vendor/."""

import re
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from frontend.assets import VENDOR_FILES

# .map files are not vendored; a dangling reference would break ManifestStaticFilesStorage's collectstatic.
SOURCE_MAP_COMMENT = re.compile(
    rb"^\s*(//# sourceMappingURL=.*|/\*# sourceMappingURL=.*\*/)\s*$", re.MULTILINE)


class Command(BaseCommand):
    help = "Copy the explicit list of npm dist files the pages use into frontend/static/vendor/."

    def handle(self, *args: object, **options: object) -> None:
        source_root = Path(settings.BASE_DIR) / "frontend" / "node_modules"
        target_root = Path(settings.BASE_DIR) / "frontend" / "static" / "vendor"
        missing = [name for name in VENDOR_FILES if not (source_root / name).is_file()]
        if missing:
            raise CommandError(
                "Missing in frontend/node_modules (run `npm ci --prefix frontend`): " + ", ".join(missing))
        written = 0
        for source_name, target_name in VENDOR_FILES.items():
            content = SOURCE_MAP_COMMENT.sub(b"", (source_root / source_name).read_bytes())
            target = target_root / target_name
            if target.is_file() and target.read_bytes() == content:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            written += 1
        self.stdout.write(f"vendored {len(VENDOR_FILES)} files into frontend/static/vendor ({written} new)")
