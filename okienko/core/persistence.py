from django.db import IntegrityError, models, transaction

from okienko.core.errors import Conflict


def save_unique(instance: models.Model, *, taken: str) -> None:
    """Save ``instance``; breaking a unique constraint (a name in use) becomes ``Conflict``
    with ``taken`` as the message, and leaves the surrounding transaction usable."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:
        raise Conflict(taken) from error
