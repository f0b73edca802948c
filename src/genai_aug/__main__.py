"""``python -m genai_aug``: the same as the ``genai-aug`` command."""

import sys

from genai_aug._entry import main

sys.exit(main())
