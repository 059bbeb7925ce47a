"""Reads for satisfaction surveys."""

import hashlib

from okienko.core.errors import NotFound
from okienko.feedback.models import CsatSurvey


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def survey_by_token(token: str) -> CsatSurvey:
    """The survey a link's secret opens; NotFound for anything else."""
    survey = (
        CsatSurvey.objects.select_related("ticket").filter(token_digest=token_digest(token)).first()
    )
    if survey is None:
        raise NotFound("No such survey")
    return survey
