"""The reviewer's curation page. It only places the article in the page; review.js reads the
candidate groups and writes the gold layer through the review API (annotations/review_api.py)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from annotator.corpus.permissions import CURATORS, articles_with_access, effective_role


@login_required
def review(request, pk):
    article = articles_with_access(request.user).filter(pk=pk).first()
    role = effective_role(request.user, article.my_role) if article else None
    if role not in CURATORS:
        # Annotators and researchers must not learn that the article or other layers exist.
        raise Http404("No such article among those you review.")
    return render(request, "web/review.html", {"article": article, "project": article.project})
