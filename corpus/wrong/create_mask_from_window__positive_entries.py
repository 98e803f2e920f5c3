"""Marks every positive entry instead of the maximum."""


def create_mask_from_window(x):
    return x > 0
