"""`python -m respons ...` and the `respons` script."""

import os


def entry() -> int:
    """Run the command line. The simulator does no large linear algebra, so one OpenBLAS
    thread is enough: this saves starting a thread per core when numpy is imported (about
    0.1 s of CPU per command on 2 cores). A value set by the user wins."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from respons.cli import main

    return main()


if __name__ == "__main__":
    raise SystemExit(entry())
