from tests.exports.conftest import (  # noqa: F401 - fixtures shared with the data-out tests
    build,
    close_wave,
    communes,
    make_token,
    occitanie,
    other_call,
    world,
)
