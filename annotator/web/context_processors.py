"""Template context for every page."""

from annotator.corpus.models import Membership, Role
from annotator.corpus.projects import can_create_projects


def console_link(request) -> dict:
    """``show_console``: whether the top bar links to the manager console (the user manages a
    project, may create one, or is a superuser). One small query, only for logged-in users."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show_console": False}

    def show() -> bool:
        return (
            user.is_superuser
            or can_create_projects(user)
            or Membership.objects.filter(user_id=user.pk, role=Role.MANAGER).exists()
        )

    return {"show_console": show}  # a callable: evaluated only if a template asks
