import os
import sys

import pytest

try:
    import torch
except ImportError as error:  # never skip: a suite that cannot run fails
    pytest.exit(f"{sys.executable} cannot import torch ({error}); install Debian's python3-torch "
                "(scripts/install-system-deps.sh) and run the tests with /usr/bin/python3", returncode=1)

# The tests drive the package in this repository, not an installed copy.
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def seeded():
    torch.manual_seed(1234)
