"""Log-in throttling per account *and* address, and per account whatever the address (django-axes handler).

Two rules, both counted in the database (shared by every app server):
- AXES_FAILURE_LIMIT (5) wrong passwords for one account from one address lock that pair: one address cannot guess
  an account's password, and nobody elsewhere is locked out by it;
- FABRIQUES_LOGIN_ACCOUNT_FAILURE_LIMIT (20) wrong passwords for one account from any addresses lock the account for
  everyone during the cool-off: guesses spread over many addresses are limited too. The limit is higher than the
  pair's so that a stranger must work harder to lock a real person out, who can still reset the password.

axes compares one number of failures with one limit (`get_failures() >= AXES_FAILURE_LIMIT`), both when it records a
failure and when it checks a log-in. With AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"] its
attempts come as two querysets, pair first; `get_failures` scales the account's count onto the pair's limit:
floor(account × pair_limit / account_limit) reaches pair_limit exactly when the account reaches its own limit.
"""

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum


def _sum(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class PairAndAccountHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        attempts = self.get_user_attempts(request, credentials)
        counts = [_sum(a) for a in attempts]
        if len(counts) < 2:  # one lockout parameter set only (settings changed): the plain rule
            return max(counts, default=0)
        pair, account = counts[0], counts[1]
        pair_limit = settings.AXES_FAILURE_LIMIT
        account_limit = max(settings.FABRIQUES_LOGIN_ACCOUNT_FAILURE_LIMIT, pair_limit)
        return max(pair, account * pair_limit // account_limit)
