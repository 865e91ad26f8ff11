"""Writes to projects, members and articles: the rules the API, the admin and commands share.

Errors are Django ``ValidationError``s keyed by the request field they are about; the API
answers them as 400s (annotator.core.exceptions).
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from annotator.core.lockout import unlock_account
from annotator.core.text import normalize_text
from annotator.corpus.models import Article, ArticleImage, Membership, Project, Role

User = get_user_model()
ARTICLE_FIELDS = ("title", "source_url", "published", "metadata")


def user_by_name(username: str, *, field: str):
    """The user called ``username``; a ValidationError on ``field`` if there is none."""
    user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
    if user is None:
        raise ValidationError({field: [f"No user {username!r}."]})
    return user


def user_by_name_or_email(identifier: str, *, field: str):
    """The user with this user name, or else with this email address (which must be one
    user's only); a ValidationError on ``field`` if there is none."""
    identifier = identifier.strip()
    user = User.objects.filter(**{User.USERNAME_FIELD: identifier}).first()
    if user is not None or "@" not in identifier:
        return user or user_by_name(identifier, field=field)
    matches = list(User.objects.filter(email__iexact=identifier)[:2])
    if not matches:
        raise ValidationError({field: [f"No user with the user name or email {identifier!r}."]})
    if len(matches) > 1:
        raise ValidationError(
            {field: [f"Several users have the email {identifier!r}: give the user name."]}
        )
    return matches[0]


# --- members ------------------------------------------------------------------------------


def membership_add(*, project: Project, username: str, role: str) -> Membership:
    """Add a user, named by user name or email address, to the project with ``role``."""
    user = user_by_name_or_email(username, field="username")
    try:
        with transaction.atomic():
            return Membership.objects.create(user=user, project=project, role=role)
    except IntegrityError:
        raise ValidationError(
            {"username": [f"{user} is already a member; change their role instead."]}
        ) from None


def _keeps_a_manager(membership: Membership) -> None:
    """Refuse a change that would leave the project without a manager."""
    if membership.role != Role.MANAGER:
        return
    others = Membership.objects.filter(project_id=membership.project_id, role=Role.MANAGER)
    if not others.exclude(pk=membership.pk).exists():
        raise ValidationError({"role": ["The project would have no manager left."]})


def membership_set_role(*, membership: Membership, role: str) -> Membership:
    if role != Role.MANAGER:
        _keeps_a_manager(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


def membership_remove(*, membership: Membership) -> None:
    _keeps_a_manager(membership)
    membership.delete()


def membership_unlock(*, membership: Membership) -> int:
    """Lift a login lockout of a project member (their failed logins are forgotten)."""
    return unlock_account(membership.user.get_username())


# --- articles -----------------------------------------------------------------------------


def _check_images(images: list[dict[str, Any]], text: str) -> None:
    for index, image in enumerate(images):
        start, end = image.get("caption_start"), image.get("caption_end")
        if (start is None) != (end is None) or (
            start is not None and end is not None and not (0 <= start < end <= len(text))
        ):
            raise ValidationError(
                {
                    "images": [
                        f"Image {index}: caption_start/caption_end must both be given and "
                        f"satisfy 0 <= start < end <= {len(text)} (code points)."
                    ]
                }
            )


def article_create(*, project: Project, data: dict[str, Any]) -> Article:
    """One article from a validated JSON body, with its images; all or nothing."""
    text = normalize_text(data["text"])
    images = data.get("images") or []
    _check_images(images, text)
    fields = {k: data[k] for k in ARTICLE_FIELDS if data.get(k) is not None}
    try:
        with transaction.atomic():
            article = Article.objects.create(
                project=project,
                external_id=data["external_id"],
                text=text,
                original_text=normalize_text(data.get("original_text", "")),
                **fields,
            )
            ArticleImage.objects.bulk_create(
                ArticleImage(article=article, order=i, **image) for i, image in enumerate(images)
            )
    except IntegrityError:
        raise ValidationError(
            {"external_id": [f"{data['external_id']!r} already exists in this project."]}
        ) from None
    return article
