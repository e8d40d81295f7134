"""A staticfiles finder that serves chosen files from node_modules, and nothing else from there.

Browser libraries come from npm and are served by us (no CDN). Exposing whole packages would
publish thousands of files we never use; `settings.VENDOR_FILES` names the ones we do.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import CheckMessage, Error
from django.core.files.storage import FileSystemStorage


class VendorFinder(BaseFinder):
    """Find the static paths listed in settings.VENDOR_FILES (a URL path -> file in node_modules)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.files: dict[str, Path] = {key: Path(value) for key, value in settings.VENDOR_FILES.items()}

    def check(self, **kwargs: Any) -> list[CheckMessage]:
        """Report vendor files that npm has not installed."""
        return [
            Error(
                f"The browser asset {path} (served as static/{name}) is missing.",
                hint="Run `make run` (or `npm ci`) to install the npm packages.",
                id="bk.E020",
            )
            for name, path in self.files.items()
            if not path.is_file()
        ]

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        """Return the file in node_modules for a static path (a list of it with find_all), or nothing."""
        found = self.files.get(path)
        if found is None or not found.is_file():
            return [] if find_all else None
        return [str(found)] if find_all else str(found)

    def list(self, ignore_patterns: Any) -> Iterator[tuple[str, FileSystemStorage]]:
        """Yield each vendor file with a storage rooted at its directory, for collectstatic."""
        for name, path in self.files.items():
            if not path.is_file():
                continue
            storage = FileSystemStorage(location=str(path.parent))
            storage.prefix = str(Path(name).parent)  # type: ignore[attr-defined]
            yield path.name, storage
