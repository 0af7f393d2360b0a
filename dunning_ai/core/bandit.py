"""Beta-Bernoulli learners for send hour, weekday and channel, with seeded Thompson sampling.

Every customer has few observations, so its counts are shrunk toward the counts of its
segment, which are themselves shrunk toward the company: a customer with no history
behaves like its segment, one with a long history like itself. All functions work on
arrays for all customers at once.
"""

import numpy as np


def hierarchical_posterior(successes, trials, group_index, prior_mean=0.3,
                           group_strength=10.0, company_strength=5.0,
                           group_successes=None, group_trials=None):
    """Beta posterior parameters per customer and arm, shrunk toward group and company.

    :param successes: (n_customers, n_arms) array of positive outcomes per arm
    :param trials: (n_customers, n_arms) array of observations per arm
    :param group_index: (n_customers,) int array, the segment of each customer
    :param prior_mean: response rate assumed when the company has no data at all
    :param group_strength: pseudo-observations the segment prior weighs for a customer
    :param company_strength: pseudo-observations the company prior weighs for a segment
    :param group_successes: (n_groups, n_arms) outcomes of each segment over all the
        company's history (its customers with nothing due today included); by default the
        segments' and company's priors are summed from ``successes`` and ``trials``
    :param group_trials: (n_groups, n_arms) observations matching ``group_successes``
    :return: (alpha, beta) arrays of shape (n_customers, n_arms)
    """
    successes = np.asarray(successes, dtype=float)
    trials = np.asarray(trials, dtype=float)
    group_index = np.asarray(group_index, dtype=int)
    if successes.shape != trials.shape:
        raise ValueError("successes and trials must have the same shape")
    if np.any(successes < 0) or np.any(successes > trials):
        raise ValueError("successes must lie between 0 and trials")
    n_arms = successes.shape[1] if successes.ndim == 2 else 0
    n_groups = int(group_index.max()) + 1 if group_index.size else 0
    if group_successes is not None:
        group_s = np.asarray(group_successes, dtype=float)
        group_t = np.asarray(group_trials, dtype=float)
        if group_s.shape != group_t.shape or group_s.shape[1:] != (n_arms,) or len(group_s) < n_groups:
            raise ValueError("group counts must have one row per group and one column per arm")
        if np.any(group_s < 0) or np.any(group_s > group_t):
            raise ValueError("successes must lie between 0 and trials")
    else:
        group_s = np.zeros((n_groups, n_arms))
        group_t = np.zeros((n_groups, n_arms))
        np.add.at(group_s, group_index, successes)
        np.add.at(group_t, group_index, trials)
    company_s = group_s.sum(axis=0)
    company_t = group_t.sum(axis=0)
    company_mean = (company_s + prior_mean * company_strength) / (company_t + company_strength)
    group_mean = (group_s + company_mean * company_strength) / (group_t + company_strength)
    prior = group_mean[group_index] if n_groups else np.empty((0, n_arms))
    alpha = successes + prior * group_strength
    beta = (trials - successes) + (1.0 - prior) * group_strength
    return alpha, beta


def posterior_mean(alpha, beta):
    """Expected response rate of each arm."""
    return alpha / (alpha + beta)


def thompson_sample(alpha, beta, seed):
    """One draw per customer and arm; the same seed gives the same draws (reproducible plans)."""
    rng = np.random.default_rng(seed)
    return rng.beta(alpha, beta)


def evidence_weight(trials, group_strength=10.0):
    """Share of a customer's own history in its posterior (0 = only priors, 1 = only data)."""
    total = np.asarray(trials, dtype=float).sum(axis=1)
    return total / (total + group_strength)
