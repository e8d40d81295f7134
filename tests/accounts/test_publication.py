"""How citizens' texts are published, and how one person is told from another, for reports and contributions alike."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, User

from accounts.publication import hash_token, person_key, publication_for
from config.errors import ValidationFailed


class AddressMissing(ValidationFailed):
    code = "address_missing"


@pytest.mark.django_db
def test_an_account_publishes_at_once_with_its_address() -> None:
    user = User.objects.create_user("erika", "erika@example.org")
    publication = publication_for(user=user, email="", confirm_anonymous=True, email_required=AddressMissing)
    assert publication.published_at is not None
    assert publication.token == publication.token_hash == ""
    assert publication.email == "erika@example.org"


def test_without_an_account_the_text_waits_for_the_mailed_link() -> None:
    publication = publication_for(
        user=AnonymousUser(), email=" max@example.org ", confirm_anonymous=True, email_required=AddressMissing
    )
    assert publication.published_at is None
    assert publication.email == "max@example.org"
    assert len(publication.token) >= 40
    # Only the hash is stored: a leaked table opens no link.
    assert publication.token_hash == hash_token(publication.token) != publication.token


def test_without_an_account_and_without_an_address_the_authority_says_which_error() -> None:
    with pytest.raises(AddressMissing):
        publication_for(user=AnonymousUser(), email="  ", confirm_anonymous=True, email_required=AddressMissing)


def test_an_authority_that_does_not_confirm_publishes_anonymous_texts_at_once() -> None:
    publication = publication_for(user=None, email="", confirm_anonymous=False, email_required=AddressMissing)
    assert publication.published_at is not None
    assert publication.token == ""


@pytest.mark.django_db
def test_person_keys_tell_people_apart_and_reveal_nothing() -> None:
    user = User.objects.create_user("erika")
    keys = {
        person_key(user=user),
        person_key(session_key="abc"),
        person_key(session_key="abd"),
        person_key(user=User.objects.create_user("max")),
    }
    assert len(keys) == 4
    assert person_key(user=user) == person_key(user=user, session_key="other")
    assert all(len(key) == 64 and set(key) <= set("0123456789abcdef") for key in keys)
    with pytest.raises(ValueError, match="account or a session"):
        person_key()
