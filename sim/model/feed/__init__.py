"""The organic feed: candidates (candidates.py), rankers (rankers.py), attribution
(attribution.py), put together for one day in feed.py."""
