"""Several foreign keys to the same table: a message's sender and receiver are
both users, each relation told apart with ``sa_relationship_kwargs=
{"foreign_keys": ...}`` (and the users' collections of each, likewise)."""

from sqlmodel import Field, Relationship, Session, SQLModel

DIALECTS = ("sqlite", "postgresql")


class MessageUser(SQLModel, table=True):
    __tablename__ = "messages_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=40, unique=True, index=True)
    api_token: str = Field(default="", max_length=80)

    sent: list["Message"] = Relationship(
        back_populates="sender",
        sa_relationship_kwargs={"foreign_keys": "Message.sender_id"},
    )
    received: list["Message"] = Relationship(
        back_populates="receiver",
        sa_relationship_kwargs={"foreign_keys": "Message.receiver_id"},
    )


class Message(SQLModel, table=True):
    __tablename__ = "messages_message"

    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(max_length=120, index=True)
    body: str = ""
    sender_id: int = Field(foreign_key="messages_user.id", index=True)
    receiver_id: int | None = Field(
        default=None, foreign_key="messages_user.id", index=True
    )

    sender: MessageUser | None = Relationship(
        back_populates="sent",
        sa_relationship_kwargs={"foreign_keys": "Message.sender_id"},
    )
    receiver: MessageUser | None = Relationship(
        back_populates="received",
        sa_relationship_kwargs={"foreign_keys": "[Message.receiver_id]"},
    )


def seed(session: Session) -> None:
    alice = MessageUser(username="alice", api_token="SECRET-HASH-VALUE")
    bob = MessageUser(username='bøb <b>&"')
    session.add_all(
        [
            alice,
            bob,
            Message(subject="Hello", body="Hi Bob", sender=alice, receiver=bob),
            Message(subject="Re: Hello", sender=bob, receiver=alice),
            Message(subject="Note to self", sender=alice),
        ]
    )


CREATE = {
    "message-user": {"username": "carol"},
    "message": {"subject": "Lunch?", "sender": "2", "receiver": "1"},
}
