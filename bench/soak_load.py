"""The soak's simulated people: HTTPS clients with a session each, driving the pages as staff,
reviewers and leaders do (bench/soak.py runs eight of them at once).

Each request is recorded as (kind, status, start, milliseconds); status 0 is a connection that
failed or timed out. Forms are read from the pages (CSRF token, task choices, review level) and
posted back like a browser does, with Origin and Referer over TLS.
"""

import http.client
import io
import random
import re
import ssl
import threading
import time
import uuid
from datetime import date, timedelta
from urllib.parse import urlencode, urlsplit

PASSWORD = "Fukang-2010"
# A keep-alive connection idle this long is replaced before the next request (nginx's
# keepalive_timeout is 75 s; a request on a connection it has just closed fails).
IDLE_SECONDS = 50
STAFF = ["union_staff", "cg_staff", "league_staff", "women_staff", "yq_staff"]
REVIEWERS = ["jg_reviewer", "cg_reviewer", "city_reviewer"]
LEADERS = ["city_leader", "jg_leader", "cg_leader"]

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TASKS = re.compile(r'name="tasks" value="(\d+)"')
DETAIL = re.compile(r'href="/activities/(\d+)/"')
LEVEL = re.compile(r'name="level" value="(\d+)"')
UNIT_DASHBOARD = re.compile(r'href="/dashboards/units/(\d+)/"')


def campaign_dates(form: str) -> tuple[date, date]:
    """The dates the form's campaign allows: the date field's min and max where the form states
    them, else the 2010 demo campaign's (2010-05-01 – 2010-12-31). Never after today."""
    tag = re.search(r'<input[^>]*name="starts_on"[^>]*>', form)
    low = re.search(r'min="(\d{4}-\d\d-\d\d)"', tag.group(0)) if tag else None
    high = re.search(r'max="(\d{4}-\d\d-\d\d)"', tag.group(0)) if tag else None
    first = date.fromisoformat(low.group(1)) if low else date(2010, 5, 1)
    last = date.fromisoformat(high.group(1)) if high else date(2010, 12, 31)
    return first, max(first, min(last, date.today()))


def photo() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (200, 30, 30)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.samples: list[tuple[str, int, float, float]] = []

    def add(self, kind: str, status: int, started: float, ms: float) -> None:
        with self.lock:
            self.samples.append((kind, status, started, ms))


class Browser:
    """One person's session: cookies, no redirects followed, a fresh connection when one fails."""

    def __init__(self, base_url: str, recorder: Recorder, timeout: float = 60) -> None:
        self.base = base_url
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.context = ssl._create_unverified_context()  # the soak's self-signed certificate
        self.timeout = timeout
        self.recorder = recorder
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPSConnection | None = None
        self.last_used = 0.0

    def request(
        self,
        kind: str,
        method: str,
        path: str,
        body: bytes | None = None,
        ctype: str = "",
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes, dict]:
        headers = {
            "Host": f"{self.host}:{self.port}",
            "Accept-Language": "zh-hans",
            **(headers or {}),
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            headers.update(
                {"Origin": self.base, "Referer": self.base + path, "Content-Type": ctype}
            )
        started = time.time()
        clock = time.monotonic()
        if self.conn is not None and clock - self.last_used > IDLE_SECONDS:
            self.close()  # as a browser drops a socket idle for long: nginx closes it at 75 s
        try:
            if self.conn is None:
                self.conn = http.client.HTTPSConnection(
                    self.host, self.port, context=self.context, timeout=self.timeout
                )
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            content = response.read()
            status = response.status
            for value in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            # A header sent twice is read as one, joined (as HTTPResponse.getheader does).
            names = dict.fromkeys(response.headers.keys())
            joined = {name: ", ".join(response.headers.get_all(name) or []) for name in names}
            result = (status, content, joined)
            if response.headers.get("Connection", "").lower() == "close":
                self.close()
        except (OSError, http.client.HTTPException):
            self.close()
            result = (0, b"", {})
        self.last_used = time.monotonic()
        self.recorder.add(kind, result[0], started, (self.last_used - clock) * 1000)
        return result

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def get(self, kind: str, path: str):
        return self.request(kind, "GET", path)

    def post(self, kind: str, path: str, fields: dict, files: dict | None = None):
        if not files:
            body = urlencode(fields, doseq=True).encode()
            return self.request(kind, "POST", path, body, "application/x-www-form-urlencoded")
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields.items():
            for item in value if isinstance(value, list) else [value]:
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                    f"{item}\r\n".encode()
                )
        for name, (filename, content, ctype) in files.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {ctype}\r\n\r\n'.encode()
                + content
                + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(
            kind, "POST", path, b"".join(parts), f"multipart/form-data; boundary={boundary}"
        )

    def csrf(self, kind: str, path: str) -> tuple[str | None, bytes]:
        status, content, _ = self.get(kind, path)
        found = CSRF.search(content.decode(errors="replace")) if status == 200 else None
        return (found.group(1) if found else None), content

    def login(self, username: str) -> bool:
        token, _ = self.csrf("login", "/accounts/login/")
        if token is None:
            return False
        status, _, _headers = self.post(
            "login",
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
        )
        return status == 302


