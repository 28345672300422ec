"""The model and its parts, one module each (docs/model.md §1.3 for the order of a day):

population.py (users as arrays), network.py (follower graphs), follows.py (who follows whom),
content.py (contents and the seen set), campaigns.py (campaign agents), feed/ (candidates,
rankers, attribution), auction.py (the ad auction), levers.py (policy levers), behavior.py
(engagement, opinions, turnout), metrics.py (what is recorded), model.py (the day in order).
"""

from .model import SimModel

__all__ = ["SimModel"]
