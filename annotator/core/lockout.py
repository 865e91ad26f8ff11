"""Login lockout on top of django-axes (settings "Login protection").

Axes records every failed login in the database (all web processes see them) and compares one
count with one limit. We want two limits, in the order of AXES_LOCKOUT_PARAMETERS: an account
from one address (LOGIN_FAILURE_LIMIT) and an account from anywhere
(LOGIN_ACCOUNT_FAILURE_LIMIT). So each count is reported scaled to the first limit: a count
reaches AXES_FAILURE_LIMIT exactly when it reaches its own limit.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.utils import reset
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, JsonResponse
from django.shortcuts import render
from django.utils import timezone


def limits() -> list[int]:
    """The limit of each entry of AXES_LOCKOUT_PARAMETERS, in that order."""
    return [settings.LOGIN_FAILURE_LIMIT, settings.LOGIN_ACCOUNT_FAILURE_LIMIT]


class AccountLockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        counts = [
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]
        scale = settings.AXES_FAILURE_LIMIT
        return max(
            (count * scale // limit for count, limit in zip(counts, limits(), strict=True)),
            default=0,
        )


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """The truth for a locked-out user: which account, until when, and who can unlock it."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    until = timezone.localtime(timezone.now() + settings.AXES_COOLOFF_TIME)
    message = (
        f"Too many failed logins for {username!r}: the account is locked until "
        f"{until:%H:%M} ({settings.LOGIN_LOCKOUT_MINUTES} minutes after the last attempt), or "
        "until a manager of your project or an administrator unlocks it."
    )
    if request.headers.get("accept", "").startswith("application/json"):
        return JsonResponse({"detail": message}, status=429)
    context = {"message": message, "username": username}
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=429)


def unlock_account(username: str) -> int:
    """Forget the failed logins of ``username`` (every address); returns the records removed."""
    return reset(username=username)
