"""The model and its parts, one module each (docs/model.md §1.3 for the order of a day):

records.py (the day's typed records), population.py (users as arrays), network.py (generated
follower graphs), follows.py (who follows whom), content.py (contents and the seen set),
targeting.py and campaigns.py (campaign agents), feed/ (candidates, rankers, attention,
recommendations), attribution.py (slots and origins), auction.py (the ad market), levers.py
(policy levers), watchdogs.py (the ad library's readers), platform.py (one platform's feed,
market and rules), behavior.py (engagement, opinions, turnout), metrics.py and measures.py (the
observers), model.py (the platforms and the day in order).
"""

from .model import SimModel

__all__ = ["SimModel"]
