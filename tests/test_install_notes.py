"""The PDF format's system packages are named alike in the README, the sample Dockerfile and the error message."""

from __future__ import annotations

import re
from pathlib import Path

from assess.reporters.system_packages import PDF_SYSTEM_PACKAGES, install_hint

ROOT = Path(__file__).resolve().parents[1]


def test_dockerfile_installs_every_debian_package_the_pdf_format_needs() -> None:
    dockerfile = (ROOT / "samples" / "ci" / "Dockerfile").read_text()
    installs = " ".join(re.findall(r"apt-get install[^&]*", dockerfile.replace("\\\n", " ")))
    debian = next(pkgs for platform, pkgs in PDF_SYSTEM_PACKAGES.items() if platform.startswith("Debian"))
    assert "libpango-1.0-0" in debian
    for package in debian:
        assert re.search(rf"(?<![\w.-]){re.escape(package)}(?![\w.-])", installs), package


def test_readme_lists_the_packages_for_each_platform() -> None:
    readme = (ROOT / "README.md").read_text()
    for platform, packages in PDF_SYSTEM_PACKAGES.items():
        name = platform.split(" (")[0]
        row = next((line for line in readme.splitlines() if line.startswith(f"| {name} |")), "")
        assert row, f"README has no install row for {name}"
        for package in packages:
            assert package in row, (name, package)
    hint = install_hint()  # the message -f pdf prints when the libraries cannot be loaded
    assert all(package in hint for packages in PDF_SYSTEM_PACKAGES.values() for package in packages)
