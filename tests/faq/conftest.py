from tests.dossiers.conftest import *  # noqa: F403 - re-export the dossier fixtures
