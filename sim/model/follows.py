"""Who follows whom: the regular users' follower graph and the followers of campaign accounts.

Convention: ``F[u, v] = 1`` means user u follows v, so what v posts reaches u's feed. The
regular users' graph is fixed during a run; campaign accounts (official accounts and
sockpuppets, indices >= n) gain followers as engaged users follow them. Their follows are kept
as a growing set of keys ``account * n + user``, whose sorted order is the accounts' follower
lists in CSR form as they are: no conversion, no sort.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .arrays import runs
from .content import SeenSet


def transpose(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """The transposed graph as CSR (followee -> followers), sorted indices."""
    transposed = matrix.T.tocsr()
    transposed.sort_indices()
    return transposed


def unique_pairs(pairs: SeenSet, first: np.ndarray, second: np.ndarray):
    """Distinct (first, second) pairs, in the key order of ``pairs``."""
    return pairs.split(runs(np.sort(pairs.key(first, second)))[0])


class Follows:
    """The follower graph of users and campaign accounts, in the forms the feed reads."""

    def __init__(self, follows_users: sp.csr_matrix, followers_users: sp.csr_matrix,
                 n_accounts: int, account_followers: tuple[np.ndarray, np.ndarray]):
        """``followers_users``: the transpose of ``follows_users``; ``account_followers``:
        (accounts, users) pairs of the initial follows of campaign accounts (ids >= n)."""
        self.n, self.n_accounts = follows_users.shape[0], n_accounts
        n = self.n
        self.users = follows_users  # follower x followee, regular users
        self.followers_users = followers_users  # followee x follower: the push engine's view
        self.accounts = SeenSet(shift=n)
        accounts, users = account_followers
        self.accounts.add(*unique_pairs(self.accounts, accounts - n, users))
        self._rebuild()

    def _rebuild(self) -> None:
        accounts, users = self.accounts.split(self.accounts.keys)
        n_rows = max(self.n_accounts, 1)
        indptr = np.searchsorted(accounts, np.arange(n_rows + 1))
        self.followers_accounts = sp.csr_matrix(
            (np.ones(len(users), np.float32), users.astype(np.int32), indptr),
            shape=(n_rows, self.n))

    @property
    def follows_accounts(self) -> sp.csr_matrix:
        """Who follows which campaign account, users as rows (the pull engine's view)."""
        return self.followers_accounts.T.tocsr()

    def follow(self, authors: np.ndarray, users: np.ndarray):
        """Users start following campaign accounts (``authors`` >= n); returns the follows that
        are new, as (accounts, users)."""
        accounts, users = unique_pairs(self.accounts, authors - self.n, users)
        new = ~self.accounts.contains(accounts, users)
        accounts, users = accounts[new], users[new]
        if len(users):
            self.accounts.add(accounts, users)
            self._rebuild()
        return accounts + self.n, users
