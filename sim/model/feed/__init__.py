"""The organic feed: candidates (candidates.py), rankers (rankers.py), attention
(attention.py), recommendations (recommendations.py), put together for one day in feed.py."""
