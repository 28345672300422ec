#!/usr/bin/env bash
# Ad-ban loophole brief: paid_amplifiers scenario, no rules vs ban, enforcement off/on, ad
# budget reallocated to paid posters off/on, 10 seeds, 10,000 users, 30 days: 80 runs,
# ~2.5 min on 2 cores. Each (policy, enforcement, reallocation) combination is a regime;
# the baseline is no rules without enforcement or reallocation.
exec "$(dirname "$0")/brief.sh" ad_ban_loophole \
  policy.enforcement.enabled,scenario.campaigns.0.reallocate_ad_budget population.n=10000 "$@"
