"""Uploads through a real dashboard server (a subprocess on a free loopback port): multipart POSTs
to /upload/files, as the Upload page's script sends them.

Files are imported in the background and appear in the store; names are made
safe; beyond the limits the answer is 413 with one line; a request that does not
come from the page (no header, another site's Origin) is refused with 403.
"""

from __future__ import annotations

import http.client
import json
import shutil
import time
import uuid

import pytest
from builders import UPLOAD_FILE, running_server

from dashboards import data, uploads
from trainlog import Store

IMPORT_S = 120


@pytest.fixture(scope="module")
def server(subset_dir, tmp_path_factory):
    """A dashboard over a copy of the subset: (host, port, data directory)."""
    data_dir = tmp_path_factory.mktemp("upload") / "data"
    shutil.copytree(subset_dir, data_dir)
    log_path = data_dir.parent / "server.log"
    with running_server(data_dir, log_path=log_path) as (base, _log):
        yield "127.0.0.1", int(base.rsplit(":", 1)[1]), data_dir
    assert "Traceback" not in log_path.read_text()


def multipart(files: list[tuple[str, bytes]]) -> tuple[str, bytes]:
    """The Content-Type and body of a multipart/form-data POST with ``files`` as the field 'files'."""
    boundary = uuid.uuid4().hex
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n"
        for name, content in files
    ) + f"--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", body


def post(server, athlete: str, files, headers: dict | None = None) -> tuple[int, dict]:
    host, port, _ = server
    content_type, body = multipart(files)
    sent = {"Content-Type": content_type, uploads.HEADER: "1", **(headers or {})}
    connection = http.client.HTTPConnection(host, port, timeout=120)
    connection.request("POST", f"{uploads.ROUTE}?athlete={athlete}", body, {k: v for k, v in sent.items() if v})
    response = connection.getresponse()
    answer = response.read().decode()
    connection.close()
    try:
        return response.status, json.loads(answer)
    except json.JSONDecodeError:  # refused before the route (the server's own checks): one line of text
        return response.status, {"error": answer.strip()}


def wait_for_activities(data_dir, athlete: str, n: int):
    deadline = time.monotonic() + IMPORT_S
    while True:
        store = Store(data_dir)
        if athlete in store.athletes():
            activities = store.read("activities", athlete)
            if activities.height >= n:
                return activities
        assert time.monotonic() < deadline, f"{athlete} did not get {n} activities"
        time.sleep(0.2)


def test_uploaded_files_are_imported_and_bad_names_made_safe(server):
    _, _, data_dir = server
    files = [("../../" + UPLOAD_FILE.name, UPLOAD_FILE.read_bytes()), ("notes.txt", b"hello"),
             ("broken.fit", b"\0" * 20)]
    status, answer = post(server, "uploader", files)
    assert status == 200, answer
    assert answer["athlete"] == "uploader" and answer["files"] == 3 and data.JOB_ID.fullmatch(answer["job"])
    activities = wait_for_activities(data_dir, "uploader", 1)
    assert activities.height == 1 and activities["source_file"][0].endswith(UPLOAD_FILE.name)
    assert not (data_dir.parent / UPLOAD_FILE.name).exists()  # the name's ../ went
    deadline = time.monotonic() + IMPORT_S
    while any((data_dir / "uploads").iterdir()):  # the upload folder goes when the import ends
        assert time.monotonic() < deadline
        time.sleep(0.2)


@pytest.mark.parametrize("athlete", ["..%2Fetc", "", "a%0Ab"])
def test_a_bad_athlete_name_is_refused(server, athlete):
    status, answer = post(server, athlete, [("a.fit", b"x")])
    assert status == 400 and "athlete" in answer["error"]


def test_too_many_files_is_413(server):
    files = [(f"{k}.fit", b"x") for k in range(data.MAX_UPLOAD_FILES + 1)]
    status, answer = post(server, "many", files)
    assert status == 413 and f"at most {data.MAX_UPLOAD_FILES} files" in answer["error"]
    assert "many" not in Store(server[2]).athletes()


def test_too_many_bytes_is_413_while_streaming(server):
    """A body over the limit, sent in 1 MB pieces (never whole in this test's memory either)."""
    host, port, data_dir = server
    boundary = "b" * 20
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="big.fit"\r\n\r\n').encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    size = data.MAX_UPLOAD_BYTES + uploads.FRAMING_BYTES + 1
    connection = http.client.HTTPConnection(host, port, timeout=120)
    connection.putrequest("POST", f"{uploads.ROUTE}?athlete=big")
    connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    connection.putheader("Content-Length", str(len(head) + size + len(tail)))
    connection.putheader(uploads.HEADER, "1")
    connection.endheaders()
    try:
        connection.send(head)
        piece = b"\0" * 2**20
        for _ in range(size // len(piece)):
            connection.send(piece)
        connection.send(b"\0" * (size % len(piece)) + tail)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server may answer before reading it all
    response = connection.getresponse()
    answer = json.loads(response.read())
    connection.close()
    assert response.status == 413 and "MB at once" in answer["error"]
    assert "big" not in Store(data_dir).athletes()
    assert not any((data_dir / "uploads").glob("*/*big*"))


@pytest.mark.parametrize("headers", [{uploads.HEADER: None}, {"Origin": "http://evil.example"}, {"Origin": "null"}])
def test_a_request_not_from_the_page_is_403(server, headers):
    status, answer = post(server, "csrf", [(UPLOAD_FILE.name, UPLOAD_FILE.read_bytes())], headers)
    assert status == 403 and len(answer["error"].splitlines()) == 1
    assert "csrf" not in Store(server[2]).athletes()


def test_no_files_is_400(server):
    status, answer = post(server, "nothing", [])
    assert status == 400 and "no files" in answer["error"]
