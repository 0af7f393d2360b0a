import numpy as np
import pytest

from ..bandit import (
    evidence_weight,
    hierarchical_posterior,
    posterior_mean,
    thompson_sample,
)


def test_customer_without_history_follows_its_segment():
    # segment 1 answers at hour 0 and never at hour 1; customer 2 (segment 1) has no data
    s = np.array([[8, 0], [0, 0], [0, 0]])
    t = np.array([[10, 10], [0, 0], [0, 0]])
    alpha, beta = hierarchical_posterior(s, t, np.array([1, 0, 1]))
    mean = posterior_mean(alpha, beta)
    assert mean[2, 0] > mean[2, 1]
    # customer 1's segment has no data: it follows the company, less sharply than segment 1
    assert mean[1, 0] > mean[1, 1]
    assert mean[2, 0] - mean[2, 1] > mean[1, 0] - mean[1, 1]


def test_own_history_outweighs_priors():
    s = np.array([[0, 40], [20, 0]])
    t = np.array([[40, 40], [20, 20]])
    mean = posterior_mean(*hierarchical_posterior(s, t, np.array([0, 0])))
    assert mean[0, 1] > 0.8 and mean[0, 0] < 0.2


def test_thompson_sampling_is_reproducible_with_a_seed():
    alpha, beta = np.ones((3, 4)), np.ones((3, 4))
    assert np.array_equal(thompson_sample(alpha, beta, 7), thompson_sample(alpha, beta, 7))
    assert not np.array_equal(thompson_sample(alpha, beta, 7), thompson_sample(alpha, beta, 8))


def test_evidence_weight_grows_with_trials():
    w = evidence_weight(np.array([[0, 0], [5, 5], [500, 500]]))
    assert w[0] == 0 and 0 < w[1] < w[2] < 1


def test_bad_counts_are_rejected():
    with pytest.raises(ValueError):
        hierarchical_posterior(np.array([[3]]), np.array([[2]]), np.array([0]))


def test_segment_priors_from_the_whole_history():
    # nobody of segment 1 is in the run, but its history says hour 1 answers
    s = np.zeros((2, 2))
    t = np.zeros((2, 2))
    group_s = np.array([[0, 0], [0, 30]])
    group_t = np.array([[0, 0], [30, 30]])
    without = posterior_mean(*hierarchical_posterior(s, t, np.array([1, 1])))
    assert without[0, 0] == without[0, 1], "from the run alone nothing is known"
    mean = posterior_mean(*hierarchical_posterior(s, t, np.array([1, 0]), group_successes=group_s,
                                                  group_trials=group_t))
    assert mean[0, 1] > 0.8 and mean[0, 0] < 0.2
    # segment 0 has no history: it follows the company, which segment 1 now informs
    assert mean[1, 1] > mean[1, 0]
    with pytest.raises(ValueError):
        hierarchical_posterior(s, t, np.array([1, 0]), group_successes=group_s, group_trials=group_s - 1)
