"""The case page upload in `make bench`: five files of just under 10 MB each, posted as a browser
would (multipart, CSRF cookie and token) to a gunicorn worker, and how much that worker's peak
resident memory grew while it stored them. The body is streamed from a file on disk, so the
client holds none of it in memory; the figure is the server's alone."""

import http.client
import re
import tempfile
import time
import uuid
from pathlib import Path

FILES = 5
FILE_BYTES = 10 * 1024 * 1024 - 4096
PDF_HEAD = b"%PDF-1.4\n"


def peak_rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def reset_peak_rss(pid):
    # Linux: writing 5 to clear_refs resets the peak resident set size (VmHWM) to the current one.
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def multipart_body(path, boundary, csrf_token):
    with open(path, "wb") as body:

        def field(name, value):
            body.write(f"--{boundary}\r\n".encode())
            body.write(f'Content-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())

        field("csrfmiddlewaretoken", csrf_token)
        field("checklist_item", "")
        for number in range(FILES):
            body.write(f"--{boundary}\r\n".encode())
            body.write(
                f'Content-Disposition: form-data; name="files"; filename="scan-{number}.pdf"\r\n'
                "Content-Type: application/pdf\r\n\r\n".encode()
            )
            body.write(PDF_HEAD)
            chunk = f"% bench {number} ".encode() * 4096
            remaining = FILE_BYTES - len(PDF_HEAD)
            while remaining > 0:
                body.write(chunk[:remaining])
                remaining -= len(chunk[:remaining])
            body.write(b"\r\n")
        body.write(f"--{boundary}--\r\n".encode())


def measure(host, port, token, worker_pids):
    """Posts the five files; returns what happened and the largest growth of a worker's peak RSS."""
    connection = http.client.HTTPConnection(host, port, timeout=120)
    connection.request("GET", f"/en/case/{token}/")
    page = connection.getresponse()
    html = page.read().decode()
    cookie = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie") or "").group(1)
    csrf_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    boundary = uuid.uuid4().hex
    with tempfile.TemporaryDirectory() as work:
        body_path = Path(work) / "body"
        multipart_body(body_path, boundary, csrf_token)
        size = body_path.stat().st_size
        for pid in worker_pids:
            reset_peak_rss(pid)
        before = {pid: peak_rss_kib(pid) for pid in worker_pids}
        started = time.monotonic()
        with open(body_path, "rb") as body:
            connection.request(
                "POST",
                f"/en/case/{token}/files/",
                body=body,
                headers={
                    "Content-Type": f"multipart/form-data; boundary={boundary}",
                    "Content-Length": str(size),
                    "Cookie": f"csrftoken={cookie}",
                    "Referer": f"http://{host}:{port}/en/case/{token}/",
                },
            )
            answer = connection.getresponse()
            answer.read()
        seconds = time.monotonic() - started
        growth = max(peak_rss_kib(pid) - before[pid] for pid in worker_pids)
    connection.close()
    return {
        "status": answer.status,
        "megabytes_sent": size / 1024 / 1024,
        "seconds": seconds,
        "peak_growth_mib": growth / 1024,
        "largest_file_mib": FILE_BYTES / 1024 / 1024,
    }
