"""Compile every `.po` catalogue to `.mo` with polib, so set-up needs no GNU gettext."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile the translation catalogues (.po -> .mo) without GNU gettext."

    def handle(self, *args: object, **options: object) -> None:
        catalogues = sorted(
            path for locale_dir in settings.LOCALE_PATHS for path in Path(locale_dir).rglob("*.po")
        )
        if not catalogues:
            raise CommandError("No .po catalogues found under LOCALE_PATHS.")
        for po_path in catalogues:
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            catalogue = polib.pofile(str(po_path))
            catalogue.save_as_mofile(str(mo_path))
            self.stdout.write(f"compiled {po_path.relative_to(settings.BASE_DIR)}: "
                              f"{catalogue.percent_translated()}% translated")
