"""Balancing collection work across a team: least-loaded first, round-robin on ties.

Pure logic on plain values so that the balancing rule can be tested on its own;
the Odoo layer counts open activities per collector in one query and calls this.
"""


def assign_least_loaded(member_ids, loads, count):
    """Pick a member for each of ``count`` new tasks, updating the loads as it goes.

    ``loads`` maps a member id to its number of open tasks (missing means none).
    Each task goes to the member with the fewest open tasks; equal loads are broken
    by the member order, which makes equal teams a plain round-robin. Returns the
    list of chosen ids and leaves ``loads`` untouched.
    """
    if not member_ids:
        return []
    current = {member: int(loads.get(member, 0)) for member in member_ids}
    rank = {member: index for index, member in enumerate(member_ids)}
    chosen = []
    for _task in range(count):
        member = min(member_ids, key=lambda m: (current[m], rank[m]))
        chosen.append(member)
        current[member] += 1
    return chosen
