"""Reads shared by the posts pages (staff and public) and the API; api.py
never imports the page views."""

from django.db.models import Prefetch

from .models import PostHolder

# A post's holders in signboard order, with their person: one query for a whole page of posts.
HOLDERS = Prefetch("post_holders", queryset=PostHolder.objects.select_related("person").order_by("sort_order", "pk"))
