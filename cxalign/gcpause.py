"""Python's cycle collector paused around a bounded burst of allocations.

A recompute builds tens of thousands of short-lived objects (rows, model instances, the
figures' dicts) in a process that already holds a few hundred thousand long-lived ones (Django,
the URLconf). Each full collection then walks all of them: two of those cost a quarter of a
second of a publish. Nothing the burst allocates lives in a reference cycle worth collecting
early, so collection waits until it ends.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause automatic collection inside the block (nested blocks are fine); the previous
    state is restored when it ends, whatever happens inside."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
