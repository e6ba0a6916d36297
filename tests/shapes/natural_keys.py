"""Keys not named ``id``: ``country_no`` and ``city_id`` primary keys, a
``BigInteger`` key given by hand (not generated), and foreign keys to them."""

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, Relationship, Session, SQLModel

DIALECTS = ("sqlite", "postgresql")


class KeyCountry(SQLModel, table=True):
    __tablename__ = "natural_keys_country"

    country_no: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True, index=True)
    cities: list["KeyCity"] = Relationship(back_populates="country")


class KeyCity(SQLModel, table=True):
    __tablename__ = "natural_keys_city"

    city_id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, index=True)
    country_no: int = Field(foreign_key="natural_keys_country.country_no")
    country: KeyCountry | None = Relationship(back_populates="cities")


class KeyAirport(SQLModel, table=True):
    """Keyed by a large number given by hand; a bare foreign key to a city."""

    __tablename__ = "natural_keys_airport"

    station_number: int = Field(
        sa_column=Column(BigInteger, primary_key=True, autoincrement=False)
    )
    name: str = Field(max_length=80, index=True)
    city_id: int | None = Field(default=None, foreign_key="natural_keys_city.city_id")


def seed(session: Session) -> None:
    france = KeyCountry(name='Fránce <b>&"')
    paris = KeyCity(name="Paris", country=france)
    session.add_all(
        [
            france,
            KeyCountry(name="Japan"),
            paris,
            KeyCity(name="Lyon", country=france),
        ]
    )
    session.flush()
    session.add(
        KeyAirport(station_number=7_157_000_001, name="Orly", city_id=paris.city_id)
    )


CREATE = {
    "key-country": {"name": "Peru"},
    "key-city": {"name": "Osaka", "country": "2"},
    "key-airport": {
        "station_number": "9007199254740993",
        "name": "Kansai",
        "city_id": "2",
    },
}
