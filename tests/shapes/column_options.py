"""Columns declared the many ways sqlmodel allows: ``sa_column=Column(...)``,
``Field(sa_type=...)`` with a custom ``TypeDecorator`` (one that refuses some
values when binding), ``sa_column_kwargs``, ``regex=`` (which sqlmodel accepts
and ignores) and ``schema_extra={"pattern": ...}``, ``description=`` as help
text, and an ``Optional`` many-to-one relation."""

from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Numeric, String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, Relationship, Session, SQLModel

DIALECTS = ("sqlite", "postgresql")


class UpperCode(TypeDecorator[str]):
    """Codes are stored upper-case; anything else is refused when bound."""

    impl = String(12)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is not None and value != value.upper():
            raise ValueError("codes are upper-case")
        return value


class OptionSupplier(SQLModel, table=True):
    __tablename__ = "column_options_supplier"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(
        max_length=80, unique=True, index=True, description="The trading name"
    )


class OptionProduct(SQLModel, table=True):
    __tablename__ = "column_options_product"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(
        sa_column=Column(String(120), nullable=False, unique=True, index=True),
        description="Shown on invoices",
    )
    code: str = Field(sa_type=UpperCode, description="Upper-case letters")
    sku: str = Field(regex=r"^[A-Z0-9-]+$", max_length=20)
    ean: str | None = Field(default=None, schema_extra={"pattern": r"^\d{13}$"})
    notes: str | None = Field(default=None, sa_type=Text)
    price: Decimal = Field(
        default=Decimal("0.00"), sa_column=Column(Numeric(10, 2), nullable=False)
    )
    colour: str = Field(
        default="red", max_length=20, sa_column_kwargs={"comment": "Paint colour"}
    )
    supplier_id: int | None = Field(
        default=None, foreign_key="column_options_supplier.id"
    )
    supplier: OptionSupplier | None = Relationship()


def seed(session: Session) -> None:
    acme = OptionSupplier(name='Acmé <b>&"')
    session.add_all(
        [
            acme,
            OptionSupplier(name="Globex"),
            OptionProduct(
                name="Anvil",
                code="ANV",
                sku="ANV-1",
                ean="1234567890123",
                notes="Heavy.\nVery heavy.",
                price=Decimal("99.90"),
                supplier=acme,
            ),
            OptionProduct(name="Rocket skates", code="RS", sku="RS-2"),
        ]
    )


CREATE = {
    "option-supplier": {"name": "Initech"},
    "option-product": {
        "name": "Tornado seeds",
        "code": "TS",
        "sku": "TS-3",
        "ean": "",
        "price": "12.50",
        "supplier": "2",
    },
}
