"""URLs of the admin's routes, worked out once per name and parameters.

Starlette finds a route's URL by trying every route of the router in turn,
each miss an exception; an admin page asks for some forty URLs (its menu,
statics, links), so that search cost milliseconds a page. The admin's own
routes do not change once it is set up: the URL its mount gives a name and
parameters is kept (a bounded cache; parameters that cannot be kept are
looked up as before).
"""

from functools import lru_cache
from typing import Any

from starlette.datastructures import URLPath
from starlette.routing import Mount

CACHED_URLS = 4096


def cache_url_paths(mount: Mount, size: int = CACHED_URLS) -> None:
    """Keep the URL paths ``mount`` gives, by route name and parameters."""
    find = mount.url_path_for

    @lru_cache(maxsize=size)
    def cached(name: str, params: tuple[tuple[str, type, Any], ...]) -> URLPath:
        return find(name, **{key: value for key, _, value in params})

    def url_path_for(name: str, /, **path_params: Any) -> URLPath:
        # The type too: 1 and True are equal keys, and name different URLs.
        params = tuple(sorted((k, type(v), v) for k, v in path_params.items()))
        try:
            hash(params)
        except TypeError:
            return find(name, **path_params)
        return cached(name, params)

    mount.url_path_for = url_path_for  # type: ignore[method-assign]
