"""Simulated users of the load run: the logins, the mix of pages each opens, one browser session, and
the latency report."""

from __future__ import annotations

import http.client
import random
import re
import statistics
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from urllib.parse import urlencode

DEMO_PASSWORD = "demo"  # noqa: S105 - seed_demo's published password

# (login, organization, products, whether the user edits the map)
LOGINS = [
    ("admin@northwind.test", "northwind", ("insights", "connect"), True),
    ("leader@northwind.test", "northwind", ("insights", "connect"), True),
    # Jordan (Customer Success) sees only the products his function is mapped on.
    ("stakeholder@northwind.test", "northwind", ("insights",), False),
    ("leader@contoso.test", "contoso", ("fleet",), True),
]
# Kind of request → weight in the mix.
MIX = {"dashboard": 25, "product": 15, "map": 20, "me": 15, "api": 25}


@dataclass
class Sample:
    kind: str
    path: str
    status: int  # 0: no answer
    seconds: float
    error: str = ""


class Browser:
    """One signed-in user: a keep-alive connection and a cookie jar."""

    def __init__(self, port: int, timeout: float) -> None:
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def request(self, method: str, path: str, body: str | None = None, **headers: str) -> tuple[int, bytes]:
        headers = {"Host": f"127.0.0.1:{self.port}", **headers}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                content = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed a kept-alive connection between requests: open a new one once.
                self.connection.close()
                if attempt == 2:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, content

    def sign_in(self, email: str) -> None:
        status, page = self.request("GET", "/accounts/login/")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or match is None:
            raise RuntimeError(f"the sign-in page answered {status}")
        form = urlencode({"username": email, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": match.group(1).decode()})
        status, _ = self.request(
            "POST", "/accounts/login/", form, **{"Content-Type": "application/x-www-form-urlencoded"}
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"signing in as {email} answered {status}")


def mix_for(org: str, products: tuple[str, ...], edits: bool) -> dict[str, list[str]]:
    api = [f"/api/v1/orgs/{org}/products/", f"/api/v1/orgs/{org}/functions/"]
    api += [f"/api/v1/orgs/{org}/products/{p}/assignments/" for p in products]
    return {
        "dashboard": [f"/o/{org}/"],
        "product": [f"/o/{org}/p/{p}/" for p in products],
        "map": [f"/o/{org}/p/{p}/map/" for p in products] if edits else [],
        "me": [f"/o/{org}/me/"],
        "api": api,
    }


def run_user(
    index: int, port: int, timeout: float, start: threading.Barrier, deadline: list[float], out: list[Sample]
) -> None:
    email, org, products, edits = LOGINS[index % len(LOGINS)]
    rng = random.Random(index)  # noqa: S311 - a repeatable mix, not a secret
    paths = mix_for(org, products, edits)
    kinds = [kind for kind in MIX if paths[kind]]
    weights = [MIX[kind] for kind in kinds]
    browser = Browser(port, timeout)
    try:
        browser.sign_in(email)
    except Exception as exc:  # a failed sign-in is a result to report
        out.append(Sample("sign-in", "/accounts/login/", 0, 0.0, f"{email}: {exc}"))
        start.abort()
        return
    try:
        start.wait(timeout=120)
    except threading.BrokenBarrierError:
        return
    while time.monotonic() < deadline[0]:
        kind = rng.choices(kinds, weights)[0]
        path = rng.choice(paths[kind])
        began = time.perf_counter()
        try:
            status, _ = browser.request("GET", path, Accept="application/json" if kind == "api" else "text/html")
            error = "" if status == 200 else f"HTTP {status}"
        except Exception as exc:  # no answer is an error to count, not a crash
            status, error = 0, f"{type(exc).__name__}: {exc}"
            browser.connection.close()
        out.append(Sample(kind, path, status, time.perf_counter() - began, error))


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def report(samples: list[Sample], seconds: float) -> int:
    errors = [s for s in samples if s.error]
    times = [s.seconds * 1000 for s in samples if s.kind != "sign-in"]
    count = len(times)
    print()
    print(f"requests {count}  ({count / seconds:.1f}/s over {seconds:.1f} s)  errors {len(errors)}")
    if times:
        print(
            f"latency ms  p50 {percentile(times, 0.5):.0f}  p90 {percentile(times, 0.9):.0f}  "
            f"p99 {percentile(times, 0.99):.0f}  max {max(times):.0f}  mean {statistics.fmean(times):.0f}"
        )
    by_kind: dict[str, list[float]] = defaultdict(list)
    for s in samples:
        by_kind[s.kind].append(s.seconds * 1000)
    print(f"\n{'kind':<10} {'requests':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for kind in [*MIX, "sign-in"]:
        values = by_kind.get(kind)
        if values:
            failed = sum(1 for s in errors if s.kind == kind)
            p50, p99 = percentile(values, 0.5), percentile(values, 0.99)
            print(f"{kind:<10} {len(values):>9} {p50:>8.0f} {p99:>8.0f} {failed:>7}")
    if errors:
        print("\nerrors:")
        for (kind, path, error), n in Counter((s.kind, s.path, s.error) for s in errors).most_common(20):
            print(f"  {n:>5}x {kind} {path}: {error}")
    return 1 if errors else 0
