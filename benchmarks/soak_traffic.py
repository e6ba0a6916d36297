"""The soak's clients: each signed in with its own session, looping over a
weighted mix of what people do in an admin, every request recorded.

The mix: list pages (sorted, paged), customer searches, edit saves of a few
shared orders (each client GETs the form, then POSTs it with a marker of its
own in ``note``: the saves collide, and the admin refuses the stale ones with
409), deletes of customers made for the purpose (the DELETE the list's script
sends, which answers a refusal with its status; drawn from one shared pool,
among the first few left, so two clients often delete the same one), and CSV
exports (a POST with the CSRF token, as the export's confirmation page sends,
streamed). Every :data:`RECONNECT` requests a client opens a new connection
(as a browser does after an idle while): kept-alive connections would leave a
worker started mid-run with no clients.
"""

import asyncio
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx

from benchmarks.generate import FIRST_NAMES
from benchmarks.pages import csrf_fields, post_form

ORDERS = "/admin/bench-order"
CUSTOMERS = "/admin/bench-customer"
# Kinds of request, with their share of a client's loop.
MIX: dict[str, int] = {"list": 30, "search": 20, "save": 30, "delete": 10, "export": 10}
# The form a save posts is read first: recorded as its own kind.
EDIT_FORM = "edit form"
LIST_PATHS = (
    f"{ORDERS}/list",
    f"{ORDERS}/list?page={{page}}",
    f"{ORDERS}/list?sortBy=total&sort=desc",
    f"{ORDERS}/list?sortBy=created_at&sort=asc&page={{page}}",
    f"{ORDERS}/list?status=cancelled",
    f"{CUSTOMERS}/list?page={{page}}",
)
EXPORT_PATH = f"{ORDERS}/export/csv?status=cancelled"
RECONNECT = 20
# Deletes pick among this many of the doomed rows left, lowest ids first.
DELETE_CHOICE = 4


@dataclass(frozen=True)
class Record:
    """One request: what, how it ended, when (seconds since the run began)."""

    kind: str
    client: int
    started: float
    ended: float
    status: int | None = None
    # The exception's class when no answer came.
    error: str | None = None
    # A save's or delete's row, and a save's marker.
    row: int | None = None
    marker: str | None = None

    @property
    def seconds(self) -> float:
        return self.ended - self.started

    @property
    def outcome(self) -> str:
        return self.error or str(self.status)

    @property
    def done(self) -> bool:
        """A save or delete the admin says it did: a save's redirect, or the
        200 of a DELETE (a refused one answers 404 or 409)."""
        return self.status == (200 if self.kind == "delete" else 302)


@dataclass
class Traffic:
    """What all clients share: the rows, the clock, the records."""

    edited: Sequence[int]
    doomed: list[int]
    began: float = field(default_factory=time.perf_counter)
    records: list[Record] = field(default_factory=list)

    def now(self) -> float:
        return time.perf_counter() - self.began


class Client:
    """One signed-in browser: its session cookie and its CSRF token."""

    def __init__(
        self, number: int, http: httpx.AsyncClient, token: str, traffic: Traffic
    ) -> None:
        self.number = number
        self.http = http
        self.token = token
        self.traffic = traffic
        self.saves = 0
        self.sent = 0
        self.rng = random.Random(number)  # reproducible choices, not secrets

    async def request(
        self,
        kind: str,
        method: str,
        path: str,
        row: int | None = None,
        **options: object,
    ) -> httpx.Response | None:
        """One request, recorded; None when no answer came."""
        self.sent += 1
        if self.sent % RECONNECT == 0:
            await self.reconnect()
        started = self.traffic.now()
        marker = options.pop("marker", None)
        status: int | None = None
        error: str | None = None
        response: httpx.Response | None
        try:
            response = await self.http.request(method, path, **options)  # type: ignore[arg-type]
            await response.aread()
            status = response.status_code
        except httpx.HTTPError as failure:
            response, error = None, type(failure).__name__
        self.traffic.records.append(
            Record(
                kind,
                self.number,
                started,
                self.traffic.now(),
                status=status,
                error=error,
                row=row,
                marker=marker if isinstance(marker, str) else None,
            )
        )
        return response

    async def reconnect(self) -> None:
        """The same session on a new connection."""
        old = self.http
        self.http = httpx.AsyncClient(
            base_url=old.base_url, cookies=old.cookies, timeout=old.timeout
        )
        await old.aclose()

    async def list_page(self) -> None:
        path = self.rng.choice(LIST_PATHS).format(page=self.rng.randint(2, 40))
        await self.request("list", "GET", path)

    async def search(self) -> None:
        term = self.rng.choice(FIRST_NAMES)[: self.rng.randint(2, 4)]
        await self.request("search", "GET", f"{CUSTOMERS}/list?search={term}")

    async def save(self) -> None:
        row = self.rng.choice(self.traffic.edited)
        path = f"{ORDERS}/edit/{row}"
        page = await self.request(EDIT_FORM, "GET", path, row=row)
        if page is None or page.status_code != 200:
            return
        form = post_form(page.text, f"/edit/{row}")
        if form is None:
            return
        self.saves += 1
        marker = f"soak-{self.number}-{self.saves}"
        fields = {**form.fields, "note": marker, "save": "Save"}
        await self.request("save", "POST", path, row=row, data=fields, marker=marker)

    async def delete(self) -> None:
        if not self.traffic.doomed:
            return await self.list_page()
        row = self.rng.choice(self.traffic.doomed[:DELETE_CHOICE])
        response = await self.request(
            "delete",
            "DELETE",
            f"{CUSTOMERS}/delete?pks={row}",
            row=row,
            headers={"X-CSRF-Token": self.token},
        )
        if response is not None and row in self.traffic.doomed:
            self.traffic.doomed.remove(row)
        return None

    async def export(self) -> None:
        await self.request(
            "export", "POST", EXPORT_PATH, data={"csrf_token": self.token}
        )

    async def loop(self, until: float) -> None:
        actions = {
            "list": self.list_page,
            "search": self.search,
            "save": self.save,
            "delete": self.delete,
            "export": self.export,
        }
        kinds, weights = list(MIX), list(MIX.values())
        while self.traffic.now() < until:
            kind = self.rng.choices(kinds, weights)[0]
            await actions[kind]()


async def sign_in(
    base_url: str, number: int, username: str, password: str, traffic: Traffic
) -> Client:
    """A client signed in as a browser does: the login page's CSRF token
    posted with the credentials, then a page for the session's token."""
    http = httpx.AsyncClient(base_url=base_url, timeout=60)
    page = await http.get("/admin/login")
    answer = await http.post(
        "/admin/login",
        data={"username": username, "password": password, **csrf_fields(page.text)},
    )
    if answer.status_code != 302 or "login" in answer.headers.get("location", ""):
        await http.aclose()
        raise RuntimeError(f"client {number} cannot sign in: {answer.status_code}")
    listing = await http.get(f"{ORDERS}/list")
    token = csrf_fields(listing.text).get("csrf_token", "")
    return Client(number, http, token, traffic)


async def drive(clients: Sequence[Client], seconds: float) -> None:
    """Every client looping until ``seconds`` after the traffic began."""
    until = clients[0].traffic.now() + seconds if clients else 0.0
    await asyncio.gather(*(client.loop(until) for client in clients))


async def close(clients: Sequence[Client]) -> None:
    for client in clients:
        await client.http.aclose()
