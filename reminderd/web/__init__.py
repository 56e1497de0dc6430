"""The page: its content (pure), its HTML and charts, and the routes the server serves."""
