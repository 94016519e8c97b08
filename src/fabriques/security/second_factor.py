"""The one place that decides whether a session has passed its second factor.

Every way in ends here: allauth's log-in (password, then the code when the account holds a TOTP), the admin
(its log-in page sends to allauth's), a first TOTP activation in the session (password again, then a code),
and any other session (a password-only log-in through `django.contrib.auth.login`, `force_login`). At log-in
(`user_logged_in`) the session records whether it passed a second factor and whether the account held one; the
middleware reads that on every request without a query, and refuses a session that skipped a factor its account
holds: it is logged out and sent to allauth's log-in.
"""

from allauth.account.internal.flows.login import get_authentication_records

from fabriques.security.rules import has_second_factor, must_use_second_factor

SESSION_KEY = "fabriques_second_factor"  # {"passed": bool, "holds": bool}
PASSED = "passed"
NOT_REQUIRED = "not_required"
MUST_ACTIVATE = "must_activate"
MUST_VERIFY = "must_verify"


def _records_passed(request, user) -> bool:
    """allauth's authentication records of this session (kept per user) include a second-factor step."""
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, user))


def session_facts_record(request, user) -> dict:
    """At log-in (and for a session made before this existed): did it pass a factor, does the account hold one."""
    facts = {"passed": _records_passed(request, user), "holds": has_second_factor(user)}
    request.session[SESSION_KEY] = facts
    return facts


def session_second_factor_state(request, *, required: bool) -> str:
    """What the session still owes: nothing, a TOTP activation, or the code it skipped.

    `required` is the setting FABRIQUES_REQUIRE_AGENT_MFA. An agent or staff member without TOTP is sent to
    activation only when it is on; an account holding a TOTP must have passed it in this session whatever the
    setting, since a password-only way in would otherwise skip it.
    """
    user = request.user
    if not user.is_authenticated:
        return PASSED
    facts = request.session.get(SESSION_KEY)
    if not isinstance(facts, dict):
        facts = session_facts_record(request, user)
    if facts.get("passed"):
        return PASSED
    if facts.get("holds"):
        return MUST_VERIFY
    if required and must_use_second_factor(user):
        if has_second_factor(user):
            # No factor at log-in, one now: it was activated in this session, with a valid code after the password
            # typed again (allauth's re-authentication), which passes it.
            request.session[SESSION_KEY] = {"passed": True, "holds": True}
            return PASSED
        return MUST_ACTIVATE
    return NOT_REQUIRED

