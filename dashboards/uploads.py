"""Uploads over plain HTTP: ``POST /upload/files?athlete=NAME`` with multipart/form-data.

The Upload page's script (``assets/upload.js``) posts the dropped or chosen
files here with ``fetch``; nothing passes through a Dash callback, so nothing
is base64-encoded or held whole in memory. Werkzeug's form parser spools each
file part to a temporary file; each is then copied in chunks into a fresh
upload folder under a safe name (:func:`dashboards.data.safe_upload_name`) and
the import starts in the background. The answer is JSON:
``{"job": ID, "athlete": NAME, "files": N}``, or ``{"error": "one line"}`` with
400 (a bad athlete name), 403 (a cross-site request) or 413 (beyond
:data:`~dashboards.data.MAX_UPLOAD_FILES` or :data:`~dashboards.data.MAX_UPLOAD_BYTES`).
The page then polls the job (``/upload?athlete=NAME&job=ID``).
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from dashboards import data

if TYPE_CHECKING:  # flask is imported when a request comes
    import flask

ROUTE = "/upload/files"
#: The header the page's script sends: a cross-site HTML form cannot send it (CSRF), and a
#: cross-site script cannot either without a CORS preflight this server does not answer.
HEADER = "X-Trainlog-Upload"
#: Room for the multipart framing (boundaries and part headers) around the files' bytes.
FRAMING_BYTES = 2**20 + 1024 * data.MAX_UPLOAD_FILES
#: Bytes copied at a time from the spooled part to the upload folder.
CHUNK = 1 << 20


def _answer(status: int, **body: object) -> flask.Response:
    import flask

    response = flask.jsonify(body)
    response.status_code = status
    return response


def _too_large() -> flask.Response:
    return _answer(413, error=f"too large: at most {data.MAX_UPLOAD_FILES} files and "
                              f"{data.MAX_UPLOAD_BYTES // 2**20} MB at once")


def _same_origin(request: flask.Request) -> bool:
    """True unless the browser says the request comes from another site."""
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.host


def upload_files() -> flask.Response:
    """The view of :data:`ROUTE` (see the module's docstring)."""
    import flask
    from werkzeug.exceptions import RequestEntityTooLarge

    request = flask.request
    if request.headers.get(HEADER) != "1" or not _same_origin(request):
        return _answer(403, error="uploads come from the Upload page of this dashboard")
    athlete = (request.args.get("athlete") or "").strip()
    source = data.get()
    try:
        athlete = source.check_upload(athlete)  # PermissionError: the server answers 403
    except ValueError as exc:
        return _answer(400, error=f"not imported: {exc}")
    limit = data.MAX_UPLOAD_BYTES + FRAMING_BYTES
    if request.content_length is not None and request.content_length > limit:
        return _too_large()
    request.max_content_length = limit  # also while streaming (no Content-Length, or a lying one)
    request.max_form_parts = data.MAX_UPLOAD_FILES + 10
    try:
        parts = request.files.getlist("files")
    except RequestEntityTooLarge:
        return _too_large()
    if len(parts) > data.MAX_UPLOAD_FILES:
        return _too_large()
    if not parts:
        return _answer(400, error="no files received (post them as the form field 'files')")
    saved: list[tuple[str, Path | None]] = []
    total, folder = 0, None
    try:
        folder = source.upload_folder()
        for index, part in enumerate(parts):
            name = part.filename or f"file {index + 1}"
            safe = data.safe_upload_name(index, name)
            if safe is None:
                saved.append((name, None))
                continue
            with open(folder / safe, "wb") as out:
                shutil.copyfileobj(part.stream, out, CHUNK)
                total += out.tell()
            part.close()
            saved.append((name, folder / safe))
            if total > data.MAX_UPLOAD_BYTES:
                shutil.rmtree(folder, ignore_errors=True)
                return _too_large()
    except OSError as exc:  # the disk is full or the data directory not writable
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        status = 507 if exc.errno == errno.ENOSPC else 500
        where = exc.filename or source.store.data_dir
        return _answer(status, error=f"could not save the upload in {where}: {exc.strerror or exc}")
    except BaseException:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    job = source.import_saved(athlete, folder, saved)
    return _answer(200, job=job.id, athlete=athlete, files=len(saved))


def register(server: flask.Flask) -> None:
    """Add :data:`ROUTE` to the Flask ``server`` (called by ``create_app``)."""
    server.add_url_rule(ROUTE, "trainlog_upload_files", upload_files, methods=["POST"])
