"""Small real files for the upload and attachment tests, and a file upload to carry them."""
import io
import struct
import zlib

from werkzeug.datastructures import FileStorage


def tiny_png(rgb=(200, 30, 30)) -> bytes:
    """A real 1x1 PNG: signature, IHDR, one IDAT row, IEND, with proper CRCs."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + bytes(rgb))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def tiny_pdf(text="inspection") -> bytes:
    """A small PDF that a reader opens: one empty page (offsets in the xref are not checked by us)."""
    return (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
            b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
            b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n"
            + f"% {text}\n".encode() +
            b"trailer << /Root 1 0 R >>\n%%EOF\n")


JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
SHELL_SCRIPT = b"#!/bin/sh\necho pwned > /tmp/pwned\n"
HTML_PAGE = b"<html><script>alert(document.cookie)</script>%PDF-1.4</html>\n"


def upload(data: bytes, filename: str, content_type="application/octet-stream") -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=filename, content_type=content_type)


def stored_files(root) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
