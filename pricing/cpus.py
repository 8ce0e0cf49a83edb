"""How many CPUs this process may run on: what sizes a pool of workers (the tokenizers' threads,
a training file's processes) and `llmcost serve`'s web processes. Standard library only, so
that the server's supervisor can ask before it imports anything heavy."""

import os


def usable_cpus() -> int:
    """The CPUs this process is allowed to use (a container's or taskset's limit), not merely
    how many the machine has."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
