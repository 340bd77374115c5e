import gc
import os
import sys

from django.core.signals import request_finished
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compagnonnage.settings.local")

application = get_wsgi_application()

# How long a thread may keep the interpreter lock while another waits for it
# (seconds; Python's default is 0.005). Under a threaded server (gunicorn's
# gthread workers), a request that comes back from PostgreSQL or Redis waits
# for the lock until the running thread's turn ends: at 5 ms, a cheap page's
# dozen round trips could each wait 5 ms behind a search. At 0.2 ms, on two
# cores (`make load`, docs/benchmarks.md, seventeenth pass), 2 workers of 4
# threads: the highest rate kept 87.9 -> 114.2 req/s, and at 44 req/s the p99
# of every request 87-125 -> 47 ms. A process with one thread never waits for
# the lock, so sync workers are unaffected.
GIL_SWITCH_INTERVAL = 0.0002
sys.setswitchinterval(GIL_SWITCH_INTERVAL)

# Allocations between two collections of the youngest generation, once the
# first request is done (``freeze_after_first_request``); Python's is 700.
YOUNG_COLLECTION = 20_000


def freeze_after_first_request(**kwargs: object) -> None:
    """Once a process's first request has loaded what every request shares
    (URL patterns, middleware, templates, translations, clients), move every
    object then alive out of the cyclic collector's reach (``gc.freeze``): its
    collections stop walking some 170,000 objects that live as long as the
    process (over the directory's query mix, in process: ~2.4 -> ~2.15 ms of
    Python a request, docs/benchmarks.md). Reference counting still frees
    them; the garbage of that first request is collected first (one full
    collection per process, after its response).

    Then the youngest generation is collected every YOUNG_COLLECTION
    allocations instead of 700: a directory request allocates tens of
    thousands of objects that reference counting frees, and each of the
    ~100 young collections it triggered walked the survivors of the last
    (over 1,200 requests of the query mix in process, alternate chunks of
    200: 4.51 -> 4.01 ms of CPU a request, medians). The request's own
    cycles wait a little longer to be freed (at most YOUNG_COLLECTION
    objects)."""
    request_finished.disconnect(freeze_after_first_request)
    gc.collect()
    gc.freeze()
    _young, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION, older, oldest)


request_finished.connect(freeze_after_first_request)
