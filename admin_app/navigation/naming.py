"""What a model's name and module suggest: the sidebar group it belongs to
(``infer_category``) and its icon (``infer_icon``)."""

import re
import sys

# admin_app's own tables (users, grants, sessions, throttles, the audit trail)
# are grouped under this name, drawn last and shown to admins only (their
# views are admin-only: admin_app.security.permissions).
ADMINISTRATION = "Administration"

# Module name parts that say nothing about what a module holds.
_GENERIC_PARTS = frozenset(
    {
        "models",
        "model",
        "tables",
        "table",
        "db",
        "database",
        "orm",
        "schema",
        "schemas",
        "entities",
        "domain",
        "app",
        "src",
    }
)

# A word of a model's name → the Font Awesome icon (shipped by sqladmin) it
# suggests. The model's words are tried last first: an OrderItem is an item.
ICON_WORDS: dict[str, str] = {
    **dict.fromkeys(
        (
            "user",
            "person",
            "people",
            "member",
            "customer",
            "client",
            "employee",
            "staff",
            "author",
            "owner",
            "requester",
        ),
        "fa-solid fa-users",
    ),
    **dict.fromkeys(("team", "group", "department"), "fa-solid fa-people-group"),
    **dict.fromkeys(
        ("company", "organization", "organisation", "tenant", "vendor", "supplier"),
        "fa-solid fa-building",
    ),
    **dict.fromkeys(("order", "purchase", "receipt"), "fa-solid fa-receipt"),
    **dict.fromkeys(("product", "item", "sku", "parcel"), "fa-solid fa-box"),
    **dict.fromkeys(("project",), "fa-solid fa-diagram-project"),
    **dict.fromkeys(("invoice", "bill"), "fa-solid fa-file-invoice"),
    **dict.fromkeys(
        ("payment", "transaction", "charge", "card"), "fa-solid fa-credit-card"
    ),
    **dict.fromkeys(("price", "refund", "payout"), "fa-solid fa-money-bill-wave"),
    **dict.fromkeys(("shipment", "delivery", "shipping"), "fa-solid fa-truck"),
    **dict.fromkeys(("tag", "label", "category"), "fa-solid fa-tag"),
    **dict.fromkeys(("task", "todo", "issue", "checklist"), "fa-solid fa-list-check"),
    **dict.fromkeys(("ticket",), "fa-solid fa-ticket"),
    **dict.fromkeys(("comment", "message", "review", "reply"), "fa-solid fa-comments"),
    **dict.fromkeys(("post", "article", "news"), "fa-solid fa-newspaper"),
    **dict.fromkeys(
        ("event", "booking", "reservation", "appointment", "meeting"),
        "fa-solid fa-calendar",
    ),
    **dict.fromkeys(("address", "location", "place"), "fa-solid fa-location-dot"),
    **dict.fromkeys(("image", "photo", "picture", "media"), "fa-solid fa-image"),
    **dict.fromkeys(("document", "file", "note", "page"), "fa-solid fa-file-lines"),
    **dict.fromkeys(("email", "mail"), "fa-solid fa-envelope"),
    **dict.fromkeys(("notification", "alert"), "fa-solid fa-bell"),
    **dict.fromkeys(("setting", "config", "preference"), "fa-solid fa-gear"),
    **dict.fromkeys(("grant", "permission", "role", "token"), "fa-solid fa-key"),
    **dict.fromkeys(("session", "login"), "fa-solid fa-user-clock"),
    **dict.fromkeys(("throttle", "lockout"), "fa-solid fa-hourglass-half"),
    **dict.fromkeys(("audit", "log", "history"), "fa-solid fa-clock-rotate-left"),
    **dict.fromkeys(("store", "shop"), "fa-solid fa-store"),
    **dict.fromkeys(("warehouse", "inventory", "stock"), "fa-solid fa-warehouse"),
    **dict.fromkeys(("contact",), "fa-solid fa-address-book"),
}

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def name_words(name: str) -> list[str]:
    """``OrderItem`` → ``["order", "item"]``; ``project_member`` too."""
    return [word.lower() for word in _WORD.findall(name)]


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def icon_for(name: str) -> str | None:
    """The icon a model's name suggests, its last word first; None when no
    word of it does."""
    for word in reversed(name_words(name)):
        for form in (word, _singular(word)):
            if form in ICON_WORDS:
                return ICON_WORDS[form]
    return None


def is_own_module(module: str) -> bool:
    """Whether ``module`` is admin_app's own (its tables are administration)."""
    return module == "admin_app" or module.startswith("admin_app.")


def module_category(module: str) -> str:
    """The group of the models defined in ``module``: ``__admin_category__``
    of the module or of a package above it, else the module path's last part
    that says something (``shop.models`` → ``Shop``), title-cased."""
    if is_own_module(module):
        return ADMINISTRATION
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        declared = getattr(
            sys.modules.get(".".join(parts[:end])), "__admin_category__", None
        )
        if isinstance(declared, str) and declared.strip():
            return declared.strip()
    telling = [part for part in parts if part.strip("_").lower() not in _GENERIC_PARTS]
    chosen = telling[-1] if telling else parts[0]
    return chosen.strip("_").replace("_", " ").title() or module
