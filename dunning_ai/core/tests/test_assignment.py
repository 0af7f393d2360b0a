from ..assignment import assign_least_loaded


def test_equal_team_is_round_robin():
    assert assign_least_loaded([7, 3, 5], {}, 6) == [7, 3, 5, 7, 3, 5]


def test_loaded_member_waits_until_others_catch_up():
    chosen = assign_least_loaded([1, 2, 3], {1: 4, 2: 1}, 5)
    assert chosen == [3, 2, 3, 2, 3]
    # after these five tasks every member carries four or five
    assert chosen.count(1) == 0


def test_input_loads_not_mutated_and_empty_team():
    loads = {1: 2}
    assign_least_loaded([1, 2], loads, 3)
    assert loads == {1: 2}
    assert assign_least_loaded([], loads, 3) == []
