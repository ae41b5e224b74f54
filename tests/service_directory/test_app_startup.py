"""What the app does once at start-up, beside answering /healthz at once."""
from __future__ import annotations

import gc
import threading

from fastapi.testclient import TestClient

from service_directory.main import create_app


def test_start_up_takes_what_lives_as_long_as_the_process_out_of_garbage_collection():
    """Otherwise every full collection walks the gazetteer index and the modules
    (~200,000 objects), a stall of ~100 ms for whichever request triggers it."""
    gc.unfreeze()
    try:
        with TestClient(create_app()) as client:
            assert client.get("/healthz").status_code == 200
            for thread in threading.enumerate():
                if thread.name == "warm-up":
                    thread.join(timeout=120)
            assert gc.get_freeze_count() > 50_000
    finally:
        gc.unfreeze()
