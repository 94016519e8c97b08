"""The grid's scores are required to submit: never labelled « (Optionnel) », yet a draft may leave them empty."""

import pytest

from fabriques.evaluation.forms import GridForm

pytestmark = pytest.mark.django_db


def test_scores_are_not_marked_optional_and_a_draft_may_leave_them_empty(call):
    criteria = [c for c in call.criteria.all() if c.scored][:3]
    assert criteria

    form = GridForm(data={}, criteria=criteria)

    assert form.is_valid()
    html = "".join(form[f"score_{c.pk}"].as_field_group() for c in criteria)
    assert "(Optionnel)" not in html
    assert "(Optionnel)" in form["summary"].as_field_group()  # what may really be left out still says so


def test_a_score_outside_the_scale_is_still_refused(call):
    criterion = next(c for c in call.criteria.all() if c.scored)

    form = GridForm(data={f"score_{criterion.pk}": "42"}, criteria=[criterion])

    assert not form.is_valid()
    assert f"score_{criterion.pk}" in form.errors
