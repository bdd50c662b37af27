"""The system libraries the PDF format needs (WeasyPrint draws text with Pango), per platform.

One list: the README, samples/ci/Dockerfile (checked by tests/test_install_notes.py) and the message shown when
the PDF renderer cannot load them all name these packages."""

from __future__ import annotations

PDF_SYSTEM_PACKAGES: dict[str, tuple[str, ...]] = {
    # WeasyPrint's install notes for Debian ≥ 11 / Ubuntu ≥ 20.04, plus a font for the report's DejaVu faces
    "Debian/Ubuntu (apt-get install)": ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz0b",
                                        "libharfbuzz-subset0", "fonts-dejavu-core"),
    "macOS (brew install)": ("pango",),
    "Alpine (apk add)": ("pango", "font-dejavu"),
}


def install_hint() -> str:
    """One line naming the packages per platform, for an error message."""
    return "; ".join(f"{platform}: {' '.join(packages)}" for platform, packages in PDF_SYSTEM_PACKAGES.items())
