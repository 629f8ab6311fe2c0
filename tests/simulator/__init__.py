"""A simulated dog collar: the PawControl device API served on 127.0.0.1.

``walk`` moves the dogs, ``server`` serves them (aiohttp), ``cli`` is
`scripts/collar_simulator.py`. Only ``server`` needs aiohttp: `break`, `heal`
and `status` run on any Python 3.11+ with the standard library alone.
"""
