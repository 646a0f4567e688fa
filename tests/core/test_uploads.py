"""core/uploads.py: the type comes from the content, the name must agree with it, the size is
bounded per use, and stored files follow the unit of work."""
import io
import os

import pytest

from community.core import uploads
from tests.core.sample_files import HTML_PAGE, JPEG_HEAD, SHELL_SCRIPT, stored_files, tiny_pdf, tiny_png, upload

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def upload_root(app, tmp_path, monkeypatch):
    root = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_ROOT", str(root))
    return root


# -- what the content says --------------------------------------------------------------------------

@pytest.mark.parametrize("head, detected", [
    (tiny_pdf(), "pdf"), (b"%PDF-2.0\n", "pdf"), (tiny_png(), "png"), (JPEG_HEAD, "jpeg"),
    (b"%PDF-", None),            # the signature without a version is not a PDF writer's header
    (b" %PDF-1.4\n", None),      # readers skip leading junk; we do not
    (b"%PDF-9.1\n", None), (SHELL_SCRIPT, None), (HTML_PAGE, None), (b"", None),
])
def test_detect_type_reads_the_signature(head, detected):
    assert uploads.detect_type(head[:uploads.SNIFF_BYTES]) == detected


def test_image_type_still_means_images_only():
    assert uploads.image_type(tiny_pdf()[:uploads.SNIFF_BYTES]) is None
    assert uploads.image_type(tiny_png()[:uploads.SNIFF_BYTES]) == "png"


@pytest.mark.parametrize("data, filename, detected", [
    (tiny_pdf(), "inspection.pdf", "pdf"),
    (tiny_pdf(), "SCAN.PDF", "pdf"),
    (tiny_png(), "photo.png", "png"),
    (tiny_png(), "photo.jpg", "png"),  # one image called another: the content decides the stored type
])
def test_check_file_accepts(app, data, filename, detected):
    checked = uploads.check_file(upload(data, filename), max_bytes=MB)
    assert (checked.type, checked.size) == (detected, len(data))
    assert checked.mimetype == {"pdf": "application/pdf", "png": "image/png"}[detected]


@pytest.mark.parametrize("data, filename, reason", [
    (tiny_png(), "licence.pdf", "type"),     # an image disguised as a PDF
    (tiny_pdf(), "photo.png", "type"),       # a PDF disguised as an image
    (SHELL_SCRIPT, "evidence.pdf", "type"),  # a script with a harmless name
    (HTML_PAGE, "evidence.pdf", "type"),     # a page that mentions %PDF- later on
    (tiny_pdf(), "evidence", "type"),        # no name to agree with
    (tiny_pdf(), "evidence.pdf.exe", "type"),
    (b"", "empty.pdf", "empty"),
    (b"", "empty.png", "empty"),
])
def test_check_file_refuses(app, data, filename, reason):
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.check_file(upload(data, filename), max_bytes=MB)
    assert refused.value.reason == reason


def test_the_size_limit_is_per_use_and_inclusive(app):
    data = tiny_pdf()
    assert uploads.check_file(upload(data, "a.pdf"), max_bytes=len(data)).size == len(data)
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.check_file(upload(data, "a.pdf"), max_bytes=len(data) - 1)
    assert refused.value.reason == "size"


def test_a_kind_the_use_does_not_allow_is_refused(app):
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.check_file(upload(tiny_pdf(), "a.pdf"), max_bytes=MB, kinds=("image",))
    assert refused.value.reason == "type"
    with pytest.raises(uploads.UploadRefused):
        uploads.check_file(upload(tiny_png(), "a.png"), max_bytes=MB, kinds=("pdf",))


@pytest.mark.parametrize("filename", ["photo.pdf", "photo.png"])
def test_check_image_never_takes_a_pdf(app, filename):
    """Amenity photos call check_image: a PDF is not a photo under any name."""
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.check_image(upload(tiny_pdf(), filename), max_bytes=MB)
    assert refused.value.reason == "type"


class EndlessPdf:
    """A stream of zeros after a PDF header that never ends, counting what was read from it."""

    def __init__(self):
        self.position = 0
        self.read_bytes = 0

    def seek(self, offset, whence=0):
        self.position = offset

    def read(self, n=-1):
        assert n > 0, "an unbounded read of an endless upload"
        head = b"%PDF-1.7\n"
        data = (head[self.position:] + b"\0" * n)[:n]
        self.position += n
        self.read_bytes += n
        return data