class Person:
    """One of the eight: signs its users in lazily, then does one thing per `step()`."""

    def __init__(
        self,
        base_url: str,
        recorder: Recorder,
        seed: int,
        jpeg: bytes,
        appraisal_paths: list[str] | None = None,
    ) -> None:
        self.base_url = base_url
        self.recorder = recorder
        self.random = random.Random(seed)
        self.jpeg = jpeg
        self.browsers: dict[str, Browser] = {}
        self.appraisal_paths = appraisal_paths or []
        self.ratings_sent = 0  # answered 302: recorded by the app
        self.ratings_unknown = 0

    def browser(self, username: str) -> Browser | None:
        browser = self.browsers.get(username)
        if browser is None:
            browser = Browser(self.base_url, self.recorder)
            if not browser.login(username):
                return None
            self.browsers[username] = browser
        return browser

    def step(self) -> None:
        roll = self.random.random()
        if roll < 0.08 and self.appraisal_paths:
            self.anonymous_appraises(self.random.choice(self.appraisal_paths))
        elif roll < 0.45:
            self.staff_logs_and_submits(self.random.choice(STAFF))
        elif roll < 0.80:
            self.reviewer_acts(self.random.choice(REVIEWERS))
        elif roll < 0.97:
            self.leader_opens_dashboard(self.random.choice(LEADERS))
        else:
            self.leader_downloads_export(self.random.choice(LEADERS))

    def anonymous_appraises(self, path: str) -> None:
        """A member of the public opens a unit's appraisal page from its QR code, on a phone of
        their own (no session, a new device cookie), and rates it."""
        phone = Browser(self.base_url, self.recorder)
        try:
            token, _page = phone.csrf("appraisal", path)
            if token is None:
                return
            verdict = self.random.choice(["3", "3", "3", "2", "1"])
            status, _, _ = phone.post(
                "appraisal",
                path,
                {"csrfmiddlewaretoken": token, "verdict": verdict, "remark": "服务热情，办事高效"},
            )
            if status == 302:
                self.ratings_sent += 1
            elif status == 0 or status >= 500:
                self.ratings_unknown += 1  # a fault's window: recorded or not
        finally:
            phone.close()

    def staff_logs_and_submits(self, username: str) -> None:
        browser = self.browser(username)
        if browser is None:
            return
        token, form = browser.csrf("activity_form", "/activities/new/")
        tasks = TASKS.findall(form.decode(errors="replace"))
        if token is None or not tasks:
            return
        first, last = campaign_dates(form.decode(errors="replace"))
        day = first + timedelta(days=self.random.randint(0, max(0, (last - first).days)))
        status, _, headers = browser.post(
            "activity_create",
            "/activities/new/",
            {
                "csrfmiddlewaretoken": token,
                "title": f"压力测试活动 {uuid.uuid4().hex[:8]}",
                "starts_on": day.isoformat(),
                "ends_on": day.isoformat(),
                "place": "社区活动室",
                "participants_party_members": str(self.random.randint(1, 30)),
                "participants_workers": "0",
                "participants_youth": "0",
                "participants_women": "0",
                "participants_public": "0",
                "quantity": "",
                "description": "soak",
                "outcome": "",
                "tasks": [self.random.choice(tasks)],
                "save": "1",
            },
        )
        found = re.search(r"/activities/(\d+)/", headers.get("Location", ""))
        if status != 302 or not found:
            return
        pk = found.group(1)
        token, _ = browser.csrf("activity_detail", f"/activities/{pk}/")
        if token is None:
            return
        browser.post(
            "evidence_upload",
            f"/activities/{pk}/evidence/",
            {"csrfmiddlewaretoken": token},
            {"files": ("photo.jpg", self.jpeg, "image/jpeg")},
        )
        browser.post("activity_submit", f"/activities/{pk}/submit/", {"csrfmiddlewaretoken": token})

    def reviewer_acts(self, username: str) -> None:
        browser = self.browser(username)
        if browser is None:
            return
        status, content, _ = browser.get("review_queue", "/activities/review/")
        waiting = DETAIL.findall(content.decode(errors="replace")) if status == 200 else []
        if not waiting:
            return
        pk = self.random.choice(waiting[:10])
        status, content, _ = browser.get("activity_detail", f"/activities/{pk}/")
        page = content.decode(errors="replace")
        token, level = CSRF.search(page), LEVEL.search(page)
        if status != 200 or token is None or level is None:
            return
        fields = {"csrfmiddlewaretoken": token.group(1), "level": level.group(1)}
        if self.random.random() < 0.6:
            browser.post("review_approve", f"/activities/{pk}/approve/", fields)
        else:
            fields["reason"] = "请补充活动照片说明"
            browser.post("review_return", f"/activities/{pk}/return/", fields)

    def leader_opens_dashboard(self, username: str) -> None:
        browser = self.browser(username)
        if browser is None:
            return
        status, content, headers = browser.get("dashboard", "/dashboards/")
        target = headers.get("Location", "")
        if status == 302 and "/dashboards/units/" in target:
            browser.get("dashboard", urlsplit(target).path)
        elif status == 200:
            found = UNIT_DASHBOARD.search(content.decode(errors="replace"))
            if found:
                browser.get("dashboard", f"/dashboards/units/{found.group(1)}/")

    def leader_downloads_export(self, username: str) -> None:
        browser = self.browser(username)
        if browser is not None:
            browser.get("export", "/dashboards/activities/export.xlsx")
