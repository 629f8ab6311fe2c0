"""The schema library Home Assistant validates with, typed for every release.

Home Assistant 2026.9 moved from voluptuous to probatio and installs probatio
under the name ``voluptuous`` at start-up, so ``import voluptuous`` is probatio
at runtime there. mypy does not see that: on Python 3.14 (Home Assistant 2026.3
and newer, probatio on the newer ones) it type-checks against probatio itself.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING and sys.version_info >= (3, 14):
    import probatio as vol
else:
    import voluptuous as vol

__all__ = ["vol"]
