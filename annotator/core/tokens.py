"""Personal API tokens (``Authorization: Token <key>``): one per user, created and revoked by
its owner on the token page or through the API. The key is shown once, when created."""

from rest_framework.authtoken.models import Token


def token_status(user) -> dict:
    token = Token.objects.filter(user=user).first()
    return {"exists": token is not None, "created": token.created if token else None}


def create_token(user) -> Token:
    """A new key for ``user``, replacing (and so revoking) any previous one."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


def revoke_token(user) -> bool:
    deleted, _ = Token.objects.filter(user=user).delete()
    return bool(deleted)
