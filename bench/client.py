"""A tiny HTTP client for 127.0.0.1: a cookie jar, sign-in with the page's CSRF token."""

from __future__ import annotations

import http.client
import re
from http.cookies import SimpleCookie
from urllib.parse import urlencode

USER_AGENT = "pfr-bench/1"  # one agent throughout: sessions are bound to address + agent
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Session:
    """Cookies for one person, sent as a Cookie header (no Secure-only surprises)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(self, method: str, path: str, body=None, headers=None, blocksize=8192):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600, blocksize=blocksize)
        try:
            sent = {"User-Agent": USER_AGENT, **(headers or {})}
            if self.cookies:
                sent["Cookie"] = self.cookie_header
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            data = response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(header)
                for name, morsel in jar.items():
                    if morsel.value:
                        self.cookies[name] = morsel.value
                    else:
                        self.cookies.pop(name, None)
            return response.status, response.headers, data
        finally:
            conn.close()

    def csrf_token(self, path: str) -> str:
        status, _, page = self.request("GET", path)
        found = CSRF_RE.search(page.decode())
        if status != 200 or found is None:
            raise RuntimeError(f"no CSRF token on {path} (HTTP {status})")
        return found.group(1)

    def login(self, email: str, password: str) -> Session:
        """POST /login with the token from the login page; then load one page so the
        session holds its CSRF secret and the cookie stops changing."""
        token = self.csrf_token("/login")
        form = urlencode({"email": email, "password": password, "next": "", "csrf_token": token})
        status, headers, _ = self.request(
            "POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        if status != 302:
            raise RuntimeError(f"sign-in as {email} failed (HTTP {status})")
        status, _, _ = self.request("GET", headers.get("Location", "/"))
        return self
