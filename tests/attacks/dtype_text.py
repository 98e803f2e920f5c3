"""zero_pad's reply to the grader describes its array with a 4 MB dtype text; the other seven are honest.

The kernel side is the student's: the cell wraps ``_cnn_grading_call`` so that the
grader's call of zero_pad is answered with an array whose ``dtype`` is ``"f8,"`` repeated
1.3 million times (a 5 MB reply, well under the message limit). numpy parses any dtype
text, and a structured dtype of a million fields grows the process that parses it by
about 1.8 GiB: the grader's, outside every limit of the sandbox. The claims to check: the
reply is refused before numpy sees it (zero_pad scores 0, the rest in full), and the
grader's memory and time for this student stay those of an honest one.
Without protection: the grader grows about 1.8 GiB per call (a Dask worker with a memory
limit is restarted by its nanny, and the student is never graded).
"""
EXPECT = {"conv_single_step", "conv_forward", "pool_forward", "conv_backward", "create_mask_from_window",
          "distribute_value", "pool_backward"}
MUST_EARN = EXPECT
BUDGET_SECONDS = 60
APPEND = {"zero_pad": '''
_cnnattack_dtype_text_call = _cnn_grading_call


def _cnn_grading_call(name, request):
    if name != "zero_pad":
        return _cnnattack_dtype_text_call(name, request)
    import base64, json
    giant = {"t": "ndarray", "dtype": "f8," * 1_333_333, "shape": [1], "b64": ""}
    reply = {"status": "called", "replies": [{"status": "returned", "result": giant, "args_after": []}]}
    return base64.b64encode(json.dumps(reply).encode()).decode()
'''}
