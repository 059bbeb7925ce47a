"""Search's part in a worker's start: it loads the dictionaries indexing needs."""

from django.utils.module_loading import autodiscover_modules
from huey.contrib.djhuey import HUEY

from okienko.search import analysis


def test_a_worker_loads_the_search_dictionaries_as_it_starts():
    autodiscover_modules("tasks")
    dictionaries = [analysis._language_identifier, analysis._morfeusz]
    for dictionary in dictionaries:
        dictionary.cache_clear()

    # What each worker of a Huey consumer runs as it starts (huey.consumer.Worker.initialize).
    for hook in HUEY._startup.values():
        hook()

    assert [dictionary.cache_info().currsize for dictionary in dictionaries] == [1, 1]