def test_an_oversized_file_is_not_read_to_its_end(app):
    stream = EndlessPdf()
    file = type("Upload", (), {"filename": "huge.pdf", "stream": stream})()
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.check_file(file, max_bytes=1000)
    assert refused.value.reason == "size"
    assert stream.read_bytes <= uploads.SNIFF_BYTES + 1000 + uploads.CHUNK


def test_the_stream_is_left_at_its_start(app):
    file = upload(tiny_pdf(), "a.pdf")
    uploads.check_file(file, max_bytes=MB)
    assert file.stream.read() == tiny_pdf()


# -- storing ------------------------------------------------------------------------------------------

def test_a_pdf_is_stored_under_a_random_name_outside_the_web_root(db, app, upload_root):
    first = uploads.save_file(upload(tiny_pdf(), "租赁合同 inspection.pdf"), "attachments/testing", MB)
    second = uploads.save_file(upload(tiny_pdf(), "租赁合同 inspection.pdf"), "attachments/testing", MB)
    db.session.commit()
    assert first.relative_path.startswith("attachments/testing/") and first.relative_path.endswith(".pdf")
    assert "inspection" not in first.relative_path and "租赁" not in first.relative_path
    assert first.relative_path != second.relative_path
    assert (first.type, first.size, first.mimetype) == ("pdf", len(tiny_pdf()), "application/pdf")
    assert (upload_root / first.relative_path).read_bytes() == tiny_pdf()
    assert stored_files(upload_root) == sorted([first.relative_path, second.relative_path])
    static = os.path.realpath(app.static_folder)
    assert os.path.commonpath([static, os.path.realpath(upload_root / first.relative_path)]) != static


def test_the_stored_extension_is_the_detected_one(db, upload_root):
    stored = uploads.save_file(upload(tiny_png(), "photo.jpeg"), "t", MB)
    assert stored.relative_path.endswith(".png") and stored.mimetype == "image/png"
    assert uploads.mimetype_of(stored.relative_path) == "image/png"
    assert uploads.mimetype_of("t/x.pdf") == "application/pdf"
    assert uploads.mimetype_of("t/x.html") == "application/octet-stream"


def test_a_refused_file_is_never_written(db, upload_root):
    with pytest.raises(uploads.UploadRefused):
        uploads.save_file(upload(tiny_png(), "photo.pdf"), "t", MB)
    assert not upload_root.exists() or stored_files(upload_root) == []


def test_a_rolled_back_file_is_removed(db, upload_root):
    kept = uploads.save_file(upload(tiny_pdf("kept"), "a.pdf"), "t", MB)
    db.session.commit()
    uploads.save_file(upload(tiny_pdf("dropped"), "b.pdf"), "t", MB)
    db.session.rollback()
    assert stored_files(upload_root) == [kept.relative_path]


def test_a_deleted_file_goes_only_after_the_commit(db, upload_root):
    stored = uploads.save_file(upload(tiny_pdf(), "a.pdf"), "t", MB)
    db.session.commit()
    uploads.delete_after_commit(stored.relative_path)
    db.session.rollback()
    assert stored_files(upload_root) == [stored.relative_path]  # the rollback keeps it
    uploads.delete_after_commit(stored.relative_path)
    assert stored_files(upload_root) == [stored.relative_path]
    db.session.commit()
    assert stored_files(upload_root) == []


def test_save_image_keeps_its_old_contract(db, upload_root):
    relative = uploads.save_image(upload(tiny_png(), "gym.png"), "amenities", MB)
    assert isinstance(relative, str) and relative.startswith("amenities/") and relative.endswith(".png")
    with pytest.raises(uploads.UploadRefused):
        uploads.save_image(upload(tiny_pdf(), "gym.pdf"), "amenities", MB)


# -- paths --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", ["../secret", "/etc/passwd", "attachments/../../x", "", "."])
def test_stored_paths_cannot_leave_the_upload_root(app, bad):
    with pytest.raises(ValueError):
        uploads.absolute_path(bad)


def test_a_symbolic_link_out_of_the_root_is_refused(app, upload_root, tmp_path):
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(tiny_pdf())
    (upload_root / "attachments").mkdir(parents=True)
    (upload_root / "attachments" / "link.pdf").symlink_to(secret)
    with pytest.raises(ValueError):
        uploads.absolute_path("attachments/link.pdf")
