"""The personas the sandbox page lets a visitor act as, so anyone can try every role."""

from __future__ import annotations

import logging
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Person:
    """A pretend Telegram user; `role` is only a label for the page's picker."""

    id: int
    first_name: str
    role: str = ""
    last_name: str | None = None
    username: str | None = None


DEFAULT_PEOPLE: tuple[Person, ...] = (
    Person(1001, "Aisha", "tutor", username="aisha_tutor"),
    Person(1002, "Ben", "tutor", username="ben_tutor"),
    Person(1003, "Carys", "group lead", username="carys_lead"),
    Person(1004, "Dev", "coordinator", username="dev_coord"),
)


def person_json(person: Person) -> dict[str, object]:
    """The page and the client need the same plain shape."""
    return {
        "id": person.id,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "username": person.username,
        "role": person.role,
    }
