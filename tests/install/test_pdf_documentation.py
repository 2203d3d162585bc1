"""The PDF documentation (scripts/build-docs.sh): opened with pypdf, it has the expected
documents, headings, page count and fixed metadata dates, and a rebuild gives the same bytes.

Uses docs/build/extenddb.pdf as the installer test left it (built first if absent), then
builds a second copy with the same SOURCE_DATE_EPOCH and compares.
"""

import os
import subprocess
from pathlib import Path

import pypdf

ROOT = Path(__file__).resolve().parents[2]
PDF = ROOT / "docs" / "build" / "extenddb.pdf"
DOCUMENTS = ["User guide", "Local PostgreSQL for extenddb", "Configuration: extenddb.toml",
             "Troubleshooting", "extenddb architecture"]


def source_date_epoch() -> str:
    out = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%ct", "--", "docs"],
                         capture_output=True, text=True)
    return out.stdout.strip() or "1767225600"


def build(out: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, SOURCE_DATE_EPOCH=source_date_epoch())
    result = subprocess.run([str(ROOT / "scripts" / "build-docs.sh"), "--out", str(out)],
                            capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_the_pdf_has_every_document_its_headings_and_fixed_dates():
    if not PDF.exists():
        build(PDF)
    reader = pypdf.PdfReader(PDF)
    pages = len(reader.pages)
    assert 20 <= pages <= 80, pages
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert outline == ["extenddb documentation", "Contents", *DOCUMENTS]
    text = "\n".join(page.extract_text() for page in reader.pages)
    for heading in ["Troubleshooting", "TLS verification fails", "Pool saturation and max_connections",
                    "7. Moving data in and out", "Where the logs are"]:
        assert heading in text, heading
    contents = reader.pages[1].extract_text()
    assert contents.startswith("Contents") and "Troubleshooting" in contents
    epoch = int(source_date_epoch())
    meta = reader.metadata
    assert meta.creation_date.timestamp() == epoch
    assert meta.modification_date.timestamp() == epoch
    assert meta.title == "extenddb documentation"
    print(f"{PDF}: {pages} pages")


def test_a_rebuild_gives_the_same_bytes(tmp_path):
    if not PDF.exists():
        build(PDF)
    again = tmp_path / "again.pdf"
    out = build(again)
    assert out.stdout.startswith(f"Wrote {again} (")
    assert again.read_bytes() == PDF.read_bytes()
