"""Login throttling: too many failed logins for one account or from one address are refused.

Failures are counted in the cache (per username and per client address) through Django's
``user_login_failed`` signal; :class:`ThrottledModelBackend` refuses to even check a password
while either count is at the limit, so guessing cannot continue until the window passes.
Use a shared cache (Redis) in production so that every web process sees the same counts.
"""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver


def _keys(username: str | None, request) -> list[str]:
    keys = []
    if username:
        keys.append("login-fail:user:" + username.lower()[:150])
    address = request.META.get("REMOTE_ADDR") if request is not None else None
    if address:
        keys.append("login-fail:ip:" + address)
    return keys


def login_blocked(username: str | None, request) -> bool:
    limit = settings.LOGIN_FAILURE_LIMIT
    counts = cache.get_many(_keys(username, request))
    return any(count >= limit for count in counts.values())


@receiver(user_login_failed)
def _count_failure(sender, credentials, request=None, **kwargs):
    for key in _keys(credentials.get("username"), request):
        # add() starts the window on the first failure; incr() keeps its expiry.
        if not cache.add(key, 1, settings.LOGIN_FAILURE_WINDOW):
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, settings.LOGIN_FAILURE_WINDOW)


@receiver(user_logged_in)
def _reset_user_failures(sender, request, user, **kwargs):
    cache.delete("login-fail:user:" + user.get_username().lower()[:150])


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self._username_field())
        if login_blocked(username, request):
            # PermissionDenied stops Django from trying any other backend.
            raise PermissionDenied("Too many failed logins; try again later.")
        return super().authenticate(request, username=username, password=password, **kwargs)

    @staticmethod
    def _username_field():
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD
