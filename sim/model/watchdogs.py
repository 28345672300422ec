"""The accountability channel of transparency: watchdogs who read the ad library.

An ad library matters through the people who read it: researchers found inauthentic
advertiser clusters and undeclared political ads through Facebook's (Edelson et al. 2020;
Le Pochat et al. 2022). Here journalists and researchers (the ``watchdogs`` lever) read, each
day, the library's entries of the ads shown ``lag`` days before, a share ``coverage`` of them.
A *suspect* sponsor (foreign, inauthentic, or running undeclared political ads) whose ads had x
impressions per 1,000 users that day is flagged with probability
coverage x (1 - exp(-x / visibility)): more spend, more impressions, more chance to be noticed.
The platform takes a flagged sponsor down after a delay: a geometric number of days with mean
``takedown_days`` (memoryless: the only shape a mean alone gives; 0: the day it is flagged).
Facebook took "an average of 210 days" to shut down the 16 inauthentic advertiser clusters
(19,526 ads, at least $3.86M) that Edelson et al. found in its Ad Library (IEEE S&P 2020; NYU
Tandon press release, 6 Mar 2020), so ``lag`` + ``takedown_days`` is ~210 by default: within a
30-day run about one flagged sponsor in nine is taken down, not none. Taken down, its ads stop,
a foreign or inauthentic sponsor's accounts are suspended, and its content loses a share
``credibility_cost`` of its appeal from then on. Organic posts are not in the library: a
sponsor that does not advertise cannot be found this way.
"""

from __future__ import annotations

import numpy as np


class Accountability:
    """Reads each day's ad impressions into a library and acts on it ``lag`` days later."""

    def __init__(self, watchdogs, campaigns, population, registry, n_users: int, steps: int, rng):
        self.w = watchdogs  # the Watchdogs lever (None: nobody reads the library)
        self.campaigns, self.population, self.registry = campaigns, population, registry
        self.n_users, self.rng = n_users, rng
        self.impressions = np.zeros((steps, len(campaigns)))  # ad impressions per day, campaign
        self.suspects = np.array([c.suspect for c in campaigns], bool)
        self.due = np.full(len(campaigns), -1)  # day each flagged sponsor is taken down (-1: none)

    def record(self, day: int, ad_contents: np.ndarray) -> None:
        """Today's ad impressions by campaign (what the library will show)."""
        if self.w is not None:
            self.impressions[day] = np.bincount(
                self.registry.campaign[ad_contents], minlength=len(self.campaigns)
            )

    def act(self, day: int) -> None:
        """The watchdogs read the ads of ``day - lag`` and flag suspects, each of which gets its
        takedown day; the sponsors due today are taken down. One uniform draw per campaign and
        day, and one delay per flagged sponsor, from the enforcement stream."""
        if self.w is None:
            return
        draws = self.rng.random(len(self.campaigns))
        read = day - self.w.lag
        if read >= 0:
            per_1000 = self.impressions[read] * 1000.0 / self.n_users
            p = self.w.coverage * (1.0 - np.exp(-per_1000 / self.w.visibility))
            for i in np.flatnonzero(self.suspects & (draws < p)):
                camp = self.campaigns[i]
                if camp.detected_day is None:
                    camp.detected_day = read
                    self.due[i] = day + self.delay()
        for i in np.flatnonzero(self.due == day):  # each sponsor is flagged, so due, once
            self.campaigns[i].take_down(day, self.w.credibility_cost, self.population, self.registry)

    def delay(self) -> int:
        """Days from a flag to the takedown: geometric on 0, 1, 2, ... with mean
        ``takedown_days`` (0: none)."""
        mean = self.w.takedown_days
        return 0 if mean <= 0 else int(self.rng.geometric(1.0 / (1.0 + mean))) - 1
