"""`python -m respons ...` and the `respons` script."""

import gc
import os


def entry() -> int:
    """Run the command line. The simulator does no large linear algebra, so one OpenBLAS
    thread is enough: this saves starting a thread per core when numpy is imported (about
    0.1 s of CPU per command on 2 cores). A value set by the user wins.

    When the command is done the process only ends: the objects it holds are frozen, so that
    the interpreter's shutdown does not run the garbage collector over all of them again
    (about 40 ms of CPU after a one-year simulate, tests/test_startup.py). Shutdown still
    runs the atexit handlers, flushes stdout and frees what reference counting frees; what
    is left goes with the process."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from respons.cli import main

    code = main()
    gc.freeze()
    return code


if __name__ == "__main__":
    raise SystemExit(entry())
