import os
import sys

import pytest
import torch

# The tests drive the package in this repository, not an installed copy.
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def seeded():
    torch.manual_seed(1234)
