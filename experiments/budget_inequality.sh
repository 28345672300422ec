#!/usr/bin/env bash
# Budget inequality brief: candidate A's budget from parity with B ($75 per 1,000 users) to
# 12:1 (75,150,225,450,900) under each regime, 10 seeds, 10,000 users, 30 days: 200 runs,
# ~6 min on 2 cores. The money-advantage figure draws one line per regime across budgets;
# differences against no rules are paired on seed and budget.
exec "$(dirname "$0")/brief.sh" budget_inequality "" population.n=10000 "$@"
