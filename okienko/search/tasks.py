from huey.contrib.djhuey import db_task

from okienko.search.actions import do_index_documents


@db_task(retries=3, retry_delay=10)
def index_documents(doc_type: str, object_ids: list[int]) -> int:
    """Index objects again after a domain event (reads them as they are when it runs)."""
    return do_index_documents(doc_type, object_ids)
