"""Calls made at the same moment, each in its own thread with its own database connection (the race
tests, which need PostgreSQL's real concurrent connections)."""

import threading

from django.db import connections


def at_once(*calls, expected=()):
    """Start each call in its own thread, release them together and return their results in order.

    An exception of a type in `expected` stands in place of its call's result (the losers of a race
    are told something); any other exception is raised here once every thread has finished, so a
    race test cannot pass over a crash it did not see.
    """
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)
    unexpected = []

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except expected as error:
            results[index] = error
        except BaseException as error:  # re-raised in the test's own thread below
            unexpected.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if unexpected:
        raise unexpected[0]
    return results
