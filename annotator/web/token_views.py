"""The page where a user creates and revokes their personal API token."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from annotator.core.tokens import create_token, revoke_token, token_status


@never_cache  # the page may show a new key: no browser or proxy may keep a copy
@login_required
@require_http_methods(["GET", "POST"])
def token_page(request):
    new_key = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            revoke_token(request.user)
        else:
            new_key = create_token(request.user).key
    context = {**token_status(request.user), "new_key": new_key}
    return render(request, "web/token.html", context)
