"""Reading the navigation out of a page: the sidebar's groups, the breadcrumbs
and the environment label."""

from dataclasses import dataclass
from html.parser import HTMLParser


@dataclass
class Drawn:
    """What a page's navigation shows."""

    groups: list[tuple[str, list[str]]]  # (heading, the links' identities)
    icons: dict[str, str]  # identity → the icon's classes ("" for none)
    current: list[str]  # identities marked aria-current="page" in the menu
    crumbs: list[tuple[str, str | None]]  # (text, href; None for no link)
    crumb_current: list[str]  # breadcrumb texts marked aria-current="page"
    environment: list[tuple[str, str]]  # (text, tone) of each label


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.drawn = Drawn([], {}, [], [], [], [])
        self._in_heading = False
        self._link: str | None = None
        self._crumbs = False
        self._crumb: list[str] | None = None
        self._crumb_href: str | None = None
        self._crumb_current = False
        self._env: list[str] | None = None
        self._env_tone = ""
        self._env_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if self._env is not None:
            self._env_depth += 1
        if "admin-nav-heading" in classes:
            self._in_heading = True
            self.drawn.groups.append(("", []))
        elif tag == "a" and a.get("data-identity") and self.drawn.groups:
            self._link = a["data-identity"]
            self.drawn.groups[-1][1].append(self._link or "")
            self.drawn.icons[self._link or ""] = ""
            if a.get("aria-current") == "page":
                self.drawn.current.append(self._link or "")
        elif tag == "i" and self._link is not None:
            self.drawn.icons[self._link] = a.get("class") or ""
        elif a.get("data-admin-app") == "breadcrumbs":
            self._crumbs = True
        elif tag == "li" and self._crumbs:
            self._crumb, self._crumb_href = [], None
            self._crumb_current = a.get("aria-current") == "page"
        elif tag == "a" and self._crumb is not None:
            self._crumb_href = a.get("href")
        elif a.get("data-admin-app") == "environment":
            self._env, self._env_tone, self._env_depth = [], a.get("data-tone") or "", 0

    def handle_endtag(self, tag: str) -> None:
        if self._in_heading and tag == "div":
            self._in_heading = False
        elif tag == "a" and self._link is not None:
            self._link = None
        elif tag == "li" and self._crumb is not None:
            text = " ".join("".join(self._crumb).split())
            self.drawn.crumbs.append((text, self._crumb_href))
            if self._crumb_current:
                self.drawn.crumb_current.append(text)
            self._crumb = None
        elif tag == "nav" and self._crumbs:
            self._crumbs = False
        elif self._env is not None:
            if self._env_depth == 0:
                text = " ".join("".join(self._env).split())
                self.drawn.environment.append((text, self._env_tone))
                self._env = None
            else:
                self._env_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._in_heading:
            heading, links = self.drawn.groups[-1]
            self.drawn.groups[-1] = ((heading + data).strip(), links)
        if self._crumb is not None:
            self._crumb.append(data)
        if self._env is not None:
            self._env.append(data)


def drawn(html: str) -> Drawn:
    reader = _Reader()
    reader.feed(html)
    return reader.drawn
