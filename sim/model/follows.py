"""Who follows whom: the regular users' follower graph and the followers of campaign accounts.

Convention: ``F[u, v] = 1`` means user u follows v, so what v posts reaches u's feed. Both grow
during a run. Campaign accounts (official accounts and sockpuppets, indices >= n) gain
followers as engaged users follow them; regular users gain followers as engaged readers follow
the account a recommendation came through. New follows are kept as growing sets of keys
``followee * n + follower`` (log-structured, content.SeenSet), whose sorted order is the
followees' follower lists in CSR form as they are: a small CSR beside the base graph, which
both candidate engines read, rebuilt from the keys when follows are added and merged into the
base graph once it holds more than ``MERGE_SHARE`` of its edges.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .arrays import runs, sort_ints
from .content import SeenSet

MERGE_SHARE = 0.05  # new user follows are merged into the base CSR beyond this share of it


def transpose(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """The transposed graph as CSR (followee -> followers), sorted indices."""
    transposed = matrix.T.tocsr()
    transposed.sort_indices()
    return transposed


def unique_pairs(pairs: SeenSet, first: np.ndarray, second: np.ndarray):
    """Distinct (first, second) pairs, in the key order of ``pairs``."""
    return pairs.split(runs(sort_ints(pairs.key(first, second)))[0])


def followers_csr(pairs: SeenSet, n_rows: int, n_cols: int) -> sp.csr_matrix:
    """The (followee x follower) CSR matrix of a set of follow keys."""
    rows, cols = pairs.split(pairs.keys)
    indptr = np.r_[0, np.cumsum(np.bincount(rows, minlength=n_rows))]
    return sp.csr_matrix(
        (np.ones(len(cols), np.float32), cols.astype(np.int32), indptr), shape=(n_rows, n_cols)
    )


class Follows:
    """The follower graph of users and campaign accounts, in the forms the feed reads."""

    def __init__(
        self,
        follows_users: sp.csr_matrix,
        followers_users: sp.csr_matrix,
        n_accounts: int,
        account_followers: tuple[np.ndarray, np.ndarray],
    ):
        """``followers_users``: the transpose of ``follows_users``; ``account_followers``:
        (accounts, users) pairs of the initial follows of campaign accounts (ids >= n)."""
        self.n, self.n_accounts = follows_users.shape[0], n_accounts
        n = self.n
        self.users = follows_users  # follower x followee, regular users (base graph)
        self.followers_users = followers_users  # followee x follower: the push engine's view
        self.followees = np.diff(follows_users.indptr).astype(np.int64)  # per user, all users
        self.new_users = SeenSet(shift=n)  # user follows made during the run, not yet merged
        self.followers_new = followers_csr(self.new_users, n, n)
        self.accounts = SeenSet(shift=n)
        accounts, users = account_followers
        self.accounts.add(*unique_pairs(self.accounts, accounts - n, users))
        self._rebuild()

    def _rebuild(self) -> None:
        self.followers_accounts = followers_csr(self.accounts, max(self.n_accounts, 1), self.n)

    @property
    def follows_accounts(self) -> sp.csr_matrix:
        """Who follows which campaign account, users as rows (the pull engine's view)."""
        return self.followers_accounts.T.tocsr()

    @property
    def follows_new(self) -> sp.csr_matrix:
        """The run's new user follows, followers as rows (the pull engine's view)."""
        return self.followers_new.T.tocsr()

    def push_views(self) -> list[sp.csr_matrix]:
        """Followers of each user (twice: base graph, new follows) and of each campaign account."""
        return [self.followers_users, self.followers_new, self.followers_accounts]

    def pull_views(self) -> list[sp.csr_matrix]:
        """The same as followees of each reader."""
        return [self.users, self.follows_new, self.follows_accounts]

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

    def follow_users(self, followees: np.ndarray, followers: np.ndarray):
        """Users start following regular users (not themselves, not twice); returns the new
        follows as (followees, followers)."""
        followees, followers = unique_pairs(self.new_users, followees, followers)
        new = (followees != followers) & ~self.new_users.contains(followees, followers)
        if new.any():  # not in the base graph either (elementwise lookup, in C)
            new[new] = np.asarray(self.users[followers[new], followees[new]]).ravel() == 0
        followees, followers = followees[new], followers[new]
        if len(followers):
            self.new_users.add(followees, followers)
            np.add.at(self.followees, followers, 1)
            if len(self.new_users) > MERGE_SHARE * self.users.nnz:
                self._merge_users()
            else:
                self.followers_new = followers_csr(self.new_users, self.n, self.n)
        return followees, followers

    def _merge_users(self) -> None:
        """Fold the new user follows into the base graph (keeps the extra CSR small)."""
        followees, followers = self.new_users.split(self.new_users.keys)
        added = sp.csr_matrix(
            (np.ones(len(followers), self.users.dtype), (followers, followees)), shape=self.users.shape
        )
        self.users = (self.users + added).tocsr()
        self.users.sort_indices()
        self.followers_users = transpose(self.users)
        self.new_users = SeenSet(shift=self.n)
        self.followers_new = followers_csr(self.new_users, self.n, self.n)
