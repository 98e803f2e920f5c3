"""Print 120 MB inside zero_pad, so its check cell carries 120 MB of output.

zero_pad is honest but, on its second call (the first call of its check cell; the
worked example makes the first), prints 200 lines of 600 kB each: 120 MB, once. nbgrader
limits outputs by line count, not bytes, so the graded notebook (and the grader's memory,
and anything that renders the notebook) holds 120 MB per call of zero_pad.
Without protection: a graded notebook of hundreds of MB; the grader's memory and disk.
"""
EXPECT = {"zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
          "create_mask_from_window", "distribute_value", "pool_backward"}
PROBLEMS = ("output limit",)


def ANSWERS(reference):
    return {"zero_pad": reference["zero_pad"].replace(
        "    return X_pad",
        "    global _calls\n"
        "    _calls = globals().get('_calls', 0) + 1\n"
        "    if _calls == 2:\n"
        "        line = 'x' * 600_000\n"
        "        for _ in range(200):\n"
        "            print(line)\n"
        "    return X_pad")}
