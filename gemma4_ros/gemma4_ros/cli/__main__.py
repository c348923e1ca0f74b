"""``python -m gemma4_ros.cli``: the ``gemma4-ros`` command where no console script is installed."""

import sys

from gemma4_ros.cli import main

sys.exit(main())
