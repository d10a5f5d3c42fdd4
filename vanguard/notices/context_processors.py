import functools


def unread(request):
    """`notices_unread`: the signed-in user's unread notices. One COUNT, made only when a
    template reads it (and once, however often it is read)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "pk", None):
        return {}

    @functools.cache
    def count():
        from .selectors import unread_count

        return unread_count(user)

    return {"notices_unread": count}
