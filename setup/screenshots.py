"""Take PNG screenshots of a running Odoo with headless Chromium (used by setup/screenshots).

Logs in through /web/session/authenticate, gives the session cookie to a headless
Chromium driven over the DevTools protocol, opens each page, waits until the web client
has rendered what the page is about, optionally clicks (a notebook tab...), and saves a
PNG. Pages come from a file of lines ``name | url | selector to wait for | selector to
click first`` (the last field optional: when given, the script waits for it, clicks it,
then waits for the first selector; lines starting with ``#`` are comments). In a URL,
``{model}`` is replaced by the id of the first record of that model, and
``{model:Name}`` by the id of the record found by that name.

    python setup/screenshots.py --url http://127.0.0.1:8070 --db DB --pages FILE --out DIR
"""
import argparse
import base64
import json
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import websocket

WIDTH, HEIGHT = 1440, 900


class OdooSession:
    """A logged-in JSON-RPC session on the server, whose cookie the browser reuses."""

    def __init__(self, url, db, login, password):
        self.url = url.rstrip("/")
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.call("/web/session/authenticate", db=db, login=login, password=password)
        self.session_id = next(c.value for c in self.jar if c.name == "session_id")

    def call(self, path, **params):
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": params}).encode()
        request = urllib.request.Request(self.url + path, body, {"Content-Type": "application/json"})
        try:
            with self.opener.open(request, timeout=60) as response:
                answer = json.load(response)
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"{path}: HTTP {error.code} {error.read()[:300]!r}") from error
        if answer.get("error"):
            raise RuntimeError(f"{path}: {answer['error']['data'].get('message', answer['error'])}")
        return answer["result"]

    def record_id(self, model, name=None):
        domain = [["display_name", "=", name]] if name else []
        ids = self.call("/web/dataset/call_kw", model=model, method="search",
                        args=[domain], kwargs={"limit": 1})
        if not ids:
            raise LookupError(f"no {model} record {name or ''}".strip())
        return ids[0]

    def resolve(self, url):
        """Replace {model} and {model:Name} by record ids."""
        def replace(match):
            return str(self.record_id(match.group(1), match.group(2)))
        return re.sub(r"\{([\w.]+)(?::([^}]+))?\}", replace, url)


def _lift_memory_limit():
    """Chromium reserves far more address space than it uses: a limit inherited from an
    Odoo process (limit_memory_hard) would stop it from starting."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (hard, hard))


class Chromium:
    """A headless Chromium and one page of it, driven over the DevTools websocket."""

    def __init__(self):
        binary = next((shutil.which(b) for b in ("chromium", "google-chrome", "chromium-browser",
                                                 "google-chrome-stable") if shutil.which(b)), None)
        if not binary:
            sys.exit("Chromium not found: install Debian's chromium (setup/test does it as root).")
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.profile = tempfile.mkdtemp(prefix="dunning_screens_")
        self.process = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--hide-scrollbars", "--no-first-run", "--mute-audio", f"--remote-debugging-port={port}",
             f"--user-data-dir={self.profile}", f"--window-size={WIDTH},{HEIGHT}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=_lift_memory_limit,
        )
        target = self._page_target(port)
        self.ws = websocket.create_connection(target["webSocketDebuggerUrl"], timeout=60)
        self.next_id = 0
        self.send("Emulation.setDeviceMetricsOverride", width=WIDTH, height=HEIGHT,
                  deviceScaleFactor=1, mobile=False)

    @staticmethod
    def _page_target(port):
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2) as r:
                    pages = [t for t in json.load(r) if t["type"] == "page"]
                if pages:
                    return pages[0]
            except OSError:
                pass
            time.sleep(0.3)
        sys.exit("Chromium did not open its DevTools port")

    def send(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True,
                           awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails'].get('text')}")
        return result.get("result", {}).get("value")

    def wait_for(self, selector, timeout=60):
        """Wait until ``selector`` is shown and the web client has no RPC in flight."""
        check = (f"!!document.querySelector({json.dumps(selector)}) && "
                 "!document.querySelector('.o_loading_indicator, .o_blockUI')")
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.evaluate(check):
                time.sleep(1.0)  # let charts and fonts settle
                return
            time.sleep(0.3)
        raise TimeoutError(f"{selector} did not appear within {timeout}s")

    def close(self):
        self.ws.close()
        self.process.terminate()
        self.process.wait(10)
        shutil.rmtree(self.profile, ignore_errors=True)


def read_pages(path):
    pages = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            fields = [f.strip() for f in line.split("|")]
            name, url, wait = fields[:3]
            pages.append((name, url, wait, fields[3] if len(fields) > 3 else ""))
    return pages


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--pages", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--only", nargs="*", help="names of the pages to take (default: all)")
    args = parser.parse_args(argv)

    session = OdooSession(args.url, args.db, args.login, args.password)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    browser = Chromium()
    failures = 0
    try:
        host = re.sub(r"^https?://", "", session.url).split(":")[0]
        browser.send("Network.enable")
        browser.send("Network.setCookie", name="session_id", value=session.session_id,
                     domain=host, path="/")
        for name, url, wait, click in read_pages(args.pages):
            if args.only and name not in args.only:
                continue
            try:
                browser.send("Page.navigate", url=session.url + session.resolve(url))
                if click:
                    browser.wait_for(click)
                    browser.evaluate(f"document.querySelector({json.dumps(click)}).click()")
                browser.wait_for(wait)
                shot = browser.send("Page.captureScreenshot", format="png")
                (out / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))
                print(f"written: {out / name}.png")
            except (LookupError, TimeoutError, RuntimeError) as error:
                failures += 1
                print(f"FAILED {name}: {error}", file=sys.stderr)
    finally:
        browser.close()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
