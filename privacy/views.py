from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from .export import subject_access_allowed, subject_access_export

CONTENT_TYPES = {"json": "application/json", "pdf": "application/pdf"}


@login_required
def export(request, user_pk: int, fmt: str):
    """A subject access export, downloaded by a council administrator (audited)."""
    if not subject_access_allowed(request.user):
        raise PermissionDenied
    if fmt not in CONTENT_TYPES:
        raise PermissionDenied
    person = get_object_or_404(get_user_model(), pk=user_pk)
    body = subject_access_export(person=person, actor=request.user, fmt=fmt, request=request)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    # The person's id, not their name, in the file name (nothing personal in URLs or headers).
    response["Content-Disposition"] = f'attachment; filename="subject-access-{person.pk}.{fmt}"'
    return response
