"""Staff accounts: the business's own people, kept apart from client accounts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from portal_app.accounts.passwords import hash_password
from portal_app.accounts.validation import check_new_password, clean_full_name, normalize_email
from portal_app.admin import audit
from portal_app.admin.models import StaffAccount
from portal_app.kernel import clock, db
from portal_app.kernel.errors import FieldError


@dataclass(frozen=True)
class StaffView:
    """What the admin pages may know of the signed-in staff member (never the hash)."""

    id: int
    email: str
    name: str

    @property
    def actor(self) -> audit.Actor:
        return audit.Actor(self.email, self.id)


def create_staff_account(*, email: object, name: object, password: object, actor: audit.Actor) -> StaffView:
    """Create a staff account with a password (the same rules as clients' passwords), audited.

    Raises FieldError: "email" (not an address, or a staff account already has it), "name", "password".
    """
    address = normalize_email(email)
    try:
        full_name = clean_full_name(name)
    except FieldError:
        raise FieldError("name", "Enter a name of at most 100 characters, without control characters.") from None
    check_new_password(password, address)
    password_hash = hash_password(password)
    taken = FieldError("email", f"a staff account already exists for {address}")
    try:
        with db.write_session() as session:
            if session.exec(select(StaffAccount.id).where(StaffAccount.email == address)).first() is not None:
                raise taken
            staff = StaffAccount(email=address, name=full_name, password_hash=password_hash, created_at=clock.now())
            session.add(staff)
            session.flush()
            audit.record(session, actor, action="staff_created", target=address, detail={"name": full_name})
    except IntegrityError:
        raise taken from None
    return StaffView(staff.id, staff.email, staff.name)
