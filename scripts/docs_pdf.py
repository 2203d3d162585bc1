#!/usr/bin/env python3
"""Renders Markdown documents into one PDF: a title page, a table of contents with page
numbers, then each document from a new page. python-markdown makes the HTML, WeasyPrint the PDF
(with bookmarks from the headings).

Reproducible: the only date in the output (title page and PDF metadata) comes from
SOURCE_DATE_EPOCH, so the same sources and the same epoch give the same bytes.

    docs_pdf.py --out docs/build/extenddb.pdf --version 0.0.2 docs/user-guide.md docs/...

Links between the documents become links inside the PDF; their anchors are prefixed with the
document's name so that two documents may use the same heading.
"""

import argparse
import datetime
import html
import os
import re
import sys
from pathlib import Path

import markdown
import weasyprint

CSS = """
@page {
  size: A4; margin: 22mm 18mm 20mm 18mm;
  @bottom-center { content: counter(page); font-size: 8.5pt; color: #555; }
  @top-right { content: string(doctitle); font-size: 8.5pt; color: #555; }
}
@page :first { @bottom-center { content: none; } @top-right { content: none; } }
html { font-family: "DejaVu Sans", "Helvetica Neue", Helvetica, Arial, sans-serif;
       font-size: 9.5pt; line-height: 1.4; color: #111; }
h1 { font-size: 19pt; margin: 0 0 10pt; string-set: doctitle content(); }
h2 { font-size: 13.5pt; margin: 16pt 0 6pt; border-bottom: 0.5pt solid #999; }
h3 { font-size: 11pt; margin: 12pt 0 4pt; }
h4 { font-size: 10pt; }
h2, h3, h4 { break-after: avoid; }
section.doc { break-before: page; }
a { color: #0b4f9c; text-decoration: none; }
code, pre { font-family: "DejaVu Sans Mono", Menlo, monospace; font-size: 8pt; }
code { background: #f2f2f2; padding: 0 1.5pt; }
pre { background: #f4f4f4; border: 0.5pt solid #ccc; padding: 5pt 6pt;
      white-space: pre-wrap; overflow-wrap: anywhere; break-inside: avoid; }
pre code { background: none; padding: 0; }
table { border-collapse: collapse; width: 100%; margin: 6pt 0; font-size: 8pt; }
th, td { border: 0.5pt solid #aaa; padding: 2.5pt 4pt; vertical-align: top;
         overflow-wrap: anywhere; }
th { background: #e8e8e8; }
td code { overflow-wrap: anywhere; }
.title { text-align: center; padding-top: 70mm; }
.title h1 { font-size: 30pt; string-set: none; }
.title p { font-size: 12pt; color: #333; }
nav.toc { break-before: page; }
nav.toc h1 { string-set: doctitle "Contents"; }
nav.toc ul { list-style: none; padding-left: 0; }
nav.toc ul ul { padding-left: 14pt; }
nav.toc li { margin: 2pt 0; }
nav.toc a::after { content: leader(".") target-counter(attr(href), page); }
"""

EXTENSIONS = ["extra", "toc", "sane_lists"]


def build_date() -> datetime.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch or not epoch.isdigit():
        sys.exit("docs_pdf.py: set SOURCE_DATE_EPOCH (seconds since 1970) for a reproducible PDF")
    return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.timezone.utc)


def render_document(path: Path, names: set) -> tuple:
    """One document as an HTML section, its title and its (level, id, text) headings."""
    stem = path.stem
    md = markdown.Markdown(extensions=EXTENSIONS)
    body = md.convert(path.read_text(encoding="utf-8"))
    prefix = f"{stem}--"

    body = re.sub(r'id="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', body)

    def link(m):
        target = html.unescape(m.group(1))
        if re.match(r"^[a-z]+:", target):
            return m.group(0)
        if target.startswith("#"):
            return f'href="#{prefix}{target[1:]}"'
        file, _, anchor = target.partition("#")
        other = Path(file).stem
        if file.endswith(".md") and other in names:
            return f'href="#{other}--{anchor}"' if anchor else f'href="#{other}"'
        # A file outside the PDF (source code, samples): keep the text, drop the link.
        return 'data-outside="1"'

    body = re.sub(r'href="([^"]*)"', link, body)
    headings = []

    def walk(tokens, out):
        for t in tokens:
            out.append((t["level"], prefix + t["id"], t["name"]))
            walk(t["children"], out)

    walk(md.toc_tokens, headings)
    title = next((name for level, _, name in headings if level == 1), stem)
    section = f'<section class="doc" id="{stem}">{body}</section>'
    return section, title, headings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--version", default="")
    parser.add_argument("--title", default="extenddb documentation")
    parser.add_argument("sources", nargs="+", type=Path)
    args = parser.parse_args()

    date = build_date()
    names = {p.stem for p in args.sources}
    sections, toc = [], []
    for path in args.sources:
        section, title, headings = render_document(path, names)
        sections.append(section)
        items = "".join(
            f'<li><a href="#{hid}">{text}</a></li>' for level, hid, text in headings if level == 2)
        toc.append(f'<li><a href="#{path.stem}">{html.escape(title)}</a><ul>{items}</ul></li>')
    stamp = date.strftime("%Y-%m-%dT%H:%M:%SZ")
    version = f"Version {html.escape(args.version)} · " if args.version else ""
    document = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(args.title)}</title>
<meta name="author" content="ExtendDB contributors">
<meta name="generator" content="python-markdown {markdown.__version__}, WeasyPrint {weasyprint.__version__}">
<meta name="dcterms.created" content="{stamp}">
<meta name="dcterms.modified" content="{stamp}">
</head><body>
<div class="title"><h1>{html.escape(args.title)}</h1>
<p>{version}{date.strftime("%Y-%m-%d")}</p>
<p>DynamoDB-compatible database server</p></div>
<nav class="toc"><h1>Contents</h1><ul>{"".join(toc)}</ul></nav>
{"".join(sections)}
</body></html>"""
    rendered = weasyprint.HTML(string=document, base_url=str(Path.cwd())).render(
        stylesheets=[weasyprint.CSS(string=CSS)])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    rendered.write_pdf(args.out)
    print(f"Wrote {args.out} ({len(rendered.pages)} pages, {args.out.stat().st_size} bytes) "
          f"from {len(args.sources)} documents, dated {date.strftime('%Y-%m-%d')}.")


if __name__ == "__main__":
    main()
