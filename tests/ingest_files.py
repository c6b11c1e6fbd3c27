"""Writers of small real files in every format the readers take, for the tests."""

from __future__ import annotations

import zlib
from pathlib import Path


def write_pdf(path: Path, lines: list[str], title: str = "A PDF case") -> Path:
    """Write a minimal one-page PDF with ``lines`` of text and a document title."""
    content = (
        "BT /F1 12 Tf 72 720 Td 14 TL "
        + " ".join(f"({line}) Tj T*" for line in lines)
        + " ET"
    )
    stream = zlib.compress(content.encode("latin-1"))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
        + stream
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Title ("
        + title.encode("latin-1")
        + b") /CreationDate (D:20210304120000) >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    path.write_bytes(bytes(out))

    return path


def write_docx(path: Path, title: str, paragraphs: list[str], lang: str) -> Path:
    """Write a DOCX with a title property, a language and ``paragraphs``."""
    from docx import Document

    document = Document()
    document.core_properties.title = title
    document.core_properties.language = lang
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    document.save(str(path))

    return path


HTML_PAGE = """<!DOCTYPE html>
<html lang="en"><head><title>Acme goes lean</title>
<meta name="date" content="2022-05-17"></head>
<body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/kanban">Kanban shop</a></li>
<li><a href="/about">About us</a></li></ul></nav>
<main><article><h1>Acme goes lean</h1>
<p>Acme, a small metal-working firm, introduced lean production in 2019. The
managers started with value stream mapping of the main product family and then
set up kanban cards between the cutting and the welding cells.</p>
<p>Within a year the firm cut lead time by 30% and defects fell from 4% to 1%.
Workers said the daily stand-up meetings made problems visible early.</p>
</article></main>
<footer><p>Copyright Acme. Subscribe to our total quality management newsletter.</p>
</footer></body></html>
"""
