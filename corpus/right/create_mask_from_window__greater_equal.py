"""x >= x.max() is True at the maximum only."""


def create_mask_from_window(x):
    return x >= x.max()
