"""A real headless Chromium driven over the DevTools protocol (what Playwright does underneath,
in forty lines): open a page, wait until its scripts have rendered what we look for, read the
DOM, click, take a screenshot."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class Browser:
    def __init__(self, port: int, width: int = 1400, height: int = 1400):
        from websockets.sync.client import connect

        self.profile = tempfile.mkdtemp(prefix="archflow-chromium-")
        self.process = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars", f"--window-size={width},{height}", f"--remote-debugging-port={port}", f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline, pages = time.time() + 30, []
        while time.time() < deadline and not pages:
            try:
                pages = [t for t in httpx.get(f"http://127.0.0.1:{port}/json", timeout=2).json() if t["type"] == "page"]
            except httpx.HTTPError:
                time.sleep(0.3)
        if not pages:
            self.close()
            raise RuntimeError("Chromium's DevTools endpoint did not come up")
        self.socket, self.calls = connect(pages[0]["webSocketDebuggerUrl"], max_size=64 * 2**20), 0

    def call(self, method: str, **params):
        self.calls += 1
        self.socket.send(json.dumps({"id": self.calls, "method": method, "params": params}))
        while True:
            reply = json.loads(self.socket.recv(timeout=60))
            if reply.get("id") == self.calls:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def evaluate(self, expression: str):
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True).get("result", {}).get("value")

    def html(self) -> str:
        return self.evaluate("document.documentElement.outerHTML") or ""

    def wait_for(self, predicate, timeout: float = 45) -> str:
        """The DOM once ``predicate(html)`` holds (or, after ``timeout`` seconds, as it is)."""
        deadline = time.time() + timeout
        while True:
            html = self.html()
            if predicate(html) or time.time() > deadline:
                return html
            time.sleep(0.5)

    def open(self, url: str, predicate, timeout: float = 45) -> str:
        self.call("Page.navigate", url=url)
        return self.wait_for(predicate, timeout)

    def click_text(self, text: str) -> bool:
        """Click the innermost element whose text is exactly ``text``."""
        return bool(self.evaluate(f"(() => {{ const hits = [...document.querySelectorAll('button, a, [role=tab], li, span, div')].filter(e => e.textContent.trim() === {json.dumps(text)}); const hit = hits[hits.length - 1]; if (hit) hit.click(); return !!hit; }})()"))

    def screenshot(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]))

    def close(self) -> None:
        try:
            self.socket.close()
        except Exception:
            pass
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)
