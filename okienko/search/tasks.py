from huey.contrib.djhuey import HUEY, db_task

from okienko.search.actions import do_index_documents
from okienko.search.analysis import load_dictionaries


@db_task(retries=3, retry_delay=10)
def index_documents(doc_type: str, object_ids: list[int]) -> int:
    """Index objects again after a domain event (reads them as they are when it runs)."""
    return do_index_documents(doc_type, object_ids)


@HUEY.on_startup()
def load_search_dictionaries() -> None:
    """A worker indexes: it loads what that needs as it starts (~1 s of CPU), rather than
    in its first indexing task, which would hold up the tasks queued behind it."""
    load_dictionaries()
