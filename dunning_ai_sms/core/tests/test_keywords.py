import pytest

from ..keywords import is_stop_request, normalize


@pytest.mark.parametrize("reply", [
    "STOP", "stop", " Stop. ", "STOPP", "Arrêt", "ARRET", "baja", "Alto",
    "Unsubscribe", "abmelden", "Stop please", "opt-out", "Darse de baja",
])
def test_stop_requests(reply):
    assert is_stop_request(reply)


@pytest.mark.parametrize("reply", [
    "", "Please do not stop the service", "I paid yesterday", "stopped by the bank",
    "Altogether paid", "OK",
])
def test_not_stop_requests(reply):
    assert not is_stop_request(reply)


def test_normalize_strips_accents_and_punctuation():
    assert normalize("Arrêt, merci !") == "ARRET MERCI"
