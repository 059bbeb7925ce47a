"""A server process collects its long-lived garbage on a timer, not whenever the heap grew."""

import gc
import threading

from okienko.asgi import application, serving_application
from okienko.core.garbage import NO_FULL_COLLECTION_BY_COUNT


def test_a_server_process_leaves_full_collections_to_a_timer():
    threshold = gc.get_threshold()
    try:
        served = [serving_application(), serving_application()]

        assert served == [application, application]
        assert gc.get_threshold() == (threshold[0], threshold[1], NO_FULL_COLLECTION_BY_COUNT)
        assert gc.get_freeze_count() > 0
        timers = [thread for thread in threading.enumerate() if thread.name == "full-gc"]
        assert [timer.daemon for timer in timers] == [True]
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
