"""The ``.ics`` calendar: its content (pure), the atomic file export, and the subscription
feed served over HTTP. ``content`` builds bytes; ``export`` writes them; ``feed`` serves them."""
