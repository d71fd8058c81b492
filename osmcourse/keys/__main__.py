"""``python -m osmcourse.keys``: write the sealed answer keys the notebooks' checks use."""

from osmcourse.keys import write_keys

if __name__ == "__main__":
    changed = write_keys()
    print("\n".join(str(path) for path in changed) or "the sealed keys were up to date")
