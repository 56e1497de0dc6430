"""The pure core: plan versions and overdue cost (SPEC §8). No I/O, no clock: every function
takes the config's objects, the payments and ``now``/``today`` as arguments."""
